"""The sandbox and the spec say the same thing (issue 20, items 3 and 5).

- The sandbox serves every operation of its spec: one it keeps no state for is checked at the door like
  the others and answered with a signed body built from the spec (tested on a copy with two more).
- Its answers and callbacks carry only fields the spec documents; the limits it enforces are the spec's
  (int64, double, maxItems).
- (The ``algorithm`` header: test_algorithm_header_agreement.py; schemathesis's positive phases:
  test_positive_schemathesis.py.)
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from typing import Any
from uuid import uuid4

import httpx
import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.operations import Operations
from callbot_sandbox.testing import API, Reply, call, send
from callbot_signing.wire import PING_KEYS, STANDARD_KEYS, shipped_spec
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ..documented_answers import answer_pointer, answer_schema, shipped, undocumented
from ..signed_exchanges import MD5, SHA, headers_for, verified

pytestmark = pytest.mark.contract

RETENVELOPE = {"$ref": "#/components/schemas/RetEnvelope"}


def validator(spec: dict[str, Any], pointer: str) -> Draft202012Validator:
    """An oracle independent of the sandbox's jsonschema-rs: the pure-Python jsonschema."""
    registry: Registry[Any] = Registry().with_resource("urn:spec", DRAFT202012.create_resource(spec))
    return Draft202012Validator({"$ref": "urn:spec" + pointer}, registry=registry)


# --- every operation of the spec is served ---------------------------------------------------------------------


def spec_with_two_more_operations() -> dict[str, Any]:
    """The shipped spec plus testOnlyBalance (no stateful handler, no example: the smallest answer) and
    testOnlyRoutes (an example in the spec); names no real operation will take."""
    spec = copy.deepcopy(shipped_spec())
    request = {
        "type": "object",
        "required": ["productID"],
        "properties": {
            "productID": {"$ref": "#/components/schemas/ProductID"},
            "currency": {"type": "string", "maxLength": 3},
        },
    }
    balance = {
        "allOf": [
            RETENVELOPE,
            {"type": "object", "required": ["balance"], "properties": {"balance": {"type": "number", "minimum": 0}}},
        ]
    }
    routes = {
        "allOf": [
            RETENVELOPE,
            {"type": "object", "properties": {"routeList": {"type": "array", "items": {"type": "string"}}}},
        ]
    }
    example = {"retCode": 0, "retMsg": "string", "responseID": "string", "routeList": ["route-1", "route-2"]}
    for name, answer, extra in (("testOnlyBalance", balance, {}), ("testOnlyRoutes", routes, {"example": example})):
        spec["paths"][API + name] = {
            "post": {
                "operationId": name,
                "summary": name,
                "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
                "responses": {
                    "200": {"description": "OK", "content": {"application/json": {"schema": answer, **extra}}}
                },
            }
        }
    return spec


@pytest.fixture(scope="module")
def extended() -> tuple[dict[str, Any], Sandbox]:
    spec = spec_with_two_more_operations()
    return spec, Sandbox([MD5, SHA], spec=spec)


def test_the_sandbox_serves_every_operation_of_its_spec(extended: tuple[dict[str, Any], Sandbox]) -> None:
    spec, sandbox = extended
    expected = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
    assert set(sandbox.spec.operations) == expected
    assert set(Sandbox([MD5]).spec.operations) == {
        op["operationId"] for item in shipped_spec()["paths"].values() for op in item.values()
    }


@pytest.mark.parametrize("account", [MD5, SHA], ids=lambda a: a.algorithm)
def test_an_operation_added_to_the_spec_is_answered_signed_and_valid(
    extended: tuple[dict[str, Any], Sandbox], account: Account
) -> None:
    spec, sandbox = extended
    app = sandbox.asgi_app()
    for name in ("testOnlyBalance", "testOnlyRoutes"):
        body = json.dumps({"productID": "callbot", "currency": "EUR"}).encode()
        request = headers_for(account, body, sign_with=account.algorithm, header=account.algorithm)
        reply = asyncio.run(send(app, API + name, request, [body]))
        assert reply.status == 200
        verified(reply, account, request, account.algorithm)
        data = reply.json()
        assert list(validator(spec, answer_pointer(API + name)).iter_errors(data)) == []
        assert (data["retCode"], data["retMsg"]) == (0, "success") and len(data["responseID"]) == 32
        if name == "testOnlyBalance":  # no example: the smallest instance of the schema
            assert data == {"retCode": 0, "retMsg": "success", "responseID": data["responseID"], "balance": 0}
        else:  # the spec's example, with a success envelope
            assert data["routeList"] == ["route-1", "route-2"]
    first, second = (asyncio.run(call(app, account, "testOnlyBalance", {"productID": "callbot"})) for _ in range(2))
    assert first.json()["responseID"] != second.json()["responseID"]


def test_an_operation_added_to_the_spec_is_checked_at_the_door_like_the_others(
    extended: tuple[dict[str, Any], Sandbox],
) -> None:
    _, sandbox = extended
    app = sandbox.asgi_app()
    ok = json.dumps({"productID": "callbot"}).encode()

    def sent(body: bytes, headers: list[tuple[bytes, bytes]]) -> Reply:
        return asyncio.run(send(app, API + "testOnlyBalance", headers, [body]))

    genuine = headers_for(MD5, ok, sign_with="MD5", header=None)
    assert sent(ok, genuine).code == 0
    assert sent(ok, genuine).code == 6  # the same requestID again: a replay
    assert sent(ok, [h for h in headers_for(MD5, ok, sign_with="MD5", header=None) if h[0] != b"sign"]).code == 6001
    tampered = ok.replace(b"}", b', "currency": "X"}')
    assert sent(tampered, headers_for(MD5, ok, sign_with="MD5", header=None)).code == 6
    stranger = Account("nobody", "nobody-secret-0123456789")
    unknown = sent(ok, headers_for(stranger, ok, sign_with="MD5", header=None))
    assert unknown.code == 6002 and "sign" not in unknown.headers
    stale = [(k, str(int(time.time()) - 3600).encode() if k == b"createts" else v) for k, v in genuine]
    assert sent(ok, stale).code == 6  # outside the createTs window (its sign no longer matches either way)
    for body, code in (
        ({}, 2),
        ({"productID": 1}, 3),
        ({"productID": "other"}, 4),
        ({"productID": "callbot", "currency": "EURO"}, 4),
    ):
        raw = json.dumps(body).encode()
        reply = sent(raw, headers_for(MD5, raw, sign_with="MD5", header=None))
        assert (reply.code, reply.headers["x-sandbox-refusal"]) == (code, "request"), body
        assert reply.json() == {**reply.json(), "retCode": code, "balance": 0}  # it fits the answer schema too
    late = sent(b"not json", headers_for(MD5, b"not json", sign_with="MD5", header=None))
    assert late.code == 3 and late.headers["sign"]


def test_other_methods_and_paths_keep_405_and_404(extended: tuple[dict[str, Any], Sandbox]) -> None:
    from starlette.testclient import TestClient

    _, sandbox = extended
    with TestClient(sandbox.asgi_app()) as http:
        for name in ("testOnlyBalance", "ping"):
            answer = http.get(API + name)
            assert (answer.status_code, answer.headers["allow"]) == (405, "POST")
        assert http.post(API + "noSuchOperation", content=b"{}").status_code == 404
    with TestClient(Sandbox([MD5]).asgi_app()) as http:  # the shipped spec has no testOnlyBalance
        assert http.post(API + "testOnlyBalance", content=b"{}").status_code == 404
    without_stop = copy.deepcopy(shipped_spec())
    del without_stop["paths"][API + "stopOrder"]
    with TestClient(Sandbox([MD5], spec=without_stop).asgi_app()) as http:
        assert http.post(API + "stopOrder", content=b"{}").status_code == 404
        assert http.get(API + "ping").status_code == 405


def test_a_spec_whose_answer_cannot_be_built_is_refused_when_the_sandbox_is_made() -> None:
    spec = spec_with_two_more_operations()
    answer = spec["paths"][API + "testOnlyBalance"]["post"]["responses"]["200"]["content"]["application/json"]
    answer["schema"]["allOf"][1]["properties"]["balance"] = {"type": "string", "pattern": "^[0-9]+$"}
    with pytest.raises(
        ValueError, match=r"cannot build an answer of testOnlyBalance .* give its 200 answer an example"
    ):
        Sandbox([MD5], spec=spec)
    answer["example"] = {"retCode": 0, "retMsg": "", "responseID": "", "balance": "100"}
    data = asyncio.run(call(Sandbox([MD5], spec=spec).asgi_app(), MD5, "testOnlyBalance", {"productID": "callbot"}))
    assert data.json()["balance"] == "100"


# --- the limits the sandbox enforces are the spec's ------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ({"manualCallSetting": {"ratioCallRate": 1e300, "predictCallRate": -1.7976931348623157e308}}, 0),
        ({"maxRingTime": 2**63 - 1, "zoneSecond": -(2**63), "startupAt": 9.2e18}, 0),
        ({"taskCallbackUrl": "ftp://not-http.example/cb"}, 0),
        ({"taskCallbackUrl": "no scheme at all \u00e9"}, 0),
        ({"maxRingTime": 2**63}, 4),
        ({"zoneSecond": -(2**63) - 1}, 4),
        ({"maxCall": 1e300}, 4),
        ({"manualCallSetting": {"ratioCallRate": 10**400}}, 4),
    ],
)
def test_a_request_is_refused_for_its_form_only_where_the_spec_says(setting: dict[str, Any], code: int) -> None:
    app = Sandbox([MD5]).asgi_app()
    body = {"productID": "callbot", "userTaskID": f"t-{uuid4().hex}", "sceneID": "s", "taskCreateSetting": setting}
    assert validator(shipped_spec(), "#/components/schemas/CreateTaskRequest").is_valid(body)  # format aside
    reply = asyncio.run(call(app, MD5, "createTask", body))
    assert reply.code == code, reply.body
    if code:  # outside the range of the field's format (int64, double): named
        assert reply.headers["x-sandbox-refusal"] == "request"
        assert next(iter(setting.get("manualCallSetting", setting))) in reply.json()["retMsg"]


# --- answers and callbacks carry only documented fields --------------------------------------------------------


def test_every_answer_of_a_campaign_and_every_callback_holds_documented_fields_only() -> None:
    sandbox = Sandbox([MD5], virtual_clock=VirtualClock(1_800_000_000), seed=3)
    app = sandbox.asgi_app()
    spec = shipped()
    task, cb = "campaign", "http://127.0.0.1:9/cb"
    orders = {
        "orderCallbackUrl": cb,
        "callCallbackUrl": cb,
        "callList": [{"orderID": f"o-{n}", "userPhone": "8613800000000", "other": "x"} for n in range(4)],
    }
    steps: list[tuple[str, dict[str, Any]]] = [
        ("ping", {"data": "x"}),
        ("createTask", {"productID": "callbot", "userTaskID": task, "sceneID": "s", "taskCallbackUrl": cb}),
        ("addBatchCall", {"productID": "callbot", "userTaskID": task, "callInfoList": orders}),
        ("addBatchCall", {"productID": "callbot", "userTaskID": task, "callInfoList": orders}),  # duplicates
        ("mgrTaskStatus", {"productID": "callbot", "userTaskID": task, "taskOperate": 1}),
        ("advance", {}),
        ("listTask", {"productID": "callbot", "page": 1, "size": 10, "queryConditions": {}}),
        ("listOrder", {"productID": "callbot", "userTaskID": task, "options": {}}),
        ("listCall", {"productID": "callbot", "userTaskID": task, "options": {}}),
        ("listOrderDetail", {"productID": "callbot", "userTaskID": task, "orderList": ["o-0", "o-1"]}),
        ("exportBatchCall", {"productID": "callbot", "userTaskID": task}),
        ("stopOrder", {"productID": "callbot", "userTaskID": task, "orderIDs": ["o-3", "nope"]}),
        ("createTask", {"productID": "callbot", "userTaskID": "t2", "sceneID": "s"}),
        ("mgrTaskStatus", {"productID": "callbot", "userTaskID": "t2", "taskOperate": 1}),
        ("mgrTaskStatus", {"productID": "callbot", "userTaskID": "t2", "taskOperate": 2}),
        ("updateTask", {"productID": "callbot", "userTaskID": "t2", "taskCreateSetting": {"maxCall": 2}}),
        ("importBatchCall", {"productID": "callbot", "userTaskID": "t2", "callInfoList": orders}),
        ("createAndCall", {"productID": "callbot", "userTaskID": "t3", "sceneID": "s", "callInfoList": orders}),
        ("listTask", {"productID": "callbot", "page": 1, "size": 10, "queryConditions": {"taskStatus": [5]}}),
    ]
    seen: dict[str, int] = {}
    for operation, body in steps:
        if operation == "advance":
            sandbox.advance(600)
            continue
        reply = asyncio.run(call(app, MD5, operation, body))
        data = reply.json()
        assert data.get("retCode", data.get("code")) == 0, (operation, data)
        assert undocumented(spec, data, answer_schema(API + operation)) == [], operation
        seen[operation] = len(json.dumps(data))
    assert {name for name in spec.operations if Operations.handling(name)} <= set(seen)  # every stateful one
    assert seen and reply.json()["taskData"]
    again = {"productID": "callbot", "userTaskID": "t2", "callInfoList": orders}
    duplicates = asyncio.run(call(app, MD5, "addBatchCall", again)).json()
    assert duplicates["successCount"] == 0 and len(duplicates["errList"]) == 4  # the fields bulk.py reads

    delivered: list[tuple[str, bytes, dict[str, str]]] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        delivered.append((request.url.path, request.content, dict(request.headers)))
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(receiver)) as client:  # advance() tried 127.0.0.1:9 first
        sandbox.callbacks.flush(client, now=sandbox.sim_clock() + 3600)  # an hour on: every retry is due
    kinds = {"callCallback": 0, "orderCallback": 0, "taskCallback": 0}
    for _, raw, _headers in delivered:
        payload = json.loads(raw)
        kind = "taskCallback" if "taskStat" in payload else "orderCallback" if isinstance(
            payload["callbackType"], str) else "callCallback"  # fmt: skip
        kinds[kind] += 1
        pointer = f"#/webhooks/{kind}/post/requestBody/content/application~1json/schema"
        assert undocumented(spec, payload, {"$ref": pointer}) == [], kind
    assert all(kinds.values()), kinds


# --- the algorithm header: the client, the sandbox and the spec agree ------------------------------------------


def test_ping_keys_are_read_from_the_spec() -> None:
    spec = shipped()
    assert spec.operations["ping"].keys == PING_KEYS
    assert {op.keys for name, op in spec.operations.items() if name != "ping"} == {STANDARD_KEYS}
    assert [name for name, op in spec.operations.items() if op.gzip_body] == ["importBatchCall"]
