"""The answer schemas of the shipped spec, and which of their fields the wiki documents: shared by the tests
that hold the sandbox's answers against the spec."""

from __future__ import annotations

from typing import Any

from callbot_sandbox.spec import ServedSpec
from callbot_signing.wire import shipped_spec


def answer_pointer(path: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/post/responses/200/content/application~1json/schema"


def shipped() -> ServedSpec:
    return ServedSpec(shipped_spec())


def answer_schema(path: str) -> Any:
    return {"$ref": answer_pointer(path)}


def documented(spec: ServedSpec, schema: Any, depth: int = 0) -> tuple[set[str], list[Any], Any]:
    """(the property names a schema documents, their schemas, its items' schema), over allOf/oneOf/anyOf."""
    schema = spec.resolve(schema)
    names: set[str] = set()
    subs: list[Any] = []
    items: Any = None
    if not isinstance(schema, dict) or depth > 20:
        return names, subs, items
    names |= set(schema.get("properties") or {})
    subs.extend((schema.get("properties") or {}).items())
    items = schema.get("items")
    for key in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(key) or []:
            more, more_subs, more_items = documented(spec, part, depth + 1)
            names |= more
            subs.extend(more_subs)
            items = items or more_items
    return names, subs, items


def undocumented(spec: ServedSpec, value: Any, schema: Any, where: str = "") -> list[str]:
    """Every key of ``value`` (an answer or a callback) that its schema does not name, with its place."""
    names, subs, items = documented(spec, schema)
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{where}.{key}".lstrip(".") for key in value if key not in names]
        by_name: dict[str, list[Any]] = {}
        for name, sub in subs:
            by_name.setdefault(name, []).append(sub)
        for key, item in value.items():
            for sub in by_name.get(key, [])[:1]:
                found += undocumented(spec, item, sub, f"{where}.{key}".lstrip("."))
    elif isinstance(value, list) and items is not None:
        for n, item in enumerate(value[:3]):
            found += undocumented(spec, item, items, f"{where}[{n}]")
    return found
