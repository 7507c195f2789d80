"""Each operation's 200 answer, and each webhook's payload, checked against the spec shipped with the
generated client before any model is built from it: a missing field, a ``null`` list or a wrong type is a
typed error naming the field, never a KeyError or TypeError from a generated ``from_dict``.

The check of answers is deliberately lenient where the service may move ahead of the spec: enum lists are
dropped (an unknown enum value is kept by the generated enums) and unknown keys are allowed wherever the spec
allows them. Request bodies (:func:`request_problems`, for tools that send what a user wrote) are checked
against the unmodified spec, as the contract tests do.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from ._envelope import PING_KEYS, STANDARD_KEYS

_SPEC_RESOURCE = ("callbot_client", "openapi.json")


def _without_enums(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_enums(value) for key, value in node.items() if key != "enum"}
    if isinstance(node, list):
        return [_without_enums(item) for item in node]
    return node


@cache
def shipped_spec() -> dict[str, Any]:
    """The spec as shipped with the generated client (``callbot_client/openapi.json``); do not modify it."""
    text = resources.files(_SPEC_RESOURCE[0]).joinpath(_SPEC_RESOURCE[1]).read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


@cache
def _spec() -> dict[str, Any]:
    """The shipped spec without its enum lists: what answers and webhooks are checked against."""
    spec: dict[str, Any] = _without_enums(shipped_spec())
    return spec


@cache
def operations() -> dict[str, str]:
    """operationId -> path, for every operation of the spec."""
    return {
        item["operationId"]: path
        for path, methods in _spec()["paths"].items()
        for item in methods.values()
        if isinstance(item, dict) and "operationId" in item
    }


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in ("#", *parts))


@cache
def _validator(pointer: str, strict: bool = False) -> Any:
    """A compiled validator of the schema at ``pointer`` in the spec (its $refs resolved within the spec);
    ``strict`` keeps the spec's enum lists."""
    spec = shipped_spec() if strict else _spec()
    return jsonschema_rs.validator_for(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": pointer, **spec}
    )


#: An instance with more JSON values than this is reported by its first error only: jsonschema-rs's
#: ``iter_errors`` builds every error before it yields the first (time and memory grow with the number of
#: misfits), while ``validate`` stops at the first.
ALL_ERRORS_MAX_VALUES = 1000


def _has_at_most(data: Any, count: int) -> bool:
    """Whether ``data`` holds at most ``count`` JSON values (containers and leaves); stops once it is over."""
    pending, seen = [data], 0
    while pending:
        node = pending.pop()
        seen += 1
        if seen > count:
            return False
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return True


def schema_errors(validator: Any, data: Any, limit: int) -> list[Any]:
    """Up to ``limit`` ``jsonschema_rs.ValidationError`` of ``data`` against ``validator``, in a time and
    memory linear in ``data``: all of them (up to ``limit``) for a small instance, the first for a large one.
    ValueError or RecursionError for an instance that cannot be checked (e.g. a lone surrogate)."""
    if validator.is_valid(data):
        return []
    if limit > 1 and _has_at_most(data, ALL_ERRORS_MAX_VALUES):
        found = []
        for error in validator.iter_errors(data):
            found.append(error)
            if len(found) >= limit:
                break
        return found
    try:
        validator.validate(data)
    except jsonschema_rs.ValidationError as error:
        return [error]
    return []


def _problems(validator: Any, data: Any, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` ``(field_path, message)`` pairs; never an exception, whatever ``data`` holds."""
    try:
        errors = schema_errors(validator, data, limit)
    except (ValueError, RecursionError) as exc:  # e.g. a lone surrogate or deep nesting in the report itself
        return [("(the body)", f"cannot be checked against the spec ({type(exc).__name__}: {str(exc)[:200]})")]
    return [("/".join(str(part) for part in e.instance_path) or "(the body)", e.message[:300]) for e in errors]


def _first_problem(validator: Any, data: Any) -> tuple[str, str] | None:
    problems = _problems(validator, data, 1)
    return problems[0] if problems else None


@cache
def spec_path(path: str) -> str | None:
    """The spec's path of the operation a request to ``path`` calls, also behind a base URL with a path
    prefix (``/gateway/callcentre/api/v3/ping``); None for a path that is no operation of the spec."""
    paths = _spec()["paths"]
    if path in paths:
        return path
    matches = [known for known in paths if path.endswith(known)]
    return max(matches, key=len) if matches else None


def schema_problem(path: str, data: Any) -> tuple[str, str] | None:
    """``(field_path, message)`` of the first place where ``data`` does not fit the 200 answer of the
    operation at ``path`` (a request's URL path); None when it fits, or when the path is not an operation
    of the spec."""
    path = spec_path(path) or path
    methods = _spec()["paths"].get(path)
    if not methods or "post" not in methods:
        return None
    pointer = _pointer("paths", path, "post", "responses", "200", "content", "application/json", "schema")
    return _first_problem(_validator(pointer), data)


def webhook_problem(webhook: str, data: Any) -> tuple[str, str] | None:
    """The same for the payload of the spec's webhook ``webhook`` (``callCallback``, ...); KeyError for a
    webhook the spec does not have."""
    if webhook not in _spec()["webhooks"]:
        raise KeyError(webhook)
    pointer = _pointer("webhooks", webhook, "post", "requestBody", "content", "application/json", "schema")
    return _first_problem(_validator(pointer), data)


@cache
def response_model_name(path: str) -> str | None:
    """The name of the component schema of the 200 answer of the operation at ``path`` (the generated model
    ``callbot_client.models.<name>``); None for a path not in the spec or an answer that is no component."""
    path = spec_path(path) or path
    methods = _spec()["paths"].get(path)
    if not methods or "post" not in methods:
        return None
    schema = methods["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


@cache
def envelope_keys(path: str) -> tuple[str, str, str] | None:
    """The envelope keys (code, message, id) of the operation at ``path``, from its 200 answer's schema:
    ``retCode``/``retMsg``/``responseID``, or Ping's ``code``/``msg``/``reqId``; None for a path not in the spec."""
    path = spec_path(path) or path
    methods = _spec()["paths"].get(path)
    if not methods or "post" not in methods:
        return None
    schema = methods["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = _resolve(schema["$ref"])
    properties = schema.get("properties", {})
    return STANDARD_KEYS if "retCode" in properties else PING_KEYS if "code" in properties else None


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = _spec()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    resolved: dict[str, Any] = node
    return resolved


def request_problems(path: str, data: Any, limit: int = 10) -> list[tuple[str, str]]:
    """Where a request body for the operation at ``path`` does not fit the spec (enums included): up to
    ``limit`` ``(field_path, message)`` pairs; [] when it fits, or when the operation takes no JSON body."""
    path = spec_path(path) or path
    item = shipped_spec()["paths"].get(path, {}).get("post", {})
    if "application/json" not in item.get("requestBody", {}).get("content", {}):
        return []
    pointer = _pointer("paths", path, "post", "requestBody", "content", "application/json", "schema")
    return _problems(_validator(pointer, strict=True), data, limit)
