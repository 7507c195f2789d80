"""The spec is valid OpenAPI 3.1 and says what the stopOrder and Ping pages say, row by row (the other pages:
test_spec_other_pages.py)."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from ..from_spec import WIKI_OPERATIONS
from ..spec_schemas import body_schema, field_at, resolve, wiki_type

STOP_ORDER = "/callcentre/api/v3/stopOrder"
PING = "/callcentre/api/v3/ping"

# Transcribed from the stopOrder wiki page ("Callbot API stopOrder", Sep 26 2024): name, location, type, required.
STOP_ORDER_REQUEST_ROWS = [
    ("requestID", "header", "string", True),
    ("uuid", "header", "string", True),
    ("createTs", "header", "string", True),
    ("sign", "header", "string", True),
    ("algorithm", "header", "string", False),
    ("body", "body", "object", False),
    ("productID", "body", "string", True),
    ("userTaskID", "body", "string", True),
    ("orderIDs", "body", "[string]", True),
    ("delCall", "body", "integer", False),
]
STOP_ORDER_RESPONSE_HEADER_ROWS = [
    ("requestID", "string", True),
    ("uuid", "string", True),
    ("createTs", "string", True),
    ("sign", "string", True),
    ("algorithm", "string", False),
]
STOP_ORDER_RESPONSE_ROWS = [
    ("retCode", "integer", True),
    ("retMsg", "string", True),
    ("responseID", "string", True),
    ("totalCount", "integer", True),
    ("successCount", "integer", True),
    ("errList", "[object]", True),
    ("errList.orderID", "string", True),
    ("errList.errMsg", "string", True),
]
# The Ping page (complete in every copy).
PING_BODY_ROWS = [("body", "object", True), ("data", "string", True)]
PING_RESPONSE_ROWS = [
    ("data", "string", True),
    ("timestamp", "integer", True),
    ("code", "integer", True),
    ("msg", "string", True),
    ("reqId", "string", True),
]


def response_schema(spec: dict[str, Any], path: str) -> dict[str, Any]:
    ok = spec["paths"][path]["post"]["responses"]["200"]
    return resolve(spec, ok["content"]["application/json"]["schema"])


def test_the_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_production_server_is_the_documented_host(spec: dict[str, Any]) -> None:
    assert [server["url"] for server in spec["servers"]] == ["https://nxbot.nxcloud.com"]


@pytest.mark.parametrize(("name", "location", "type_", "required"), STOP_ORDER_REQUEST_ROWS)
def test_stop_order_request_rows_match_the_page(
    spec: dict[str, Any], name: str, location: str, type_: str, required: bool
) -> None:
    operation = spec["paths"][STOP_ORDER]["post"]
    if location == "header":
        scheme = spec["components"]["securitySchemes"][name]
        assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", name)
        requirements = operation.get("security", spec["security"])
        in_all = all(name in alternative for alternative in requirements)
        in_some = any(name in alternative for alternative in requirements)
        assert (in_all, in_some) == ((True, True) if required else (False, True))
    elif name == "body":
        body_required = operation["requestBody"].get("required", False)
        if required:
            assert body_required is True
        else:
            # The page says "not required" although every request needs the body's required fields: the spec
            # may say required, but only with an x-assumption that says why it departs from the page.
            assert body_required is False or "not required" in operation["requestBody"].get("x-assumption", "")
        assert body_schema(spec, STOP_ORDER)["type"] == type_
    else:
        schema, is_required = field_at(spec, body_schema(spec, STOP_ORDER), name)
        assert (wiki_type(spec, schema), is_required) == (type_, required)


@pytest.mark.parametrize(("name", "type_", "required"), STOP_ORDER_RESPONSE_HEADER_ROWS)
def test_stop_order_response_headers_match_the_page(
    spec: dict[str, Any], name: str, type_: str, required: bool
) -> None:
    header = resolve(spec, spec["paths"][STOP_ORDER]["post"]["responses"]["200"]["headers"][name])
    assert (header["schema"]["type"], header.get("required", False)) == (type_, required)


@pytest.mark.parametrize(("name", "type_", "required"), STOP_ORDER_RESPONSE_ROWS)
def test_stop_order_response_fields_match_the_page(spec: dict[str, Any], name: str, type_: str, required: bool) -> None:
    schema, is_required = field_at(spec, response_schema(spec, STOP_ORDER), name)
    assert (wiki_type(spec, schema), is_required) == (type_, required)


def test_stop_order_has_no_field_the_page_does_not_list(spec: dict[str, Any]) -> None:
    body_fields = {row[0] for row in STOP_ORDER_REQUEST_ROWS if row[1] == "body"} - {"body"}
    assert set(body_schema(spec, STOP_ORDER)["properties"]) == body_fields
    top_level = {row[0] for row in STOP_ORDER_RESPONSE_ROWS if "." not in row[0]}
    assert set(response_schema(spec, STOP_ORDER)["properties"]) == top_level


def test_product_id_is_the_constant_callbot(spec: dict[str, Any]) -> None:
    product_id = body_schema(spec, STOP_ORDER)["properties"]["productID"]
    assert (product_id["const"], product_id["default"]) == ("callbot", "callbot")


def test_del_call_allows_exactly_keep_and_delete(spec: dict[str, Any]) -> None:
    del_call = resolve(spec, body_schema(spec, STOP_ORDER)["properties"]["delCall"])
    assert del_call["enum"] == [0, 1]


def test_stop_order_description_warns_that_stopping_is_irreversible(spec: dict[str, Any]) -> None:
    operation = spec["paths"][STOP_ORDER]["post"]
    assert "irreversible" in operation["description"]
    assert "care" in operation["description"]


@pytest.mark.parametrize(("name", "type_", "required"), PING_BODY_ROWS)
def test_ping_request_rows_match_the_page(spec: dict[str, Any], name: str, type_: str, required: bool) -> None:
    operation = spec["paths"][PING]["post"]
    if name == "body":
        assert (body_schema(spec, PING)["type"], operation["requestBody"]["required"]) == (type_, required)
    else:
        schema, is_required = field_at(spec, body_schema(spec, PING), name)
        assert (wiki_type(spec, schema), is_required) == (type_, required)


@pytest.mark.parametrize(("name", "type_", "required"), PING_RESPONSE_ROWS)
def test_ping_response_fields_match_the_page(spec: dict[str, Any], name: str, type_: str, required: bool) -> None:
    schema, is_required = field_at(spec, response_schema(spec, PING), name)
    assert (wiki_type(spec, schema), is_required) == (type_, required)


@pytest.mark.parametrize(
    ("path", "operation_id", "tag"), [(STOP_ORDER, "stopOrder", "orders"), (PING, "ping", "health")]
)
def test_operations_have_names_that_make_good_python(
    spec: dict[str, Any], path: str, operation_id: str, tag: str
) -> None:
    operation = spec["paths"][path]["post"]
    assert (operation["operationId"], operation["tags"]) == (operation_id, [tag])


def test_every_request_body_is_required_and_says_why_the_page_differs(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        request_body = item["post"]["requestBody"]
        assert request_body["required"] is True, path
        if path != PING and item["post"]["operationId"] in WIKI_OPERATIONS:  # those pages mark it not required
            assert "not required" in request_body["x-assumption"], path


def test_every_response_declares_the_signed_headers(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        headers = item["post"]["responses"]["200"]["headers"]
        assert set(headers) == {"requestID", "uuid", "createTs", "sign", "algorithm"}, path


def test_the_signing_rule_is_in_the_sign_scheme(spec: dict[str, Any]) -> None:
    description = spec["components"]["securitySchemes"]["sign"]["description"]
    assert "{secretKey}&body={body}&createTs={createTs}&requestID={requestID}&uuid={uuid}" in description
    assert "upper case" in description
