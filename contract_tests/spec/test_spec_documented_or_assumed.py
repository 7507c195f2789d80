"""Every required-or-optional decision, enum and limit in the spec is either a documented fact (the table below,
each row with the wiki page it comes from) or sits under an ``x-assumption`` that says why."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ..from_spec import spec_operations

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

    changed = copy.deepcopy(spec)
    change(changed)
    problems = Walk(changed).run().problems
    if problem is None:
        assert problems == []
    else:
        assert any(problem in line for line in problems), problems
