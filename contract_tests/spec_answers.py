"""Answers built from the spec alone (the shipped openapi.json), for tests that need a valid answer to an
operation and the ways to spoil it: independent of the client's own schema checks and models.

``full_answer`` fills every property the schema declares (lists with one row); ``faults`` walks that answer
with its schema and lists, per field: removing it when it is required, ``null`` for a list that may not be
null, and a value of another JSON type.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import httpx
from callbot_client import models

from ._support import documented_sign

Json = Any
Path = tuple[str | int, ...]


@cache
def spec() -> dict[str, Any]:
    text = resources.files("callbot_client").joinpath("openapi.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Operation:
    operation_id: str
    path: str
    method: str  # the Python method of Callbot / AsyncCallbot
    request_schema: dict[str, Any]
    response_schema: dict[str, Any]


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def operations() -> list[Operation]:
    """Every operation of the spec, in its order."""
    found = []
    for path, methods in spec()["paths"].items():
        for item in methods.values():
            if isinstance(item, dict) and "operationId" in item:
                request = item["requestBody"]["content"]["application/json"]["schema"]
                response = item["responses"]["200"]["content"]["application/json"]["schema"]
                found.append(Operation(item["operationId"], path, snake(item["operationId"]), request, response))
    return found


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its $ref followed and an allOf merged into one object schema."""
    while "$ref" in schema:
        node: Any = spec()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            sub = resolve(part)
            merged["properties"].update(sub.get("properties", {}))
            merged["required"] += [name for name in sub.get("required", []) if name not in merged["required"]]
        return merged
    return schema


def types_of(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if declared is None:
        return ["object"] if "properties" in schema else []
    return [declared] if isinstance(declared, str) else list(declared)


def _leaf(kinds: list[str]) -> Json:
    kind = next((k for k in kinds if k != "null"), "null")
    return {"string": "x", "integer": 0, "number": 0.5, "boolean": True, "object": {}, "null": None}[kind]


def full_answer(schema: dict[str, Any], depth: int = 0) -> Json:
    """A value that fits ``schema`` with every declared property present; retCode and code are 0."""
    schema = resolve(schema)
    if depth > 12:
        raise RecursionError("the schema nests deeper than any Callbot answer")
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kinds = types_of(schema)
    if "object" in kinds and "properties" in schema:
        return {name: full_answer(sub, depth + 1) for name, sub in schema["properties"].items()}
    if "array" in kinds:
        return [full_answer(schema["items"], depth + 1)] if "items" in schema else []
    return _leaf(kinds)


def minimal(schema: dict[str, Any], depth: int = 0) -> Json:
    """A value that fits ``schema`` with only its required properties (a request body, say)."""
    schema = resolve(schema)
    if depth > 12:
        raise RecursionError("the schema nests deeper than any Callbot body")
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kinds = types_of(schema)
    if "object" in kinds and "properties" in schema:
        required = schema.get("required", [])
        return {name: minimal(sub, depth + 1) for name, sub in schema["properties"].items() if name in required}
    if "array" in kinds:
        return []
    return _leaf(kinds)


@dataclass(frozen=True)
class Field:
    path: Path
    schema: dict[str, Any]
    required: bool


def fields(schema: dict[str, Any], value: Json, path: Path = ()) -> list[Field]:
    """Every field of ``value`` (a ``full_answer`` of ``schema``) with its schema, depth first."""
    schema = resolve(schema)
    found: list[Field] = []
    if isinstance(value, dict) and "properties" in schema:
        required = set(schema.get("required", []))
        for name, sub in schema["properties"].items():
            if name in value:
                found.append(Field((*path, name), resolve(sub), name in required))
                found += fields(sub, value[name], (*path, name))
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += fields(schema["items"], item, (*path, index))
    return found


def _wrong_value(schema: dict[str, Any]) -> Json:
    """A value of a JSON type the schema does not allow."""
    kinds = set(types_of(schema))
    for candidate in ("abc", 12345, {"unexpected": "object"}, ["unexpected"], False):
        kind = {str: "string", int: "integer", dict: "object", list: "array", bool: "boolean"}[type(candidate)]
        if kind not in kinds and not (kind == "integer" and "number" in kinds):
            return candidate
    raise AssertionError(f"no wrong type for {schema}")


@dataclass(frozen=True)
class Fault:
    kind: str  # "missing", "null list", "wrong type"
    path: Path
    answer: Json

    @property
    def where(self) -> str:
        """The path as the client names fields: JSON names and row indexes joined by '/'."""
        return "/".join(str(part) for part in self.path)

    @property
    def parent(self) -> str:
        return "/".join(str(part) for part in self.path[:-1]) or "(the body)"


def _set(answer: Json, path: Path, value: Json, *, remove: bool = False) -> Json:
    spoiled = copy.deepcopy(answer)
    node = spoiled
    for part in path[:-1]:
        node = node[part]
    if remove:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return spoiled


def faults(operation: Operation) -> list[Fault]:
    """Each way to spoil the full answer of ``operation`` that its schema forbids."""
    answer = full_answer(operation.response_schema)
    found = []
    for field in fields(operation.response_schema, answer):
        kinds = types_of(field.schema)
        if not kinds:
            continue  # a schema without a type allows anything
        if field.required:
            found.append(Fault("missing", field.path, _set(answer, field.path, None, remove=True)))
        if "array" in kinds and "null" not in kinds:
            found.append(Fault("null list", field.path, _set(answer, field.path, None)))
        found.append(Fault("wrong type", field.path, _set(answer, field.path, _wrong_value(field.schema))))
    return found


def enum_fields(operation: Operation) -> list[Field]:
    """The fields of the operation's answer whose schema lists the values allowed."""
    answer = full_answer(operation.response_schema)
    return [field for field in fields(operation.response_schema, answer) if "enum" in field.schema]


class SignedAnswers:
    """A MockTransport handler: answers every request with ``self.answer``, signed as the service signs for
    the account ``uuid`` with ``secret`` (MD5); ``self.requests`` keeps what came."""

    def __init__(self, uuid: str, secret: str) -> None:
        self.uuid = uuid
        self.secret = secret
        self.answer: Any = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.dumps(self.answer).encode()
        headers = {"requestID": request.headers["requestID"], "uuid": self.uuid, "createTs": str(int(time.time()))}
        headers["sign"] = documented_sign(
            self.secret, body, headers["createTs"], headers["requestID"], self.uuid, "MD5"
        )
        return httpx.Response(200, content=body, headers={**headers, "Content-Type": "application/json"})


def call(client: Any, operation: Operation) -> Any:
    """Call the operation's method of a ``Callbot`` with a minimal valid body built from its request schema."""
    request_model = getattr(models, operation.request_schema["$ref"].rsplit("/", 1)[1])
    body = request_model.from_dict(minimal(operation.request_schema))
    method = getattr(client, operation.method)
    parameters = inspect.signature(method).parameters
    return method(**{name: getattr(body, name) for name in parameters if hasattr(body, name)})
