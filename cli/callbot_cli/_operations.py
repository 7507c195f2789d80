"""The operations of the shipped spec (``callbot_client/openapi.json``), for `callbot operations` and `call`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from typing import Any

from callbot_signing.wire import envelope_keys, request_problems, shipped_spec


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    summary: str
    #: Whether the operation takes a JSON body.
    has_body: bool
    #: Whether the body has a productID (filled in with "callbot" when left out).
    has_product_id: bool
    #: Header parameters the operation documents (e.g. importBatchCall's Content-Encoding).
    headers: tuple[str, ...]
    #: The key of the answer's code: retCode, or Ping's code.
    code_key: str


def spec() -> dict[str, Any]:
    """The spec shipped with the client (one copy, loaded once, in callbot_signing)."""
    return shipped_spec()


def _resolve(node: Any) -> Any:
    for _ in range(32):  # bounded: a $ref chain longer than this is not a spec this tool ships with
        if not isinstance(node, dict) or "$ref" not in node:
            return node
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    raise ValueError("a $ref chain in the spec is too long")


@cache
def operations() -> dict[str, Operation]:
    """operationId -> Operation, in the order of the spec."""
    found: dict[str, Operation] = {}
    for path, methods in spec()["paths"].items():
        item = methods.get("post")
        if not isinstance(item, dict) or "operationId" not in item:
            continue
        body_schema = item.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        found[item["operationId"]] = Operation(
            operation_id=item["operationId"],
            path=path,
            summary=item.get("summary", ""),
            has_body=body_schema is not None,
            has_product_id="productID" in _resolve(body_schema).get("properties", {}) if body_schema else False,
            headers=tuple(p["name"] for p in map(_resolve, item.get("parameters", [])) if p.get("in") == "header"),
            code_key=(envelope_keys(path) or ("retCode",))[0],
        )
    return found


def find(name: str) -> Operation:
    """The operation named ``name`` (its operationId, any case; or snake_case); KeyError with suggestions."""
    table = operations()
    if name in table:
        return table[name]
    folded = {key.lower(): op for key, op in table.items()}
    key = name.replace("_", "").replace("-", "").lower()
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(name, list(table), n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise KeyError(f"there is no operation {name!r} in the spec.{hint} `callbot operations` lists them.")


def body_problems(operation: Operation, body: Any, limit: int = 10) -> list[str]:
    """Where ``body`` does not fit the operation's request schema: ``field: message`` lines (at most ``limit``)."""
    return [f"{where}: {message}" for where, message in request_problems(operation.path, body, limit)]
