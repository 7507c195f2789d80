"""Guards against whole classes of spec defects, not single rows.

1. Every schema holds only JSON Schema / OpenAPI keywords and ``x-`` extensions: a YAML flow mapping cut at
   a comma (``{description: a, b.}``) turns into a stray key ``"b.": null`` and is caught here.
2. (test_spec_documented_or_assumed.py: every decision in the spec is a documented fact or an assumption.)
3. Links hold runtime expressions only where OpenAPI evaluates them (a whole ``requestBody`` or parameter
   value), never inside a literal object; the fields a link sets in the target's body are in its
   ``x-request-body-fields``, each naming a field of the target's request and a value the source has.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis

from ..schemathesis_hooks import LINK_BODY_FIELDS, links

# --- 1. keywords -------------------------------------------------------------------------------------------

JSON_SCHEMA_KEYWORDS = frozenset(
    {
        # core
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary", "$comment", "$defs",
        # applicators
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items",
        "contains", "properties", "patternProperties", "additionalProperties", "propertyNames",
        "unevaluatedItems", "unevaluatedProperties",
        # validation
        "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
        "maxProperties", "minProperties", "required", "dependentRequired",
        # format, content, meta-data
        "format", "contentEncoding", "contentMediaType", "contentSchema",
        "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
    }
)  # fmt: skip
OPENAPI_SCHEMA_KEYWORDS = frozenset({"discriminator", "xml", "externalDocs", "example"})
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_VALUES = (
    "items", "contains", "not", "if", "then", "else", "additionalProperties", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema",
)  # fmt: skip


def subschemas(schema: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The schema and every schema nested in it, with their JSON pointers."""
    yield pointer, schema
    for key in SCHEMA_MAPS:
        for name, sub in (schema.get(key) or {}).items():
            yield from subschemas(sub, f"{pointer}/{key}/{name}")
    for key in SCHEMA_LISTS:
        for index, sub in enumerate(schema.get(key) or []):
            yield from subschemas(sub, f"{pointer}/{key}/{index}")
    for key in SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], f"{pointer}/{key}")


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for group in ("paths", "webhooks"):
        for name, item in spec.get(group, {}).items():
            for method, operation in item.items():
                yield f"/{group}/{name}/{method}", operation


def every_schema(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema of the document: components, parameters, headers, bodies and answers, and what they nest."""
    components = spec.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield from subschemas(schema, f"/components/schemas/{name}")
    for kind in ("headers", "parameters"):
        for name, item in components.get(kind, {}).items():
            yield from subschemas(item.get("schema", {}), f"/components/{kind}/{name}/schema")
    for pointer, operation in _operations(spec):
        for index, parameter in enumerate(operation.get("parameters", [])):
            if "schema" in parameter:
                yield from subschemas(parameter["schema"], f"{pointer}/parameters/{index}/schema")
        for media, content in operation.get("requestBody", {}).get("content", {}).items():
            yield from subschemas(content["schema"], f"{pointer}/requestBody/content/{media}/schema")
        for status, response in operation.get("responses", {}).items():
            for media, content in response.get("content", {}).items():
                yield from subschemas(content["schema"], f"{pointer}/responses/{status}/content/{media}/schema")
            for name, header in response.get("headers", {}).items():
                if "schema" in header:
                    yield from subschemas(header["schema"], f"{pointer}/responses/{status}/headers/{name}/schema")


def test_the_walk_reaches_every_component_schema_and_the_inline_ones(spec: dict[str, Any]) -> None:
    pointers = [pointer for pointer, _ in every_schema(spec)]
    assert {f"/components/schemas/{name}" for name in spec["components"]["schemas"]} <= set(pointers)
    assert any("/requestBody/" in pointer for pointer in pointers)
    assert len(pointers) > 300


def test_every_schema_holds_only_keywords_and_extensions(spec: dict[str, Any]) -> None:
    allowed = JSON_SCHEMA_KEYWORDS | OPENAPI_SCHEMA_KEYWORDS
    stray = [
        f"{pointer}: {key!r}"
        for pointer, schema in every_schema(spec)
        for key in schema
        if key not in allowed and not str(key).startswith("x-")
    ]
    assert stray == [], "not keywords (a YAML flow mapping cut at a comma? quote the value):\n" + "\n".join(stray)


def test_a_cut_flow_mapping_is_caught() -> None:
    import yaml

    cut = yaml.safe_load("{type: number, description: finishOrderCount / totalOrderCount, 2 decimals.}")
    assert cut == {"type": "number", "description": "finishOrderCount / totalOrderCount", "2 decimals.": None}
    assert [key for _, schema in subschemas(cut, "") for key in schema if key not in JSON_SCHEMA_KEYWORDS]


def nulls(node: Any, pointer: str = "") -> Iterator[str]:
    """Keys whose value is null, outside the places where null is a value (examples, defaults, enums)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("example", "examples", "default", "const", "enum"):
                continue
            if value is None:
                yield f"{pointer}/{key}"
            yield from nulls(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from nulls(item, f"{pointer}/{index}")


def test_no_key_of_the_document_is_null(spec: dict[str, Any]) -> None:
    assert list(nulls(spec)) == []


# --- 3. links ----------------------------------------------------------------------------------------------

#: A runtime expression as OpenAPI 3.1 defines it ($url, $method, $statusCode, $request.*, $response.*).
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
RUNTIME_EXPRESSION = re.compile(
    rf"\$(?:url|method|statusCode|(?:request|response)\.(?:header\.{_TOKEN}|body(?:#(?:/[^/{{}}]*)*)?)"
    rf"|request\.(?:path|query)\.{_TOKEN})"
)
#: The same inside a string, the form ``{$request.body#/id}`` a string value may embed.
EMBEDDED_EXPRESSION = re.compile(r"\$(?:url|method|statusCode|request\.|response\.)")


def _strings(value: Any, pointer: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{pointer}/{index}")


def link_problems(spec: dict[str, Any]) -> list[str]:
    """Runtime expressions where OpenAPI does not evaluate them: inside a literal requestBody or parameter
    value (an object or a list), and whole-string values that start like an expression but are not one."""
    problems = []
    for pointer, link in links(spec):
        values = {"requestBody": link.get("requestBody")} if "requestBody" in link else {}
        values.update({f"parameters/{name}": value for name, value in (link.get("parameters") or {}).items()})
        for where, value in values.items():
            for inner, text in _strings(value, f"{pointer}/{where}"):
                if not isinstance(value, str) and EMBEDDED_EXPRESSION.search(text):
                    problems.append(
                        f"{inner}: {text!r} is a runtime expression inside a literal, which OpenAPI does not "
                        f"evaluate: give the whole value as one expression, or the body fields in {LINK_BODY_FIELDS}"
                    )
                elif text.startswith("$") and not RUNTIME_EXPRESSION.fullmatch(text):
                    problems.append(f"{inner}: {text!r} is not a runtime expression")
    return problems


def test_links_hold_no_runtime_expression_inside_a_literal(spec: dict[str, Any]) -> None:
    assert link_problems(spec) == []


@pytest.mark.parametrize(
    ("link", "found"),
    [
        ({"requestBody": {"userTaskID": "$request.body#/userTaskID"}}, "/requestBody/userTaskID"),
        ({"requestBody": {"orderIDs": ["$response.body#/orderList/0/orderID"]}}, "/requestBody/orderIDs/0"),
        ({"parameters": {"ids": ["$request.body#/ids"]}}, "/parameters/ids/0"),
        ({"requestBody": {"name": "task-{$request.body#/userTaskID}"}}, "/requestBody/name"),
        ({"requestBody": "$response.body#/orderList/0"}, None),
        ({"requestBody": {"taskOperate": 1, "options": {}}}, None),
        ({"parameters": {"userTaskID": "$request.body#/userTaskID"}}, None),
        ({"parameters": {"userTaskID": "$request.bod#/userTaskID"}}, "is not a runtime expression"),
    ],
    ids=["field", "list item", "parameter list", "embedded", "whole body", "constants", "whole parameter",
         "misspelt"],
)  # fmt: skip
def test_a_runtime_expression_inside_a_literal_link_value_is_caught(link: dict[str, Any], found: str | None) -> None:
    spec = {"paths": {"/a": {"post": {"responses": {"200": {"links": {"Next": {"operationId": "b", **link}}}}}}}}
    problems = link_problems(spec)
    if found is None:
        assert problems == []
    else:
        assert len(problems) == 1 and found in problems[0], problems


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    for _ in range(20):  # a $ref chain is short; the bound keeps a cycle from hanging the test
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    raise AssertionError(f"a $ref cycle at {schema}")


def schema_at(spec: dict[str, Any], schema: Any, path: list[str]) -> Any:
    """The schema of the value at ``path`` (JSON pointer segments) of an instance of ``schema``; None when the
    schema has no such field (through $ref, allOf and array items)."""
    schema = _resolve(spec, schema)
    if not path:
        return schema
    if not isinstance(schema, dict):
        return None
    head, rest = path[0], path[1:]
    for branch in schema.get("allOf", []):
        found = schema_at(spec, branch, path)
        if found is not None:
            return found
    if head.isdigit() and "items" in schema:
        return schema_at(spec, schema["items"], rest)
    if head in schema.get("properties", {}):
        return schema_at(spec, schema["properties"][head], rest)
    return None


def _operation(spec: dict[str, Any], operation_id: str) -> dict[str, Any]:
    found = [op for item in spec["paths"].values() for op in item.values() if op.get("operationId") == operation_id]
    assert len(found) == 1, f"operationId {operation_id} names {len(found)} operations"
    operation: dict[str, Any] = found[0]
    return operation


def _body_schema(operation: dict[str, Any]) -> Any:
    return operation["requestBody"]["content"]["application/json"]["schema"]


def link_field_problems(spec: dict[str, Any]) -> tuple[int, list[str]]:
    """(links with body fields, problems): a field the target's request does not have, a value that is
    neither a constant nor a pointer into the source's request or 200 answer schema."""
    problems, seen = [], 0
    for pointer, link in links(spec):
        fields = link.get(LINK_BODY_FIELDS)
        if fields is None:
            continue
        seen += 1
        segments = pointer.split("/")
        source = spec["paths"][segments[2].replace("~1", "/").replace("~0", "~")][segments[3]]
        answer = source["responses"][segments[5]]["content"]["application/json"]["schema"]
        target = _body_schema(_operation(spec, link["operationId"]))
        for field in fields:
            if schema_at(spec, target, [field]) is None:
                problems.append(f"{pointer}: {field} is not a field of {link['operationId']}'s request")
        for where, text in _strings(fields, f"{pointer}/{LINK_BODY_FIELDS}"):
            if not text.startswith("$"):
                continue
            match = re.fullmatch(r"\$(request|response)\.body#((?:/[^/]*)*)", text)
            if match is None:
                problems.append(f"{where}: {text!r} is not a $request.body or $response.body pointer")
            elif (
                schema_at(spec, _body_schema(source) if match[1] == "request" else answer, match[2].split("/")[1:])
                is None
            ):
                problems.append(f"{where}: {text!r} points to no field of the {match[1]} schema")
    return seen, problems


def test_every_link_body_field_names_a_target_field_and_a_value_the_source_has(spec: dict[str, Any]) -> None:
    seen, problems = link_field_problems(spec)
    assert seen >= 5 and problems == [], problems


ADD_ORDERS = "/paths/~1callcentre~1api~1v3~1createTask/post/responses/200/links/AddOrders"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"userTaskId": "$request.body#/userTaskID"}, "userTaskId is not a field of addBatchCall's request"),
        ({"userTaskID": "$request.body#/taskID"}, "'$request.body#/taskID' points to no field of the request"),
        ({"userTaskID": "$response.body#/userTaskID"}, "points to no field of the response schema"),
        ({"userTaskID": "$request.header.uuid"}, "is not a $request.body or $response.body pointer"),
    ],
    ids=["target field misspelt", "source field misspelt", "answer has no such field", "not a body pointer"],
)
def test_a_link_body_field_that_points_nowhere_is_caught(spec: dict[str, Any], fields: Any, problem: str) -> None:
    changed = copy.deepcopy(spec)
    [link] = [link for pointer, link in links(changed) if pointer == ADD_ORDERS]
    link[LINK_BODY_FIELDS] = fields
    _, problems = link_field_problems(changed)
    assert len(problems) == 1 and problem in problems[0], problems


def test_the_contract_run_hands_the_link_fields_to_schemathesis(spec: dict[str, Any]) -> None:
    """schemathesis_hooks' before_load_schema makes them each link's requestBody when schemathesis loads."""
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(spec)).raw_schema
    with_fields = [(pointer, link) for pointer, link in links(loaded) if LINK_BODY_FIELDS in link]
    assert len(with_fields) >= 5
    assert all(link["requestBody"] == link[LINK_BODY_FIELDS] for _, link in with_fields)
    assert all("requestBody" not in link for _, link in links(spec))
