"""Checks a callback payload against its schema in the spec before the generated model reads it.

The generated ``from_dict`` trusts its input (a missing field is a KeyError, a ``null`` list a TypeError, a
wrong type passes silently), so the payload is checked first against the webhook's request-body schema
from the spec shipped with the client (``callbot_client/openapi.json``): required fields present, every
known field of the declared JSON type, nested objects and arrays included. Unknown keys are allowed, as
the spec says. Only the JSON-Schema keywords the spec uses are understood; a schema using another
structural keyword fails loudly at load time instead of being half-checked.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Final

#: webhook kind -> the spec's webhook (``webhooks:``) whose request body it is.
WEBHOOK_OPERATIONS: Final = {"call": "callCallback", "order": "orderCallback", "task": "taskCallback"}

_CHECKED: Final = frozenset({"$ref", "allOf", "type", "properties", "required", "items", "enum"})
_UNSUPPORTED: Final = frozenset(
    {
        "oneOf",
        "anyOf",
        "not",
        "if",
        "then",
        "else",
        "const",
        "prefixItems",
        "patternProperties",
        "additionalProperties",
        "unevaluatedProperties",
        "dependentSchemas",
        "dependentRequired",
        "discriminator",
    }
)
_MAX_DEPTH: Final = 64

Schema = dict[str, Any]


@functools.cache
def _spec() -> dict[str, Any]:
    text = resources.files("callbot_client").joinpath("openapi.json").read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def _resolve(schema: Schema) -> Schema:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = _spec()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    resolved: Schema = node
    return resolved


def _assert_supported(schema: Schema, depth: int = 0) -> None:
    schema = _resolve(schema)
    unsupported = _UNSUPPORTED & schema.keys()
    if unsupported or depth > _MAX_DEPTH:
        raise RuntimeError(f"the webhook schemas use {sorted(unsupported)}, which the payload check does not know")
    for sub in (*schema.get("allOf", ()), *schema.get("properties", {}).values()):
        _assert_supported(sub, depth + 1)
    if "items" in schema:
        _assert_supported(schema["items"], depth + 1)


@functools.cache
def webhook_schema(kind: str) -> Schema:
    """The request-body schema of the callback ``kind`` ("call", "order" or "task"), from the spec."""
    operation = _spec()["webhooks"][WEBHOOK_OPERATIONS[kind]]["post"]
    schema: Schema = operation["requestBody"]["content"]["application/json"]["schema"]
    _assert_supported(schema)
    return schema


def _type_matches(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _JSON_TYPES[name])


_JSON_TYPES: Final[dict[str, type | tuple[type, ...]]] = {
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def schema_problem(value: Any, schema: Schema, path: str = "$", depth: int = 0) -> str | None:
    """What is wrong with ``value`` under ``schema`` (the first problem, with its JSON path), or None."""
    if depth > _MAX_DEPTH:
        return f"{path}: nested too deeply"
    schema = _resolve(schema)
    for sub in schema.get("allOf", ()):
        problem = schema_problem(value, sub, path, depth + 1)
        if problem:
            return problem
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_matches(value, name) for name in names):
            return f"{path} is {_json_type(value)}, not {' or '.join(names)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{path} is {value!r}, not one of {schema['enum']!r}"
    if isinstance(value, dict):
        missing = [name for name in schema.get("required", ()) if name not in value]
        if missing:
            return f"{path} lacks the required field(s) {', '.join(missing)}"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problem = schema_problem(value[name], sub, f"{path}.{name}", depth + 1)
                if problem:
                    return problem
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problem = schema_problem(item, schema["items"], f"{path}[{index}]", depth + 1)
            if problem:
                return problem
    return None


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _type_matches(value, name):
            return name
    return type(value).__name__
