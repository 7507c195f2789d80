"""The operations of the shipped spec (``callbot_client/openapi.json``), for `callbot operations` and `call`."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    summary: str
    #: JSON pointer of the request body's schema in the spec, or None.
    body_pointer: str | None
    #: Whether the body has a productID (filled in with "callbot" when left out).
    has_product_id: bool
    #: Header parameters the operation documents (e.g. importBatchCall's Content-Encoding).
    headers: tuple[str, ...]
    #: The key of the answer's code: retCode, or Ping's code.
    code_key: str


@cache
def spec() -> dict[str, Any]:
    text = resources.files("callbot_client").joinpath("openapi.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _resolve(node: Any) -> Any:
    for _ in range(32):  # bounded: a $ref chain longer than this is not a spec this tool ships with
        if not isinstance(node, dict) or "$ref" not in node:
            return node
        target: Any = spec()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    raise ValueError("a $ref chain in the spec is too long")


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in ("#", *parts))


@cache
def operations() -> dict[str, Operation]:
    """operationId -> Operation, in the order of the spec."""
    found: dict[str, Operation] = {}
    for path, methods in spec()["paths"].items():
        item = methods.get("post")
        if not isinstance(item, dict) or "operationId" not in item:
            continue
        body_schema = item.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        answer = _resolve(item["responses"]["200"]["content"]["application/json"]["schema"])
        answer_keys = set(answer.get("properties", {}))
        for part in answer.get("allOf", []):
            answer_keys |= set(_resolve(part).get("properties", {}))
        found[item["operationId"]] = Operation(
            operation_id=item["operationId"],
            path=path,
            summary=item.get("summary", ""),
            body_pointer=_pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")
            if body_schema
            else None,
            has_product_id="productID" in _resolve(body_schema).get("properties", {}) if body_schema else False,
            headers=tuple(p["name"] for p in map(_resolve, item.get("parameters", [])) if p.get("in") == "header"),
            code_key="retCode" if "retCode" in answer_keys else "code",
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


@cache
def _validator(pointer: str) -> Any:
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": pointer, **spec()}
    return jsonschema_rs.validator_for(root)


def body_problems(operation: Operation, body: Any, limit: int = 10) -> list[str]:
    """Where ``body`` does not fit the operation's request schema: ``field: message`` lines (at most ``limit``)."""
    if operation.body_pointer is None:
        return []
    problems = []
    for error in _validator(operation.body_pointer).iter_errors(body):
        where = "/".join(str(part) for part in error.instance_path) or "(the body)"
        problems.append(f"{where}: {error.message[:300]}")
        if len(problems) >= limit:
            break
    return problems
