"""The documentation side of a spec change, and what no compat rule covers.

A change below a documentation key (descriptions, examples, ``x-`` notes, links) changes no generated
signature and no validation; a structural change outside the areas the field rules of spec_diff.py cover
(operations, webhooks, schemas, headers, parameters) is reported as unclassified.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

#: Keys that only document: a change below them changes no generated signature and no validation.
DOC_KEYS = frozenset({"description", "summary", "title", "example", "examples", "externalDocs", "tags", "links"})
#: Root keys the library does not read (the default host lives in callbot_signing, not in the spec).
DOC_ROOT_KEYS = frozenset({"info", "servers"})
#: Maps whose keys are names (fields, schemas, status codes, media types), never keywords.
NAME_MAPS = frozenset(
    {
        "properties", "patternProperties", "$defs", "dependentSchemas", "schemas", "headers", "parameters",
        "responses", "requestBodies", "securitySchemes", "paths", "webhooks", "content", "encoding",
        "callbacks", "variables", "mapping",
    }
)  # fmt: skip
#: Root areas whose meaning the field rules below cover; a structural change anywhere else is unclassified.
COVERED = ("/paths", "/webhooks", "/components/schemas", "/components/headers", "/components/parameters")


def is_doc_key(key: str) -> bool:
    return key in DOC_KEYS or key.startswith("x-")


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def documentation_changes(old: Any, new: Any, pointer: str = "", names: bool = False) -> Iterator[str]:
    """JSON pointers of the documentation whose value changed."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{pointer}/{_escape(key)}"
            if pointer == "" and key in DOC_ROOT_KEYS:
                yield from _differences(old.get(key), new.get(key), here)
            elif not names and is_doc_key(str(key)):
                if old.get(key) != new.get(key):
                    yield here
            elif key in old and key in new:
                yield from documentation_changes(old[key], new[key], here, not names and key in NAME_MAPS)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (left, right) in enumerate(zip(old, new, strict=True)):
            yield from documentation_changes(left, right, f"{pointer}/{index}")


def _differences(old: Any, new: Any, pointer: str) -> Iterator[str]:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            yield from _differences(old.get(key), new.get(key), f"{pointer}/{_escape(key)}")
    else:
        yield pointer


def without_documentation(node: Any, pointer: str = "", names: bool = False) -> Any:
    if isinstance(node, dict):
        return {
            key: without_documentation(value, f"{pointer}/{_escape(key)}", not names and key in NAME_MAPS)
            for key, value in node.items()
            if names or not (is_doc_key(str(key)) or (pointer == "" and key in DOC_ROOT_KEYS))
        }
    if isinstance(node, list):
        return [without_documentation(item, f"{pointer}/{index}") for index, item in enumerate(node)]
    return node


def structural_differences(old: Any, new: Any, pointer: str = "") -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{pointer}/{_escape(key)}"
            if here.startswith(COVERED) or pointer.startswith(COVERED):
                continue
            if key not in old or key not in new:
                yield here
            else:
                yield from structural_differences(old[key], new[key], here)
    elif old != new:
        yield pointer or "/"


def _parts(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def exists(spec: Mapping[str, Any], pointer: str) -> bool:
    node: Any = spec
    for part in _parts(pointer)[:3]:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def readable(pointer: str, spec: Mapping[str, Any]) -> str:
    """``/paths/~1callcentre~1api~1v3~1ping/post/description`` -> ``ping: description``."""
    parts = _parts(pointer)
    if len(parts) >= 3 and parts[0] in ("paths", "webhooks"):
        operation = spec.get(parts[0], {}).get(parts[1], {}).get(parts[2], {})
        name = operation.get("operationId", parts[1]) if isinstance(operation, dict) else parts[1]
        head, rest = (f"webhook {name}" if parts[0] == "webhooks" else name), parts[3:]
    elif len(parts) >= 3 and parts[0] == "components":
        head, rest = f"{parts[1].removesuffix('s')} {parts[2]}", parts[3:]
    else:
        head, rest = "", parts
    rest = [part for part in rest if part not in ("content", "application/json")]
    dotted = ".".join(rest)
    return f"{head}: {dotted}" if head and dotted else head or dotted
