"""What the generated client puts on the wire is what the spec describes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.api.orders import stop_order
from callbot_client.models import DelCall, PingRequest, StopOrderRequest
from callbot_signing import UnexpectedResponseError, connect
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..from_spec import OPERATIONS, body_path

SPEC_URI = "urn:callbot-spec"


def request_body_validator(spec: dict[str, Any], path: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec))
    schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pointer = schema.get("$ref", "")
    return Draft202012Validator({"$ref": f"{SPEC_URI}{pointer}"}, registry=registry)


def capture(call: Any, body: Any) -> httpx.Request:
    """Send one call through connect() to a MockTransport and return the request it made."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(400)  # raises UnexpectedResponseError: the request is all we want

    transport = httpx.MockTransport(handler)
    client = connect("http://127.0.0.1:9", "acc", "key", max_retries=0, httpx_args={"transport": transport})
    with client, pytest.raises(UnexpectedResponseError, match="HTTP 400"):
        call(client=client, body=body)
    return seen[0]


def check_against_spec(spec: dict[str, Any], request: httpx.Request) -> None:
    path = request.url.path
    assert request.method == "POST" and path in spec["paths"]
    assert request.headers["content-type"] == "application/json"
    for scheme in ("requestID", "uuid", "createTs", "sign", "algorithm"):
        assert request.headers.get(spec["components"]["securitySchemes"][scheme]["name"]), scheme
    request_body_validator(spec, path).validate(json.loads(request.content))


order_ids = st.lists(st.text(max_size=20), max_size=5)


@given(task=st.text(max_size=30), orders=order_ids, del_call=st.sampled_from([None, DelCall.KEEP, DelCall.DELETE]))
def test_stop_order_requests_follow_the_spec(
    spec: dict[str, Any], task: str, orders: list[str], del_call: DelCall | None
) -> None:
    body = StopOrderRequest(user_task_id=task, order_ids=orders)
    if del_call is not None:
        body.del_call = del_call
    request = capture(stop_order.sync, body)
    check_against_spec(spec, request)
    sent = json.loads(request.content)
    assert sent["productID"] == "callbot"
    assert ("delCall" in sent) is (del_call is not None)


@given(data=st.text(max_size=50))
def test_ping_requests_follow_the_spec(spec: dict[str, Any], data: str) -> None:
    check_against_spec(spec, capture(ping.sync, PingRequest(data=data)))


def test_the_validator_catches_a_body_the_spec_forbids(spec: dict[str, Any]) -> None:
    validator = request_body_validator(spec, "/callcentre/api/v3/stopOrder")
    assert not validator.is_valid({"productID": "callbot", "userTaskID": "t", "orderIDs": [], "delCall": 2})
    assert not validator.is_valid({"productID": "other", "userTaskID": "t", "orderIDs": []})


@pytest.mark.parametrize(("module", "body"), OPERATIONS, ids=[m.__name__.rsplit(".", 1)[1] for m, _ in OPERATIONS])
def test_every_operation_sends_what_the_spec_describes(spec: dict[str, Any], module: Any, body: Any) -> None:
    request = capture(module.sync, body)
    check_against_spec(spec, request)
    assert request.url.path == "/callcentre/api/v3/" + body_path(module)
