"""What changed between two versions of the OpenAPI document, for a user of the generated library.

The Python API (tools/python_diff.py) shows removed operations, models and fields and changed signatures;
this module adds what it cannot show: required flags, types and nullability, enums, limits, response
headers, and which changes are documentation only. Every rule reads the schema from the side of whoever
produces the data: the user produces requests (a new required field or a narrower type breaks their
calls), the service produces responses and webhook payloads (a field no longer guaranteed, a wider type
or a removed enum value breaks the code that reads them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .changes import Change, Kind, Source
from .spec_docs import documentation_changes, exists, readable, structural_differences, without_documentation

#: Keywords compared as limits: (keyword, True when a larger value accepts more).
LIMITS = {
    "maxItems": True, "maxLength": True, "maximum": True, "exclusiveMaximum": True, "maxProperties": True,
    "minItems": False, "minLength": False, "minimum": False, "exclusiveMinimum": False, "minProperties": False,
}  # fmt: skip
OTHER_CONSTRAINTS = ("pattern", "format", "uniqueItems", "additionalProperties", "default")


@dataclass(frozen=True)
class Field:
    """What a schema says about one place in a body or a header."""

    types: frozenset[str]
    required: bool
    enum: frozenset[str] | None
    const: str | None
    limits: tuple[tuple[str, Any], ...]
    other: tuple[tuple[str, str], ...]


def _resolve(spec: Mapping[str, Any], node: Any, seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return {}, seen
        seen = seen | {ref}
        target: Any = spec
        for part in ref.removeprefix("#/").split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return (dict(node) if isinstance(node, dict) else {}), seen


def _merged(spec: Mapping[str, Any], schema: Any, seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
    """The schema with its $refs followed, allOf parts merged and anyOf/oneOf branches united."""
    node, seen = _resolve(spec, schema, seen)
    for part in node.pop("allOf", []):
        merged, _ = _merged(spec, part, seen)
        node["properties"] = {**merged.get("properties", {}), **node.get("properties", {})}
        node["required"] = sorted({*node.get("required", []), *merged.get("required", [])})
        for key, value in merged.items():
            node.setdefault(key, value)
    branches = [_merged(spec, branch, seen)[0] for key in ("anyOf", "oneOf") for branch in node.pop(key, [])]
    if branches:
        node.setdefault("type", sorted({t for branch in branches for t in _types(branch)}))
        for branch in branches:
            for name, value in branch.get("properties", {}).items():
                node.setdefault("properties", {}).setdefault(name, value)
    return node, seen


def _types(node: Mapping[str, Any]) -> frozenset[str]:
    if "const" in node:
        return frozenset({_json_type(node["const"])})
    declared = node.get("type")
    if declared is None:
        if "properties" in node:
            return frozenset({"object"})
        return frozenset({"any"})
    types = frozenset(declared if isinstance(declared, list) else [declared])
    return types | {"integer"} if "number" in types else types


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(type(value), "any")


def fields(spec: Mapping[str, Any], schema: Any, required: bool = True) -> dict[str, Field]:
    """Every place a body can hold, by path (``a.b``, ``a[]``; ``""`` is the body itself)."""
    out: dict[str, Field] = {}
    _collect(spec, schema, "", required, out, frozenset())
    return out


def _collect(
    spec: Mapping[str, Any], schema: Any, path: str, required: bool, out: dict[str, Field], seen: frozenset[str]
) -> None:
    if isinstance(schema, dict) and schema.get("$ref") in seen:
        return  # a cycle: the schema holds itself
    node, inner = _merged(spec, schema, seen)
    out[path] = Field(
        types=_types(node),
        required=required,
        enum=frozenset(json.dumps(v, sort_keys=True) for v in node["enum"]) if "enum" in node else None,
        const=json.dumps(node["const"]) if "const" in node else None,
        limits=tuple((key, node[key]) for key in LIMITS if key in node),
        other=tuple((key, json.dumps(node[key], sort_keys=True)) for key in OTHER_CONSTRAINTS if key in node),
    )
    needed = set(node.get("required", []))
    for name, sub in node.get("properties", {}).items():
        _collect(spec, sub, f"{path}.{name}" if path else name, name in needed, out, inner)
    if isinstance(node.get("items"), dict):
        _collect(spec, node["items"], f"{path}[]", True, out, inner)


def _widened(old: frozenset[str], new: frozenset[str]) -> bool:
    return "any" in new or old <= new


def _show(path: str) -> str:
    return f"`{path}`" if path else "the body"


def compare_fields(old: dict[str, Field], new: dict[str, Field], label: str, outgoing: bool) -> Iterator[Change]:
    """``outgoing``: the user sends this (a request); otherwise the user receives it (a response, a webhook)."""

    def change(kind: Kind, text: str) -> Change:
        return Change(kind, Source.SPEC, f"{label}: {text}")

    def under(path: str, paths: set[str]) -> bool:
        return any(path.startswith(parent + ".") or path.startswith(parent + "[]") for parent in paths if parent)

    removed = {path for path in old if path not in new}
    for path in sorted(removed):
        if not under(path, removed):
            yield change(Kind.BREAKING, f"{_show(path)} removed")
    added = {path for path in new if path not in old}
    for path in sorted(added):
        if under(path, added):
            continue
        if outgoing and new[path].required:
            yield change(Kind.BREAKING, f"new required field {_show(path)}")
        else:
            yield change(Kind.ADDITIVE, f"new {'optional ' if not new[path].required else ''}field {_show(path)}")
    for path in sorted(set(old) & set(new)):
        yield from (change(kind, text) for kind, text in _compare_field(path, old[path], new[path], outgoing))


def _compare_field(path: str, old: Field, new: Field, outgoing: bool) -> Iterator[tuple[Kind, str]]:
    where = _show(path)
    if old.required != new.required:
        if outgoing:
            yield (Kind.BREAKING, f"{where} is now required") if new.required else (
                Kind.ADDITIVE, f"{where} is now optional")  # fmt: skip
        else:
            yield (Kind.ADDITIVE, f"{where} is now always present") if new.required else (
                Kind.BREAKING, f"{where} is no longer guaranteed (was required)")  # fmt: skip
    if old.types != new.types:
        was, now = (
            "|".join(sorted(old.types - {"integer"} if "number" in old.types else old.types)),
            "|".join(sorted(new.types - {"integer"} if "number" in new.types else new.types)),
        )
        wider = _widened(old.types, new.types)
        if outgoing:
            yield (Kind.ADDITIVE if wider else Kind.BREAKING), f"{where} type {was} -> {now}"
        else:
            narrower = "any" not in new.types and new.types <= old.types
            yield (Kind.ADDITIVE if narrower else Kind.BREAKING), f"{where} type {was} -> {now}"
    yield from _compare_enum(where, old.enum, new.enum, outgoing)
    if old.const != new.const:
        yield Kind.BREAKING, f"{where} constant {old.const} -> {new.const}"
    old_limits, new_limits = dict(old.limits), dict(new.limits)
    for key in sorted(set(old_limits) | set(new_limits)):
        before, after = old_limits.get(key), new_limits.get(key)
        if before == after:
            continue
        # Dropping a limit loosens it; otherwise a larger value loosens a max and tightens a min.
        looser = after is None if before is None or after is None else (after > before) == LIMITS[key]
        kind = Kind.BREAKING if outgoing and not looser else Kind.ADDITIVE
        yield (
            kind,
            f"{where} {key} {before if before is not None else '(none)'} -> {after if after is not None else '(none)'}",
        )
    old_other, new_other = dict(old.other), dict(new.other)
    for key in sorted(set(old_other) | set(new_other)):
        if old_other.get(key) != new_other.get(key):
            stricter = new_other.get(key) == "false" if key == "additionalProperties" else key in new_other
            kind = Kind.BREAKING if outgoing and stricter else Kind.ADDITIVE
            yield kind, f"{where} {key} {old_other.get(key, '(none)')} -> {new_other.get(key, '(none)')}"


def _compare_enum(
    where: str, old: frozenset[str] | None, new: frozenset[str] | None, outgoing: bool
) -> Iterator[tuple[Kind, str]]:
    if old == new:
        return
    if old is not None and new is not None:
        if old - new:
            yield Kind.BREAKING, f"{where} enum values removed: {', '.join(sorted(old - new))}"
        if new - old:
            yield Kind.ADDITIVE, f"{where} enum values added: {', '.join(sorted(new - old))}"
    elif new is not None:
        yield (Kind.BREAKING if outgoing else Kind.ADDITIVE), f"{where} restricted to {', '.join(sorted(new))}"
    else:
        yield Kind.ADDITIVE, f"{where} no longer restricted to an enum"


# --- operations ------------------------------------------------------------------------------------------


def operations(spec: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any], bool]]:
    """Label -> (where, operation, is_webhook), for every operation and webhook."""
    found: dict[str, tuple[str, dict[str, Any], bool]] = {}
    for group, is_webhook in (("paths", False), ("webhooks", True)):
        for where, item in (spec.get(group) or {}).items():
            for method, operation in (item or {}).items():
                if isinstance(operation, dict) and method in ("get", "put", "post", "delete", "patch"):
                    name = operation.get("operationId", f"{method.upper()} {where}")
                    label = f"webhook {name}" if is_webhook else name
                    found[label] = (f"{method.upper()} {where}", operation, is_webhook)
    return found


def _body(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> tuple[dict[str, Field], bool] | None:
    body, _ = _resolve(spec, operation.get("requestBody"), frozenset())
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    return fields(spec, schema), bool(body.get("required", False))


def _headers(spec: Mapping[str, Any], items: Any) -> dict[str, Field]:
    """``header <name>`` -> its Field, from a parameter list or a response's headers map."""
    found: dict[str, Field] = {}
    entries = items.items() if isinstance(items, dict) else ((None, item) for item in items or [])
    for name, raw in entries:
        header, _ = _resolve(spec, raw, frozenset())
        if name is None and header.get("in") != "header":
            continue
        label = f"header {name or header.get('name')}"
        for path, field in fields(spec, header.get("schema", {}), bool(header.get("required", False))).items():
            found[label + path] = field
    return found


def _responses(spec: Mapping[str, Any], operation: Mapping[str, Any]) -> dict[str, dict[str, Field]]:
    out: dict[str, dict[str, Field]] = {}
    for status, raw in (operation.get("responses") or {}).items():
        response, _ = _resolve(spec, raw, frozenset())
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        body = fields(spec, schema) if schema is not None else {}
        out[str(status)] = {**body, **_headers(spec, response.get("headers", {}))}
    return out


def compare_operations(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[Change]:
    before, after = operations(old), operations(new)
    for label in sorted(set(before) - set(after)):
        yield Change(Kind.BREAKING, Source.SPEC, f"{label} ({before[label][0]}) removed")
    for label in sorted(set(after) - set(before)):
        yield Change(Kind.ADDITIVE, Source.SPEC, f"new {label} ({after[label][0]})")
    for label in sorted(set(before) & set(after)):
        (old_where, old_op, webhook), (new_where, new_op, _) = before[label], after[label]
        if old_where != new_where:
            yield Change(Kind.BREAKING, Source.SPEC, f"{label} moved from {old_where} to {new_where}")
        # A webhook's body is sent by the service, its answer by the user: the other way round.
        sends = not webhook
        old_body, new_body = _body(old, old_op), _body(new, new_op)
        body_label = f"{label} payload" if webhook else f"{label} request"
        if old_body is not None or new_body is not None:
            old_fields, old_required = old_body or ({}, False)
            new_fields, new_required = new_body or ({}, False)
            if old_body and new_body and old_required != new_required:
                yield Change(
                    Kind.BREAKING if sends and new_required else Kind.ADDITIVE,
                    Source.SPEC,
                    f"{body_label}: the body is now {'required' if new_required else 'optional'}",
                )
            yield from compare_fields(old_fields, new_fields, body_label, sends)
        yield from compare_fields(
            _headers(old, old_op.get("parameters")), _headers(new, new_op.get("parameters")), body_label, sends
        )
        old_responses, new_responses = _responses(old, old_op), _responses(new, new_op)
        for status in sorted(set(old_responses) | set(new_responses)):
            answer = f"{label} {'answer' if webhook else 'response'} {status}"
            if status not in new_responses:
                yield Change(Kind.BREAKING, Source.SPEC, f"{answer} removed")
            elif status not in old_responses:
                yield Change(Kind.ADDITIVE, Source.SPEC, f"new {answer}")
            else:
                yield from compare_fields(old_responses[status], new_responses[status], answer, not sends)


def spec_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    if old is None:
        return [Change(Kind.ADDITIVE, Source.SPEC, "the spec is new")]
    changes = list(compare_operations(old, new))
    stripped_old, stripped_new = without_documentation(old), without_documentation(new)
    for pointer in structural_differences(stripped_old, stripped_new):
        changes.append(
            Change(
                Kind.BREAKING, Source.SPEC, f"{readable(pointer, new)} changed: no compat rule covers it (review it)"
            )
        )
    for pointer in documentation_changes(old, new):
        if pointer == "/info/version":
            versions = f"{old.get('info', {}).get('version')} -> {new.get('info', {}).get('version')}"
            changes.append(Change(Kind.DOCUMENTATION, Source.SPEC, f"the API version (info.version) {versions}"))
        else:
            changes.append(
                Change(Kind.DOCUMENTATION, Source.SPEC, readable(pointer, new if exists(new, pointer) else old))
            )
    return sorted(set(changes), key=lambda change: (change.kind, change.text))
