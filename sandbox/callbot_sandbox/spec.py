"""Request checks driven by the spec the client was generated from, answering the service's retCodes."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

MISSING_PARAMETER = 2
WRONG_TYPE = 3
BAD_VALUE = 4
TOO_MANY_ELEMENTS = 4001

_SPEC_URI = "urn:callbot-openapi"
# retCode per failed JSON Schema keyword, and which to report first when several fail.
_RET_CODES = {"required": MISSING_PARAMETER, "type": WRONG_TYPE, "maxItems": TOO_MANY_ELEMENTS}
_PRIORITY = {"required": 0, "type": 1, "maxItems": 2}


class RequestRejected(Exception):
    """The request cannot be served; ``ret_code`` and ``ret_msg`` go into the response envelope."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        super().__init__(ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg


@cache
def load_spec() -> dict[str, Any]:
    """The spec shipped with the generated client (generated/callbot_client/openapi.json)."""
    text = resources.files("callbot_client").joinpath("openapi.json").read_text(encoding="utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


@cache
def _validator(pointer: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(load_spec()))
    return Draft202012Validator({"$ref": f"{_SPEC_URI}{pointer}"}, registry=registry)


def request_schema_pointer(path: str) -> str:
    content = load_spec()["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    pointer: str = content["schema"]["$ref"]
    return pointer


def _where(error: ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".")


def _describe(error: ValidationError) -> str:
    where = _where(error)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        field = ".".join(filter(None, [where, missing[0] if missing else "?"]))
        return f"missing parameter: {field}"
    if error.validator == "type":
        return f"parameter {where or 'body'} must be of type {error.validator_value}"
    if error.validator == "maxItems":
        return f"parameter {where} has more than {error.validator_value} elements"
    return f"parameter {where or 'body'} has a bad value: {error.message}"


def check_body(path: str, body: Any) -> None:
    """Raise RequestRejected with the retCode the service uses when ``body`` breaks the spec."""
    errors = list(_validator(request_schema_pointer(path)).iter_errors(body))
    if not errors:
        return
    first = min(errors, key=lambda e: (_PRIORITY.get(str(e.validator), 9), _where(e)))
    raise RequestRejected(_RET_CODES.get(str(first.validator), BAD_VALUE), _describe(first))


def check_schema(pointer: str, instance: Any) -> None:
    """Raise ValueError when ``instance`` breaks the component schema at ``pointer`` (for self-checks)."""
    error = next(iter(_validator(pointer).iter_errors(instance)), None)
    if error is not None:
        raise ValueError(f"{pointer}: {_describe(error)}")
