"""What the sandbox reads from a spec: its operations, the checks of their requests, and answers built from it.

By default the spec shipped with the generated client (generated/callbot_client/openapi.json, through
``callbot_signing.wire.shipped_spec``); :class:`ServedSpec` takes any other (a test's copy with one more
operation). Every POST operation of the spec is served: the request is checked against its schema, and an
operation the sandbox keeps no state for is answered with its example, else the smallest instance of its
answer's schema, with a success envelope (:meth:`ServedSpec.answer`).

The schemas are compiled once with ``jsonschema-rs`` (JSON Schema 2020-12, as the spec declares): a
10,000-order import is checked within a request's budget, where pure-Python validation is not. A number
``format`` of the spec (``int64``, ``double``, ``float``, ``int32``) is checked as the range it names.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema_rs
from callbot_signing.wire import PING_KEYS, STANDARD_KEYS, schema_errors, shipped_spec

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
#: The range each number format of OpenAPI names (``format`` alone is an annotation in JSON Schema).
FORMAT_RANGES: dict[str, tuple[str, float]] = {
    "int32": ("integer", 2**31),
    "int64": ("integer", 2**63),
    "float": ("number", 3.4028234663852886e38),
    "double": ("number", 1.7976931348623157e308),
}
#: A schema nested deeper than this (through its $refs) is not one an answer can be built from.
_MAX_SCHEMA_DEPTH = 64
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


class RequestRejected(Exception):
    """The request cannot be served; ``ret_code`` and ``ret_msg`` go into the response envelope.

    ``state``: refused for what the account holds (a task that does not exist, an ID already used, a task
    whose status forbids it, busy), not for the request's form: a schema-valid request may get it."""

    def __init__(self, ret_code: int, ret_msg: str, *, state: bool = False) -> None:
        super().__init__(ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.state = state


@dataclass(frozen=True)
class Operation:
    """One operation of the spec, as the sandbox serves it."""

    operation_id: str
    path: str
    method: str
    #: JSON pointer of its request body's schema (None: it takes no JSON body).
    request_pointer: str | None
    #: JSON pointer of its 200 answer's schema.
    answer_pointer: str | None
    #: The envelope keys (code, message, id) of its answer: retCode/retMsg/responseID, or Ping's.
    keys: tuple[str, str, str]
    #: Whether its page allows a gzip-compressed request body (a Content-Encoding header parameter).
    gzip_body: bool


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in ("#", *parts))


def _with_format_ranges(node: Any) -> Any:
    """``node`` (a copy) with each number ``format`` of FORMAT_RANGES also written as the minimum and maximum
    it names, unless the schema sets a tighter one."""
    if isinstance(node, list):
        return [_with_format_ranges(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _with_format_ranges(value) for key, value in node.items()}
    fmt = out.get("format")
    if isinstance(fmt, str) and fmt in FORMAT_RANGES:
        kind, bound = FORMAT_RANGES[fmt]
        types = out.get("type")
        if kind == types or (isinstance(types, list) and kind in types) or (kind == "number" and types == "integer"):
            low, high = (-bound, bound - 1) if kind == "integer" else (-bound, bound)
            if not isinstance(out.get("minimum"), int | float) or out["minimum"] < low:
                out["minimum"] = int(low) if kind == "integer" else low
            if not isinstance(out.get("maximum"), int | float) or out["maximum"] > high:
                out["maximum"] = int(high) if kind == "integer" else high
    return out


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
    errors = schema_errors(validator, instance, _MAX_ERRORS)  # only the first of a large instance
    if not errors:
        return None
    return min(errors, key=lambda e: (_PRIORITY.get(_keyword(e), 9), _where(e)))


class ServedSpec:
    """A spec as the sandbox serves it. ``spec`` is the OpenAPI document as a dict; it is copied."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.document: dict[str, Any] = copy.deepcopy(dict(spec))
        self._checked = _with_format_ranges(self.document)  # what requests are checked against
        self._validators: dict[tuple[str, bool], Any] = {}
        self.operations: dict[str, Operation] = {}
        for path, item in (self.document.get("paths") or {}).items():
            for method, operation in (item or {}).items():
                if isinstance(operation, dict) and "operationId" in operation:
                    self.operations[operation["operationId"]] = self._operation(path, method, operation)
        #: operationId -> the answer of a success without state (the example, or the smallest instance).
        self._answers = {name: self._answer_of(op) for name, op in self.operations.items()}
        #: operationId -> what a refusal carries besides the envelope (empty values of the required fields).
        self._refusals = {name: self._smallest_answer(op) for name, op in self.operations.items()}

    # --- reading the document ------------------------------------------------------------------------

    def _operation(self, path: str, method: str, operation: dict[str, Any]) -> Operation:
        content = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
        request = _pointer("paths", path, method, "requestBody", "content", "application/json", "schema")
        answer = (((operation.get("responses") or {}).get("200") or {}).get("content") or {}).get("application/json")
        answer_pointer = _pointer("paths", path, method, "responses", "200", "content", "application/json", "schema")
        parameters = [self.resolve(p) for p in operation.get("parameters") or []]
        gzip_body = any(
            p.get("in") == "header" and str(p.get("name", "")).lower() == "content-encoding" for p in parameters
        )
        keys = STANDARD_KEYS
        if answer is not None and "schema" in answer:
            properties = self._properties(answer["schema"])
            keys = PING_KEYS if "code" in properties and "retCode" not in properties else STANDARD_KEYS
        return Operation(
            operation_id=operation["operationId"],
            path=path,
            method=method.upper(),
            request_pointer=request if content is not None and "schema" in content else None,
            answer_pointer=answer_pointer if answer is not None and "schema" in answer else None,
            keys=keys,
            gzip_body=gzip_body,
        )

    def resolve(self, node: Any) -> Any:
        """``node``, or what its ``$ref`` (within the document) points at, followed to the end."""
        for _ in range(_MAX_SCHEMA_DEPTH):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            target: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        raise ValueError(f"$ref chain longer than {_MAX_SCHEMA_DEPTH}")

    def _properties(self, schema: Any, depth: int = 0) -> set[str]:
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > _MAX_SCHEMA_DEPTH:
            return set()
        names = set(schema.get("properties") or {})
        for part in schema.get("allOf") or []:
            names |= self._properties(part, depth + 1)
        return names

    def _validator(self, pointer: str, checked: bool = True) -> Any:
        """A compiled validator of the schema at ``pointer`` ($refs resolved within the spec); ``checked``:
        with the ranges of the number formats (requests), else the document as written (answers)."""
        key = (pointer, checked)
        if key not in self._validators:
            document = self._checked if checked else self.document
            self._validators[key] = jsonschema_rs.validator_for({"$schema": _DRAFT, "$ref": pointer, **document})
        return self._validators[key]

    # --- requests ------------------------------------------------------------------------------------

    def check_body(self, operation: Operation, body: Any) -> None:
        """Raise RequestRejected with the retCode the service uses when ``body`` breaks the spec."""
        if operation.request_pointer is None:
            return
        validator = self._validator(operation.request_pointer)
        try:
            if validator.is_valid(body):
                return
            first = _first_error(validator, body)
        except (ValueError, RecursionError):  # jsonschema-rs cannot build the report of a deeply nested misfit
            too_deep = "the request body is nested too deeply to be checked against the spec"
            raise RequestRejected(BAD_VALUE, too_deep) from None
        raise RequestRejected(_RET_CODES.get(_keyword(first), BAD_VALUE), _describe(first))

    def check_schema(self, pointer: str, instance: Any) -> None:
        """Raise ValueError when ``instance`` breaks the schema at ``pointer`` (as written: for self-checks)."""
        error = _first_error(self._validator(pointer, checked=False), instance)
        if error is not None:
            raise ValueError(f"{pointer}: {_describe(error)}")

    # --- answers -------------------------------------------------------------------------------------

    def answer(self, operation: str, response_id: str) -> dict[str, Any]:
        """A success of ``operation`` that keeps no state: its answer's example (the spec's, when it fits the
        schema), else the smallest instance of the schema, with code 0 and a fresh ``response_id``."""
        keys = self.operations[operation].keys
        body: dict[str, Any] = json.loads(self._answers[operation])
        body.update({keys[0]: 0, keys[1]: "success", keys[2]: response_id})
        return body

    def refusal(self, operation: str, code: int, message: str, response_id: str) -> dict[str, Any]:
        """A refusal of ``operation``: the envelope, plus empty values for what the answer's schema requires."""
        keys = self.operations[operation].keys if operation in self.operations else STANDARD_KEYS
        body: dict[str, Any] = json.loads(self._refusals.get(operation, "{}"))
        body.update({keys[0]: code, keys[1]: message, keys[2]: response_id})
        return body

    def _answer_of(self, operation: Operation) -> str:
        """The JSON of a success answer, checked against the answer's schema; ValueError naming the operation
        when neither its example nor the smallest instance fits (a schema the sandbox cannot fill in)."""
        if operation.answer_pointer is None:
            return json.dumps({operation.keys[0]: 0, operation.keys[1]: "success", operation.keys[2]: ""})
        candidates = [*self._examples(operation), self._smallest_answer(operation)]
        problems = []
        for candidate in candidates:
            body = json.loads(candidate)
            if isinstance(body, dict):
                body.update({operation.keys[0]: 0, operation.keys[1]: "success", operation.keys[2]: "x"})
            try:
                self.check_schema(operation.answer_pointer, body)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            return candidate
        raise ValueError(
            f"the sandbox cannot build an answer of {operation.operation_id} from the spec: neither its example "
            f"nor the smallest instance of its schema fits it ({problems[-1]}); give its 200 answer an example"
        )

    def _examples(self, operation: Operation) -> list[str]:
        response = self.resolve(self.document["paths"][operation.path][operation.method.lower()]["responses"]["200"])
        media = (response.get("content") or {}).get("application/json") or {}
        found = []
        if "example" in media:
            found.append(media["example"])
        found.extend(self.resolve(item).get("value") for item in (media.get("examples") or {}).values())
        schema = self.resolve(media.get("schema"))
        if isinstance(schema, dict):
            found.extend([schema["example"]] if "example" in schema else schema.get("examples") or [])
        return [json.dumps(example) for example in found if isinstance(example, dict)]

    def _smallest_answer(self, operation: Operation) -> str:
        if operation.answer_pointer is None:
            return "{}"
        media = self.document["paths"][operation.path][operation.method.lower()]["responses"]["200"]
        schema = self.resolve(self.resolve(media)["content"]["application/json"]["schema"])
        smallest = self.smallest(schema)
        return json.dumps(smallest if isinstance(smallest, dict) else {})

    def smallest(self, schema: Any, depth: int = 0) -> Any:
        """The smallest instance of ``schema`` (its required parts only): const or the first enum value, an
        object of its required properties, an array of ``minItems`` items, an empty string, the minimum or 0.
        A pattern or format is not honoured: the caller checks the result."""
        if depth > _MAX_SCHEMA_DEPTH:
            raise ValueError(f"the schema is nested deeper than {_MAX_SCHEMA_DEPTH} levels")
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return None
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if schema.get("enum"):
            return copy.deepcopy(schema["enum"][0])
        value: Any = None
        for part in schema.get("allOf") or []:
            value = _merged(value, self.smallest(part, depth + 1))
        for choice in ("oneOf", "anyOf"):
            if schema.get(choice):
                value = _merged(value, self.smallest(schema[choice][0], depth + 1))
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema or "required" in schema else "array" if "items" in schema else ""
        own: Any
        if kind == "object":
            properties = schema.get("properties") or {}
            own = {name: self.smallest(properties.get(name, {}), depth + 1) for name in schema.get("required") or []}
        elif kind == "array":
            own = [self.smallest(schema.get("items", {}), depth + 1) for _ in range(int(schema.get("minItems", 0)))]
        elif kind == "string":
            own = "x" * int(schema.get("minLength", 0))
        elif kind in ("integer", "number"):
            own = _smallest_number(schema, kind)
        elif kind == "boolean":
            own = False
        else:
            own = None
        return _merged(value, own) if value is not None else own


def _smallest_number(schema: dict[str, Any], kind: str) -> int | float:
    """The value nearest 0 within the schema's bounds (the caller checks the result)."""
    step = 1 if kind == "integer" else 0.5
    value: int | float = 0
    bounds = {key: schema.get(key) for key in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum")}
    if isinstance(bounds["minimum"], int | float) and bounds["minimum"] > value:
        value = bounds["minimum"]
    if isinstance(bounds["exclusiveMinimum"], int | float) and bounds["exclusiveMinimum"] >= value:
        value = bounds["exclusiveMinimum"] + step
    if isinstance(bounds["maximum"], int | float) and bounds["maximum"] < value:
        value = bounds["maximum"]
    if isinstance(bounds["exclusiveMaximum"], int | float) and bounds["exclusiveMaximum"] <= value:
        value = bounds["exclusiveMaximum"] - step
    return value


def _merged(first: Any, second: Any) -> Any:
    if isinstance(first, dict) and isinstance(second, dict):
        return {**first, **second}
    return second if first is None else first


@cache
def shipped() -> ServedSpec:
    """The spec shipped with the generated client, read once."""
    return ServedSpec(shipped_spec())


def load_spec() -> dict[str, Any]:
    """The spec shipped with the generated client (generated/callbot_client/openapi.json)."""
    return shipped().document


def request_schema_pointer(path: str) -> str:
    """The JSON pointer of the request schema of the shipped spec's POST operation at ``path``."""
    content = load_spec()["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    pointer: str = content["schema"]["$ref"]
    return pointer


def check_schema(pointer: str, instance: Any) -> None:
    """Raise ValueError when ``instance`` breaks the shipped spec's schema at ``pointer`` (for self-checks)."""
    shipped().check_schema(pointer, instance)
