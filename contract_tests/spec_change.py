"""A spec change as a new user makes it: three new operations and an optional response field, nothing else.

``changed_spec(spec)`` returns a copy of ``spec`` (the parsed openapi/callbot.yaml) with

- ``getBalance``: a request holding only ``productID`` (its method takes no argument), a read, marked
  ``x-idempotent``;
- ``listBatch``: a paged read (``page``/``size`` and one list of rows), marked ``x-idempotent``;
- ``deleteTask``: a change, not marked (never repeated once the request may have reached the service);
- ``exportTs``: an optional field of exportBatchCall's answer.

test_spec_change.py regenerates from it into a temporary directory and checks what ``make generate`` derives;
the same change applied to a scratch clone (``python -m contract_tests.spec_change openapi/callbot.yaml``)
is the issue's end-to-end check.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml

API = "/callcentre/api/v3/"
#: operationId -> (method name, whether x-idempotent marks it)
NEW_OPERATIONS = {
    "getBalance": ("get_balance", True),
    "listBatch": ("list_batch", True),
    "deleteTask": ("delete_task", False),
}
NEW_RESPONSE_FIELD = ("ExportBatchCallResponse", "exportTs")

#: What a person writes where no wiki page says anything (test_spec_guards.py wants a reason for every flag).
MADE_UP = "No wiki page: a made-up operation for the spec-change test; every flag and limit here is assumed."
_SIGNED_HEADERS = ("requestID", "uuid", "createTs", "sign", "algorithm")


def _operation(operation_id: str, request: str, response: str, idempotent: bool, why: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": ["account"],
        "summary": f"{operation_id} (a made-up operation)",
        "description": f'A made-up operation for the spec-change test. Wiki page "Callbot API {operation_id}".',
        "x-assumption": why,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request}"}}},
        },
        "responses": {
            "200": {
                "description": "Success.",
                "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in _SIGNED_HEADERS},
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{response}"}}},
            }
        },
    }
    if idempotent:
        operation["x-idempotent"] = True
    return operation


def _with_envelope(properties: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [{"$ref": "#/components/schemas/RetEnvelope"}, {"type": "object", "properties": properties}]}


def changed_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``spec`` with the three operations and the optional response field."""
    changed = copy.deepcopy(spec)
    product_id = copy.deepcopy(changed["components"]["schemas"]["ProductID"])
    user_task_id = {"$ref": "#/components/schemas/UserTaskID"}
    tags = [tag for tag in changed.get("tags", []) if tag.get("name") != "account"]
    changed["tags"] = [*tags, {"name": "account", "description": "Account operations."}]
    changed["paths"].update(
        {
            API + "getBalance": {
                "post": _operation(
                    "getBalance", "GetBalanceRequest", "GetBalanceResponse", True, "A read: safe to send twice."
                )
            },
            API + "listBatch": {
                "post": _operation(
                    "listBatch", "ListBatchRequest", "ListBatchResponse", True, "A read: safe to send twice."
                )
            },
            API + "deleteTask": {
                "post": _operation(
                    "deleteTask", "DeleteTaskRequest", "RetEnvelope", False, "A repeat may delete a newer task."
                )
            },
        }
    )
    schemas = changed["components"]["schemas"]
    schemas.update(
        {
            "GetBalanceRequest": {
                "type": "object",
                "required": ["productID"],
                "properties": {"productID": product_id},
                "x-assumption": MADE_UP,
            },
            "GetBalanceResponse": _with_envelope({"balance": {"type": "number"}, "currency": {"type": "string"}}),
            "ListBatchRequest": {
                "type": "object",
                "required": ["productID", "userTaskID", "page", "size"],
                "properties": {
                    "productID": product_id,
                    "userTaskID": user_task_id,
                    "page": {"type": "integer", "minimum": 1},
                    "size": {"type": "integer", "minimum": 1},
                },
                "x-assumption": MADE_UP,
            },
            "BatchInfo": {
                "type": "object",
                "properties": {"batchID": {"type": "string"}, "orderCount": {"type": "integer"}},
                "x-assumption": MADE_UP,
            },
            "ListBatchResponse": _with_envelope(
                {
                    "totalCount": {"type": "integer"},
                    "batchList": {"type": "array", "items": {"$ref": "#/components/schemas/BatchInfo"}},
                }
            ),
            "DeleteTaskRequest": {
                "type": "object",
                "required": ["productID", "userTaskID"],
                "properties": {"productID": product_id, "userTaskID": user_task_id},
                "x-assumption": MADE_UP,
            },
        }
    )
    model, field = NEW_RESPONSE_FIELD
    extra = schemas[model]["allOf"][1]
    extra["properties"] = {**extra["properties"], field: {"type": "integer", "description": "When it was exported."}}
    return changed


def _block(data: Any, indent: int) -> str:
    unshared = json.loads(json.dumps(data))  # no object twice, so no YAML anchors in the text
    text = yaml.safe_dump(unshared, sort_keys=False, allow_unicode=True, width=110)
    return "".join(" " * indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def apply_to_file(path: Path) -> None:
    """Make the change in the spec file at ``path`` as a person would: new text added where it belongs, the
    rest of the file (comments, anchors) untouched. The result parses to ``changed_spec`` of the original."""
    text = path.read_text(encoding="utf-8")
    original = yaml.safe_load(text)
    changed = changed_spec(original)
    new_paths = {key: value for key, value in changed["paths"].items() if key not in original["paths"]}
    schemas = changed["components"]["schemas"]
    new_schemas = {key: value for key, value in schemas.items() if key not in original["components"]["schemas"]}
    model, field = NEW_RESPONSE_FIELD
    anchor = '            callList: {type: array, items: {$ref: "#/components/schemas/ExportedCall"}}\n'
    inserts = [  # (a line, the text put before it)
        ("security:\n", _block(changed["tags"][-1:], 2)),
        ("webhooks:\n", _block(new_paths, 2)),
        (anchor, None),
    ]
    for line, before in inserts:
        if text.count("\n" + line) != 1:
            raise ValueError(f"{path}: expected the line {line!r} once")
        after = _block({field: schemas[model]["allOf"][1]["properties"][field]}, 12) if before is None else ""
        text = text.replace("\n" + line, "\n" + (before or "") + line + after)
    text = text.rstrip("\n") + "\n" + _block(new_schemas, 4)
    if yaml.safe_load(text) != changed:
        raise ValueError(f"{path}: the edited text does not parse to the changed spec")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    """Make the change in the spec file named in ``argv`` (for a scratch clone)."""
    apply_to_file(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
