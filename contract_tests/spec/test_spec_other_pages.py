"""The spec against the other wiki pages: every section whose table could be read whole, and the readable rows of
the rest (requests, and the task, call and order callbacks)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ..from_spec import WIKI_OPERATIONS
from ..spec_schemas import body_schema, field_at, resolve, wiki_type

STOP_ORDER = "/callcentre/api/v3/stopOrder"


# --- the other pages: every section whose table could be read whole, and the readable rows of the rest ---


# (page, path, rows: field, wiki type, required). "whole" sections are complete tables; the others are the
# rows that could be read before the page was cut (see the facts file's coverage notes).
REQUEST_TABLES = {
    "mgrTaskStatus (whole)": (
        "/callcentre/api/v3/mgrTaskStatus",
        [
            ("productID", "string", True),
            ("userTaskID", "string", True),
            ("taskOperate", "integer", True),
            ("delCall", "integer", False),
        ],
    ),
    "taskList (whole)": (
        "/callcentre/api/v3/listTask",
        [
            ("productID", "string", True),
            ("page", "integer", True),
            ("size", "integer", True),
            ("queryConditions", "object", True),
            ("queryConditions.taskStatus", "[integer]", False),
            ("queryConditions.taskName", "[string]", False),
            ("queryConditions.sceneID", "string", False),
            ("queryConditions.userTaskID", "[string]", False),
            ("queryConditions.startTs", "integer", False),
            ("queryConditions.endTs", "integer", False),
        ],
    ),
    "orderDetailList (whole)": (
        "/callcentre/api/v3/listOrderDetail",
        [("productID", "string", True), ("userTaskID", "string", True), ("orderList", "[string]", True)],
    ),
    "createTask (first rows)": (
        "/callcentre/api/v3/createTask",
        [("productID", "string", True), ("userTaskID", "string", True), ("sceneID", "string", True)],
    ),
    "addBatchOrder (up to params)": (
        "/callcentre/api/v3/addBatchCall",
        [
            ("productID", "string", True),
            ("userTaskID", "string", True),
            ("callInfoList", "object", True),
            ("callInfoList.orderCallbackUrl", "string", True),
            ("callInfoList.callCallbackUrl", "string", True),
            ("callInfoList.callList", "[object]", True),
            ("callInfoList.callList.orderID", "string", True),
            ("callInfoList.callList.userPhone", "string", True),
        ],
    ),
    "orderList (up to turnTime.enable)": (
        "/callcentre/api/v3/listOrder",
        [
            ("productID", "string", True),
            ("userTaskID", "string", True),
            ("options", "object", True),
            ("options.orderID", "[string]|null", False),
            ("options.intentID", "[string]|null", False),
            ("options.intentName", "[string]|null", False),
            ("options.intentTag", "[string]|null", False),
            ("options.turnTime", "object|null", False),
            ("options.turnTime.gt", "integer", False),
            ("options.turnTime.lt", "integer", False),
            ("options.turnTime.enable", "boolean", False),
        ],
    ),
    "callList (up to intentName)": (
        "/callcentre/api/v3/listCall",
        [
            ("productID", "string", True),
            ("userTaskID", "string", True),
            ("options", "object", True),
            ("options.callID", "[string]|null", False),
        ],
    ),
}
ROWS = [(page, path, *row) for page, (path, rows) in REQUEST_TABLES.items() for row in rows]


@pytest.mark.parametrize(("page", "path", "name", "type_", "required"), ROWS)
def test_request_rows_match_their_page(
    spec: dict[str, Any], page: str, path: str, name: str, type_: str, required: bool
) -> None:
    schema, is_required = field_at(spec, body_schema(spec, path), name)
    assert (wiki_type(spec, schema), is_required) == (type_, required)


# Webhook - Task Status: the payload table was readable whole. callbackType is documented as integer; the
# spec also accepts a string (the By Order page sends "1"), an x-assumption checked below.
TASK_CALLBACK_ROWS = [
    ("userTaskID", "string"),
    ("taskID", "string"),
    ("sceneID", "string"),
    ("taskStatus", "integer"),
    ("createTs", "integer"),
    ("taskStat", "object"),
    ("taskStat.answerOrderCount", "integer"),
    ("taskStat.finishOrderCount", "integer"),
    ("taskStat.totalOrderCount", "integer"),
    ("taskStat.finishRate", "number"),
    ("taskStat.totalAnswerCall", "integer"),
    ("taskStat.totalCall", "integer"),
    ("taskStat.answerRate", "number"),
]
# Webhook - By Call / By Order: the rows readable before the pages were cut.
ORDER_CALLBACK_ROWS = [
    ("orderID", "string"),
    ("userPhone", "string"),
    ("userName", "string"),
    ("sceneID", "string"),
    ("userTaskID", "string"),
    ("taskID", "string"),
]


def webhook_schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return resolve(spec, spec["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]["schema"])


@pytest.mark.parametrize(("name", "type_"), TASK_CALLBACK_ROWS)
def test_task_callback_rows_match_the_page(spec: dict[str, Any], name: str, type_: str) -> None:
    schema, is_required = field_at(spec, webhook_schema(spec, "taskCallback"), name)
    assert (wiki_type(spec, schema), is_required) == (type_, True)


# Webhook - By Call: the Chinese table's rows after taskID, readable up to other.
CALL_CALLBACK_ROWS = [("finish", "boolean"), ("other", "string")]


@pytest.mark.parametrize(("name", "type_"), CALL_CALLBACK_ROWS)
def test_call_callback_rows_of_the_chinese_table_match(spec: dict[str, Any], name: str, type_: str) -> None:
    schema, is_required = field_at(spec, webhook_schema(spec, "callCallback"), name)
    assert (wiki_type(spec, schema), is_required) == (type_, True)


@pytest.mark.parametrize("webhook", ["callCallback", "orderCallback"])
@pytest.mark.parametrize(("name", "type_"), ORDER_CALLBACK_ROWS)
def test_call_and_order_callback_rows_match_their_pages(
    spec: dict[str, Any], webhook: str, name: str, type_: str
) -> None:
    schema, is_required = field_at(spec, webhook_schema(spec, webhook), name)
    assert (wiki_type(spec, schema), is_required) == (type_, True)


@pytest.mark.parametrize(
    ("webhook", "documented"), [("callCallback", "integer"), ("orderCallback", "string"), ("taskCallback", "integer")]
)
def test_callback_type_accepts_the_documented_type_and_says_why_it_accepts_more(
    spec: dict[str, Any], webhook: str, documented: str
) -> None:
    schema, is_required = field_at(spec, webhook_schema(spec, webhook), "callbackType")
    assert documented in wiki_type(spec, schema).split("|") and is_required
    assert "x-assumption" in resolve(spec, schema)


def test_the_spec_holds_at_least_the_13_documented_operations_and_exactly_3_webhooks(spec: dict[str, Any]) -> None:
    """At least: an operation added to the spec (NXCloud's or a user's own) flows through with no test to edit."""
    by_name = {path.rsplit("/", 1)[1]: (path, item["post"]["operationId"]) for path, item in spec["paths"].items()}
    for name in WIKI_OPERATIONS:
        assert by_name.get(name) == (f"/callcentre/api/v3/{name}", name), name
    assert all(operation_id == name for name, (_, operation_id) in by_name.items())  # the path names the operation
    assert sorted(spec["webhooks"]) == ["callCallback", "orderCallback", "taskCallback"]
    for name in spec["webhooks"]:
        ref = spec["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.startswith("#/components/schemas/")  # so that the generator makes a model of it


@pytest.mark.parametrize(
    ("schema", "values"), [("TaskOperate", [1, 2, 3]), ("TaskStatus", [1, 2, 3, 4, 5]), ("DelCall", [0, 1])]
)
def test_enums_hold_the_documented_values_with_names(spec: dict[str, Any], schema: str, values: list[int]) -> None:
    enum = spec["components"]["schemas"][schema]
    assert enum["enum"] == values and len(enum["x-enum-varnames"]) == len(values)


def test_order_detail_list_keeps_the_documented_limit_of_500(spec: dict[str, Any]) -> None:
    schema, _ = field_at(spec, body_schema(spec, "/callcentre/api/v3/listOrderDetail"), "orderList")
    assert schema["maxItems"] == 500


DOCUMENTED_RET_CODES = [0, 1, 2, 3, 4, 4001, 5, 5001, 6, 6001, 6002, 6003, 7, 1001]


def test_the_ret_code_table_is_documented_once_and_mapped_to_errors(spec: dict[str, Any]) -> None:
    from callbot_signing.wire import RET_CODES

    description = spec["components"]["schemas"]["RetCode"]["description"]
    for code in DOCUMENTED_RET_CODES:
        assert re.search(rf"\b{code} [a-z]", description), code
    assert sorted(RET_CODES) == sorted(c for c in DOCUMENTED_RET_CODES if c)
    envelope = spec["components"]["schemas"]["RetEnvelope"]["properties"]["retCode"]
    assert envelope == {"$ref": "#/components/schemas/RetCode"}


def test_every_place_the_wiki_was_silent_says_so(spec: dict[str, Any]) -> None:
    """The documented quirks are each resolved with an x-assumption note."""
    schemas = spec["components"]["schemas"]
    assert "dialAtUpHour " in schemas["TaskCreateSetting"]["x-assumption"]
    assert "smsId" in schemas["CreateTaskSmsFuncFlag"]["x-assumption"]
    assert "gzip" in json.dumps(spec["paths"]["/callcentre/api/v3/importBatchCall"]["post"]["parameters"])
    assert "compressed" in spec["components"]["parameters"]["AcceptEncoding"]["x-assumption"]
    assert "addBatchOrder is `/addBatchCall`" in spec["info"]["description"]


def test_stop_order_carries_the_pages_examples(spec: dict[str, Any]) -> None:
    operation = spec["paths"][STOP_ORDER]["post"]
    request = operation["requestBody"]["content"]["application/json"]["example"]
    response = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert request == {"productID": "callbot", "userTaskID": "string", "orderIDs": ["string"], "delCall": 0}
    assert response == {
        "retCode": 0,
        "retMsg": "string",
        "responseID": "string",
        "totalCount": 0,
        "successCount": 0,
        "errList": [{"orderID": "string", "errMsg": "string"}],
    }


def test_the_spec_version_is_the_packages_and_told_apart_from_the_api_and_page_versions(spec: dict[str, Any]) -> None:
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert spec["info"]["version"] == pyproject["project"]["version"]
    assert spec["info"]["x-api-version"] == "3.0"  # "aibot External API v3.0", the v3 of every path
    assert spec["info"]["x-page-version"] == "1.0.0"  # "v1.0.0" at the top of the stopOrder page
    assert all(path.startswith("/callcentre/api/v3/") for path in spec["paths"])


def test_unsigned_refusals_and_the_open_questions_are_recorded(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    sign_header = spec["components"]["headers"]["sign"]
    assert sign_header["required"] is True  # as the pages print it
    assert all(str(code) in sign_header["x-assumption"] for code in (6, 6001, 6002))
    assert "requestId" in schemes["requestID"]["x-assumption"]
    assert "console" in schemes["algorithm"]["x-assumption"]
    assert "exact bytes" in schemes["sign"]["x-assumption"]
    assert "tolerance" in schemes["createTs"]["x-assumption"]
    assert "rate limits" in spec["info"]["x-assumption"]
