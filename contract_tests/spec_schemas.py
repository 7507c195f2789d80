"""Reading the spec's schemas as the wiki's tables show them: through $ref, allOf and nullable oneOf, in the
wiki's type notation (string, [object], string|null). Shared by the spec tests of the stopOrder page and of the
other pages."""

from __future__ import annotations

from typing import Any


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow $refs, merge allOf parts into one object schema, and read ``oneOf: [X, {type: "null"}]`` as X
    with "null" among its types."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    branches = node.get("oneOf", node.get("anyOf", []))
    if {"type": "null"} in branches and len(branches) == 2:
        inner = resolve(spec, next(branch for branch in branches if branch != {"type": "null"}))
        types = inner["type"] if isinstance(inner["type"], list) else [inner["type"]]
        node = {**inner, "type": [*types, "null"]}
    if "allOf" in node:
        parts = [resolve(spec, part) for part in node["allOf"]]
        properties = {name: value for part in parts for name, value in part.get("properties", {}).items()}
        required = [name for part in parts for name in part.get("required", [])]
        node = {"type": "object", "properties": properties, "required": required}
    return node


def wiki_type(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    """The wiki's notation: string, integer, [string], [object], [string]|null, ..."""
    schema = resolve(spec, schema)
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    names = ["[" + wiki_type(spec, schema["items"]) + "]" if t == "array" else str(t) for t in types if t != "null"]
    return "|".join(names) + ("|null" if "null" in types else "")


def field_at(spec: dict[str, Any], schema: dict[str, Any], dotted: str) -> tuple[dict[str, Any], bool]:
    """The schema of ``a.b`` (through arrays) and whether its last step is required."""
    *parents, name = dotted.split(".")
    for parent in parents:
        schema = resolve(spec, resolve(spec, schema)["properties"][parent])
        if schema.get("type") == "array":
            schema = resolve(spec, schema["items"])
    schema = resolve(spec, schema)
    return schema["properties"][name], name in schema.get("required", [])


def body_schema(spec: dict[str, Any], path: str) -> dict[str, Any]:
    return resolve(spec, spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"])
