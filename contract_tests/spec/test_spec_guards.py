"""Guards against whole classes of spec defects, not single rows.

1. Every schema holds only JSON Schema / OpenAPI keywords and ``x-`` extensions: a YAML flow mapping cut at
   a comma (``{description: a, b.}``) turns into a stray key ``"b.": null`` and is caught here.
2. Every required-or-optional decision, enum and limit in the spec is either a documented fact (the table
   below, each row with the wiki page it comes from) or sits under an ``x-assumption`` that says why.
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

from ..from_spec import spec_operations
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


# --- 2. documented or assumed ------------------------------------------------------------------------------

STOP_ORDER = "Callbot API stopOrder (reference/000_78efcdfb2e90bd37.txt)"
PING = "Callbot API Ping"
COMMON_HEADERS = "the common response headers of every page (Callbot API Authorization; stopOrder)"


def rows(where: str, page: str, fields: list[tuple[str, bool]]) -> dict[tuple[str, str], tuple[bool, str]]:
    return {(where, name): (required, page) for name, required in fields}


ADD_BATCH_ORDER_BODY = [
    ("productID", True),
    ("userTaskID", True),
    ("callInfoList", True),
    ("callInfoList.orderCallbackUrl", True),
    ("callInfoList.callCallbackUrl", True),
    ("callInfoList.callList", True),
    ("callInfoList.callList[].orderID", True),
    ("callInfoList.callList[].userPhone", True),
]
CALLBACK_ROWS = [
    ("callbackType", True),
    ("orderID", True),
    ("userPhone", True),
    ("userName", True),
    ("sceneID", True),
    ("userTaskID", True),
    ("taskID", True),
]
TASK_STAT = ["answerOrderCount", "finishOrderCount", "totalOrderCount", "finishRate", "totalAnswerCall", "totalCall"]
#: Every operation of the spec: the common response headers are documented for every answer, a new
#: operation's included.
OPERATIONS = list(spec_operations())

#: (where, field): (required, wiki page). "where" is "<operationId> request|response" or "webhook <name>
#: payload|header"; a field is a dotted path ("a.b", "a[].b") or "header <name>". Summarised in the facts file
#: (reference/callbot-api-facts.md), each from the page named.
DOCUMENTED_REQUIRED: dict[tuple[str, str], tuple[bool, str]] = {
    **rows("ping request", PING, [("data", True)]),
    **rows("ping response", PING, [(name, True) for name in ("data", "timestamp", "code", "msg", "reqId")]),
    **rows("createTask request", "Callbot API createTask (first rows)", [
        ("productID", True), ("userTaskID", True), ("sceneID", True)]),
    **rows("addBatchCall request", "Callbot API addBatchOrder (up to params)", ADD_BATCH_ORDER_BODY),
    **rows("importBatchCall request", "Callbot API batchImportCall (body identical to addBatchCall)",
           ADD_BATCH_ORDER_BODY),
    **rows("mgrTaskStatus request", "Callbot API mgrTaskStatus", [
        ("productID", True), ("userTaskID", True), ("taskOperate", True), ("delCall", False)]),
    **rows("listTask request", "Callbot API taskList", [
        ("productID", True), ("page", True), ("size", True), ("queryConditions", True),
        *((f"queryConditions.{name}", False)
          for name in ("taskStatus", "taskName", "sceneID", "userTaskID", "startTs", "endTs"))]),
    **rows("listCall request", "Callbot API callList (Chinese, up to intentName)", [
        ("productID", True), ("userTaskID", True), ("options", True), ("options.callID", False)]),
    **rows("listOrder request", "Callbot API orderList (up to turnTime.enable)", [
        ("productID", True), ("userTaskID", True), ("options", True),
        *((f"options.{name}", False) for name in ("orderID", "intentID", "intentName", "intentTag"))]),
    **rows("stopOrder request", STOP_ORDER, [
        ("productID", True), ("userTaskID", True), ("orderIDs", True), ("delCall", False)]),
    **rows("stopOrder response", STOP_ORDER, [
        *((name, True) for name in ("retCode", "retMsg", "responseID", "totalCount", "successCount", "errList")),
        ("errList[].orderID", True), ("errList[].errMsg", True)]),
    **rows("listOrderDetail request", "Callbot API orderDetailList", [
        ("productID", True), ("userTaskID", True), ("orderList", True)]),
    **rows("listCall request", "Callbot API callList", [("header Accept-Encoding", False)]),
    **rows("exportBatchCall request", "Callbot API batchExportCall", [("header Accept-Encoding", False)]),
    **rows("importBatchCall request", "Callbot API batchImportCall", [("header Content-Encoding", False)]),
    **rows("webhook callCallback payload", "Callbot API callCallback (Chinese table, up to other)", [
        *CALLBACK_ROWS, ("finish", True), ("other", True)]),
    **rows("webhook orderCallback payload", "Callbot API orderCallback (up to taskID)", CALLBACK_ROWS),
    **rows("webhook taskCallback payload", "Callbot API taskCallback", [
        *((name, True) for name in ("callbackType", "userTaskID", "taskID", "sceneID", "taskStatus", "createTs",
                                    "taskStat", "taskStat.answerRate")),
        *((f"taskStat.{name}", True) for name in TASK_STAT)]),
    **{
        (f"webhook {name} header", f"header {header}"): (True, f"Callbot API {name}")
        for name in ("callCallback", "orderCallback", "taskCallback")
        for header in ("requestID", "uuid", "createTs", "sign")
    },
    **{
        (f"{operation} response", f"header {header}"): (header != "algorithm", COMMON_HEADERS)
        for operation in OPERATIONS
        for header in ("requestID", "uuid", "createTs", "sign", "algorithm")
    },
}  # fmt: skip
#: (where, field): (values, wiki page).
DOCUMENTED_ENUMS: dict[tuple[str, str], tuple[list[Any], str]] = {
    ("mgrTaskStatus request", "taskOperate"): ([1, 2, 3], "Callbot API mgrTaskStatus"),
    ("mgrTaskStatus request", "delCall"): ([0, 1], "Callbot API mgrTaskStatus"),
    ("stopOrder request", "delCall"): ([0, 1], STOP_ORDER),
    ("listTask request", "queryConditions.taskStatus[]"): ([1, 2, 3, 4, 5], "Callbot API taskList"),
    ("importBatchCall request", "header Content-Encoding"): (["gzip"], "Callbot API batchImportCall"),
    **{(f"{operation} response", "header algorithm"): (["MD5", "SHA256"], COMMON_HEADERS) for operation in OPERATIONS},
}
#: (where, field): ({keyword: value}, wiki page).
DOCUMENTED_LIMITS: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
    ("listOrderDetail request", "orderList"): ({"maxItems": 500}, "Callbot API orderDetailList"),
}
LIMIT_KEYWORDS = (
    "maxItems", "minItems", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "maxLength",
    "minLength", "pattern", "maxProperties", "minProperties", "uniqueItems", "multipleOf",
)  # fmt: skip


class Walk:
    """Every field reached from the operations and webhooks, checked against the tables above or an
    x-assumption: on the field itself, on the object that declares it (or an allOf part of it), or on a
    schema above it in the same inline nesting. A note does not reach through a $ref: the schema referred to
    needs its own (what the listTask example left unknown is not what the taskCallback table documents)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.problems: list[str] = []
        self.seen: set[tuple[str, str]] = set()
        self.refs: set[str] = set()

    def chain(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        """The node and what its $refs lead to."""
        nodes = [node]
        while "$ref" in nodes[-1]:
            ref = nodes[-1]["$ref"]
            self.refs.add(ref)
            target: Any = self.spec
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            nodes.append(target)
        return nodes

    def merged(self, node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The schema with refs followed and allOf/oneOf/anyOf parts merged, and whether any part assumes."""
        nodes = self.chain(node)
        assumed = any("x-assumption" in item for item in nodes)
        out = {key: value for key, value in nodes[-1].items() if key not in ("allOf", "oneOf", "anyOf")}
        for key in ("allOf", "oneOf", "anyOf"):
            for part in nodes[-1].get(key, []):
                inner, part_assumed = self.merged(part)
                assumed = assumed or part_assumed
                out["properties"] = {**inner.get("properties", {}), **out.get("properties", {})}
                if key == "allOf":
                    out["required"] = [*out.get("required", []), *inner.get("required", [])]
                for name, value in inner.items():
                    out.setdefault(name, value)
        return out, assumed

    def check(self, where: str, path: str, node: dict[str, Any], required: bool | None, covered: bool) -> None:
        """``covered``: an x-assumption above this field says why its flags are what they are."""
        key = (where, path)
        self.seen.add(key)
        own_note = "x-assumption" in node
        if required is not None:
            documented = DOCUMENTED_REQUIRED.get(key)
            if documented is not None:
                if documented[0] != required:
                    self.problems.append(
                        f"{where} {path}: required={required}, but {documented[1]} says {documented[0]}"
                    )
            elif not (covered or own_note):
                self.problems.append(
                    f"{where} {path}: {'required' if required else 'optional'} without a fact or an x-assumption"
                )
        schema, assumed = self.merged(node)
        # A note covers what its schema declares inline, not what it refers to: a referred schema brings its own.
        content_covered = (covered and "$ref" not in node) or assumed
        if "enum" in schema:
            enum = DOCUMENTED_ENUMS.get(key)
            if enum is not None:
                if enum[0] != schema["enum"]:
                    self.problems.append(f"{where} {path}: enum {schema['enum']}, but {enum[1]} says {enum[0]}")
            elif not content_covered:
                self.problems.append(f"{where} {path}: enum {schema['enum']} without a fact or an x-assumption")
        limits = {name: schema[name] for name in LIMIT_KEYWORDS if name in schema}
        if limits:
            limit = DOCUMENTED_LIMITS.get(key)
            if limit is not None:
                if limit[0] != limits:
                    self.problems.append(f"{where} {path}: limits {limits}, but {limit[1]} says {limit[0]}")
            elif not content_covered:
                self.problems.append(f"{where} {path}: limits {limits} without a fact or an x-assumption")
        needed = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            self.check(where, f"{path}.{name}" if path else name, sub, name in needed, content_covered)
        if isinstance(schema.get("items"), dict):
            self.check(where, f"{path}[]", schema["items"], None, content_covered)

    def headers(self, where: str, items: Any) -> None:
        entries = items.items() if isinstance(items, dict) else ((item.get("name"), item) for item in items or [])
        for name, raw in entries:
            header = self.chain(raw)[-1]
            if isinstance(items, list) and header.get("in") != "header":
                continue
            covered = any("x-assumption" in item for item in self.chain(raw))
            self.check(where, f"header {name or header['name']}", {**header.get("schema", {}),
                       **({"x-assumption": "on the header"} if covered else {})},
                       bool(header.get("required", False)), False)  # fmt: skip

    def run(self) -> Walk:
        for name, item in self.spec["paths"].items():
            operation = item["post"]
            label = operation["operationId"]
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            self.check(f"{label} request", "", body, None, False)
            self.headers(f"{label} request", operation.get("parameters", []))
            answer = operation["responses"]["200"]
            self.check(f"{label} response", "", answer["content"]["application/json"]["schema"], None, False)
            self.headers(f"{label} response", answer["headers"])
            assert name.endswith(label)
        for name, item in self.spec["webhooks"].items():
            operation = item["post"]
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            self.check(f"webhook {name} payload", "", body, None, False)
            self.headers(f"webhook {name} header", operation.get("parameters", []))
        return self


#: Schemas copied into the bodies by YAML anchors (&productID, &userTaskID) rather than referred to.
ANCHORED = {"ProductID", "UserTaskID"}


def test_every_component_schema_is_reached_from_an_operation(spec: dict[str, Any]) -> None:
    walk = Walk(spec).run()
    names = set(spec["components"]["schemas"]) - ANCHORED
    assert {f"#/components/schemas/{name}" for name in names} <= walk.refs


def test_every_flag_enum_and_limit_is_documented_or_assumed(spec: dict[str, Any]) -> None:
    walk = Walk(spec).run()
    assert walk.problems == [], "\n".join(walk.problems)


def test_every_documented_fact_is_found_in_the_spec(spec: dict[str, Any]) -> None:
    walk = Walk(spec).run()
    facts = {*DOCUMENTED_REQUIRED, *DOCUMENTED_ENUMS, *DOCUMENTED_LIMITS}
    assert sorted(facts - walk.seen) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s["components"]["schemas"]["StopOrderRequest"]["required"].remove("orderIDs"),
         "stopOrder request orderIDs: required=False, but Callbot API stopOrder"),
        (lambda s: s["components"]["schemas"]["TaskCallback"]["properties"].update(extra={"type": "string"}),
         "webhook taskCallback payload extra: optional without a fact or an x-assumption"),
        (lambda s: s["components"]["schemas"]["StopOrderRequest"]["properties"]["orderIDs"].update(maxItems=10),
         None),  # orderIDs carries an x-assumption (no limit documented): a limit there is covered
        (lambda s: s["components"]["schemas"]["PingRequest"]["properties"]["data"].update(maxLength=10),
         "ping request data: limits {'maxLength': 10} without a fact or an x-assumption"),
        (lambda s: s["components"]["schemas"]["TaskOperate"].update(enum=[1, 2]),
         "mgrTaskStatus request taskOperate: enum [1, 2], but Callbot API mgrTaskStatus says [1, 2, 3]"),
    ],
    ids=["documented flag changed", "guessed flag", "assumed limit", "guessed limit", "documented enum changed"],
)  # fmt: skip
def test_the_guard_names_what_is_neither_documented_nor_assumed(
    spec: dict[str, Any], change: Any, problem: str | None
) -> None:
    import copy

    changed = copy.deepcopy(spec)
    change(changed)
    problems = Walk(changed).run().problems
    if problem is None:
        assert problems == []
    else:
        assert any(problem in line for line in problems), problems


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
