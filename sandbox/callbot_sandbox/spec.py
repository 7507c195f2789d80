"""Request checks driven by the spec the client was generated from, answering the service's retCodes.

The schemas are compiled once with ``jsonschema-rs`` (JSON Schema 2020-12, as the spec declares): a
10,000-order import is checked in a few milliseconds, where pure-Python validation took ~200 ms.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
from callbot_signing.wire import shipped_spec

MISSING_PARAMETER = 2
WRONG_TYPE = 3
BAD_VALUE = 4
TOO_MANY_ELEMENTS = 4001
BUSY = 7

# retCode per failed JSON Schema keyword, and which to report first when several fail.
_RET_CODES = {"required": MISSING_PARAMETER, "type": WRONG_TYPE, "maxItems": TOO_MANY_ELEMENTS}
_PRIORITY = {"required": 0, "type": 1, "maxItems": 2}
#: At most this many errors are looked at to pick the one reported (a body can break the spec everywhere).
_MAX_ERRORS = 50


class RequestRejected(Exception):
    """The request cannot be served; ``ret_code`` and ``ret_msg`` go into the response envelope."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        super().__init__(ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg


def load_spec() -> dict[str, Any]:
    """The spec shipped with the generated client (generated/callbot_client/openapi.json), loaded once by
    the client's wire module."""
    return shipped_spec()


@cache
def _validator(pointer: str) -> Any:
    """A compiled validator of the schema at ``pointer`` in the spec (its $refs resolved within the spec)."""
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": pointer, **load_spec()}
    return jsonschema_rs.validator_for(root)


def request_schema_pointer(path: str) -> str:
    content = load_spec()["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    pointer: str = content["schema"]["$ref"]
    return pointer


def _keyword(error: Any) -> str:
    name: str = type(error.kind).__name__
    return name[:1].lower() + name[1:]  # Required -> required, MaxItems -> maxItems


def _where(error: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path]
    return "".join(parts).lstrip(".")


def _describe(error: Any) -> str:
    where, keyword, kind = _where(error), _keyword(error), error.kind
    if keyword == "required":
        return f"missing parameter: {'.'.join(filter(None, [where, str(kind.property)]))}"
    if keyword == "type":
        types = kind.types if hasattr(kind, "types") else "?"
        return f"parameter {where or 'body'} must be of type {' or '.join(map(str, types))}"
    if keyword == "maxItems":
        count = len(error.instance) if isinstance(error.instance, list) else "too many"
        return f"parameter {where} has {count} elements, more than {kind.limit}"
    message: str = error.message
    return f"parameter {where or 'body'} has a bad value: {message[:200]}"


def _first_error(validator: Any, instance: Any) -> Any:
    errors = []
    for error in validator.iter_errors(instance):
        errors.append(error)
        if len(errors) >= _MAX_ERRORS:
            break
    if not errors:
        return None
    return min(errors, key=lambda e: (_PRIORITY.get(_keyword(e), 9), _where(e)))


def check_body(path: str, body: Any) -> None:
    """Raise RequestRejected with the retCode the service uses when ``body`` breaks the spec."""
    validator = _validator(request_schema_pointer(path))
    try:
        if validator.is_valid(body):
            return
        first = _first_error(validator, body)
    except (ValueError, RecursionError):  # jsonschema-rs cannot build the report of a deeply nested misfit
        too_deep = "the request body is nested too deeply to be checked against the spec"
        raise RequestRejected(BAD_VALUE, too_deep) from None
    raise RequestRejected(_RET_CODES.get(_keyword(first), BAD_VALUE), _describe(first))


def check_schema(pointer: str, instance: Any) -> None:
    """Raise ValueError when ``instance`` breaks the component schema at ``pointer`` (for self-checks)."""
    error = _first_error(_validator(pointer), instance)
    if error is not None:
        raise ValueError(f"{pointer}: {_describe(error)}")
