"""The generated client, signed by CallbotAuth, against the sandbox: in-process and on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from callbot_client import Client
from callbot_client.api.health import ping
from callbot_client.api.orders import stop_order
from callbot_client.models import DelCall, PingRequest, StopOrderRequest
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from callbot_signing import (
    AuthenticationError,
    CallbotAuth,
    CallbotTransport,
    InvalidRequestError,
    SignatureError,
    SignatureRejectedError,
    connect,
)

from ..conftest import DIALED, MD5_ACCOUNT, SHA_ACCOUNT, TASK, UNDIALED, make_sandbox

pytestmark = pytest.mark.contract

ACCOUNTS = pytest.mark.parametrize("account", [MD5_ACCOUNT, SHA_ACCOUNT], ids=["MD5", "SHA256"])
Tamper = Callable[[httpx.Response], httpx.Response]


def stop_request(*order_ids: str, del_call: DelCall | None = None) -> StopOrderRequest:
    request = StopOrderRequest(user_task_id=TASK, order_ids=list(order_ids))
    if del_call is not None:
        request.del_call = del_call
    return request


class TamperingTransport(httpx.AsyncBaseTransport, httpx.BaseTransport):
    """Passes requests to ``inner`` and hands the response to ``tamper`` on the way back."""

    def __init__(self, inner: httpx.AsyncBaseTransport | httpx.BaseTransport, tamper: Tamper) -> None:
        self.inner = inner
        self.tamper = tamper

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.inner, httpx.BaseTransport)
        response = self.inner.handle_request(request)
        response.read()
        return self.tamper(response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.inner, httpx.AsyncBaseTransport)
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return self.tamper(response)


def replace(response: httpx.Response, *, content: bytes | None = None, **headers: str | None) -> httpx.Response:
    new_headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    for name, value in headers.items():
        new_headers = {k: v for k, v in new_headers.items() if k.lower() != name.lower()}
        if value is not None:
            new_headers[name] = value
    return httpx.Response(
        response.status_code, content=response.content if content is None else content, headers=new_headers
    )


def in_process(sandbox: Sandbox, account: Account, tamper: Tamper | None = None, **options: Any) -> Client:
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=sandbox.asgi_app())
    if tamper is not None:
        transport = TamperingTransport(transport, tamper)
    return connect(
        "http://sandbox.local",
        account.uuid,
        account.secret_key,
        algorithm=account.algorithm,
        httpx_args={"transport": transport},
        **options,
    )


def raw_client(sandbox: Sandbox, account: Account) -> httpx.AsyncClient:
    """A plain httpx client that signs and verifies but hands error replies back (raise_on_error=False)."""
    auth = CallbotAuth(account.uuid, account.secret_key, account.algorithm, raise_on_error=False)
    transport = CallbotTransport(auth, async_transport=httpx.ASGITransport(app=sandbox.asgi_app()))
    return httpx.AsyncClient(base_url="http://sandbox.local", transport=transport)


# --- round trips ------------------------------------------------------------------------------------


@ACCOUNTS
async def test_stop_order_round_trip_in_process(sandbox: Sandbox, account: Account) -> None:
    client = in_process(sandbox, account)
    result = await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0], UNDIALED[1]))
    assert result is not None
    assert (result.ret_code, result.total_count, result.success_count, result.err_list) == (0, 2, 2, [])
    assert sandbox.state.account(account.uuid).orders[UNDIALED[0]].state is OrderState.STOPPED


@ACCOUNTS
def test_stop_order_round_trip_over_uvicorn_sync(live_url: str, sandbox: Sandbox, account: Account) -> None:
    with connect(live_url, account.uuid, account.secret_key, algorithm=account.algorithm) as client:
        result = stop_order.sync(client=client, body=stop_request(*UNDIALED, del_call=DelCall.DELETE))
    assert result is not None
    assert (result.ret_code, result.total_count, result.success_count) == (0, len(UNDIALED), len(UNDIALED))
    assert all(sandbox.state.account(account.uuid).orders[o].data_deleted for o in UNDIALED)


@ACCOUNTS
async def test_stop_order_round_trip_over_uvicorn_async(live_url: str, account: Account) -> None:
    client = connect(live_url, account.uuid, account.secret_key, algorithm=account.algorithm)
    async with client:
        result = await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert result is not None and (result.ret_code, result.success_count) == (0, 1)


async def test_orders_that_cannot_be_stopped_are_listed_with_a_reason(sandbox: Sandbox) -> None:
    client = in_process(sandbox, MD5_ACCOUNT)
    await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    result = await stop_order.asyncio(
        client=client, body=stop_request(UNDIALED[0], DIALED, "no-such-order", UNDIALED[1])
    )
    assert result is not None
    assert (result.total_count, result.success_count) == (4, 1)
    reasons = {error.order_id: error.err_msg for error in result.err_list}
    assert set(reasons) == {UNDIALED[0], DIALED, "no-such-order"}
    assert "already stopped" in reasons[UNDIALED[0]]
    assert "dialed" in reasons[DIALED]
    assert "not found" in reasons["no-such-order"]


def test_ping_echoes_data_over_uvicorn(live_url: str) -> None:
    with connect(live_url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key) as client:
        result = ping.sync(client=client, body=PingRequest(data="héllo 你好"))
    assert result is not None
    assert (result.code, result.data) == (0, "héllo 你好")
    assert abs(result.timestamp - time.time()) < 5


# --- faults in the response: each one is a SignatureError ---------------------------------------


def tamper_body(response: httpx.Response) -> httpx.Response:
    return replace(response, content=response.content.replace(b'"successCount":1', b'"successCount":7'))


def drop_sign(response: httpx.Response) -> httpx.Response:
    return replace(response, sign=None)


def wrong_request_id(response: httpx.Response) -> httpx.Response:
    return replace(response, requestID="0" * 32)


@pytest.mark.parametrize(
    ("tamper", "rule"),
    [(tamper_body, "sign_mismatch"), (drop_sign, "missing_header"), (wrong_request_id, "request_id_echo")],
    ids=["tampered body", "missing sign", "wrong requestID echo"],
)
async def test_a_faulty_response_from_the_sandbox_raises_signature_error(
    sandbox: Sandbox, tamper: Tamper, rule: str
) -> None:
    client = in_process(sandbox, MD5_ACCOUNT, tamper)
    with pytest.raises(SignatureError) as caught:
        await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("tamper", "rule"),
    [(tamper_body, "sign_mismatch"), (drop_sign, "missing_header"), (wrong_request_id, "request_id_echo")],
    ids=["tampered body", "missing sign", "wrong requestID echo"],
)
def test_a_faulty_response_over_uvicorn_raises_signature_error(live_url: str, tamper: Tamper, rule: str) -> None:
    transport = TamperingTransport(httpx.HTTPTransport(), tamper)
    with (
        connect(live_url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key, httpx_args={"transport": transport}) as client,
        pytest.raises(SignatureError) as caught,
    ):
        stop_order.sync(client=client, body=stop_request(UNDIALED[0]))
    assert caught.value.rule == rule


async def test_a_stale_response_from_the_sandbox_raises_signature_error() -> None:
    sandbox = make_sandbox(clock=lambda: time.time() - 3600, max_clock_skew=None)
    client = in_process(sandbox, MD5_ACCOUNT)
    with pytest.raises(SignatureError, match=r"360[01] s from local time") as caught:
        await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert caught.value.rule == "clock_skew"


# --- the sandbox rejects what the service rejects ---------------------------------------------------


async def test_a_wrong_secret_key_is_a_signature_rejected_error_with_verification_on(sandbox: Sandbox) -> None:
    """The most common mistake: the refusal is signed with the real key, so it cannot be verified with ours;
    it is raised as the refusal (retCode 6) all the same, saying so, and not as our SignatureError."""
    client = connect(
        "http://sandbox.local",
        MD5_ACCOUNT.uuid,
        "not-the-secret-key",
        httpx_args={"transport": httpx.ASGITransport(app=sandbox.asgi_app())},
    )
    with pytest.raises(SignatureRejectedError) as caught:
        await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert caught.value.ret_code == 6 and caught.value.response_id
    assert "could not be verified either" in str(caught.value) and "secret key is probably wrong" in str(caught.value)
    assert sandbox.state.orders[UNDIALED[0]].state is OrderState.UNDIALED


async def test_wrong_secret_key_gets_ret_code_6(sandbox: Sandbox) -> None:
    impostor = Account(MD5_ACCOUNT.uuid, "not-the-secret-key")
    client = connect(
        "http://sandbox.local",
        impostor.uuid,
        impostor.secret_key,
        verify_responses=False,
        httpx_args={"transport": httpx.ASGITransport(app=sandbox.asgi_app())},
    )
    with pytest.raises(SignatureRejectedError) as caught:
        await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert (caught.value.ret_code, caught.value.operation) == (6, "stopOrder")
    assert "check the secret key" in str(caught.value)
    assert sandbox.state.orders[UNDIALED[0]].state is OrderState.UNDIALED


async def test_unknown_uuid_gets_authentication_error_from_an_unsigned_6002(sandbox: Sandbox) -> None:
    client = connect(
        "http://sandbox.local",
        "no-such-account",
        "k",
        httpx_args={"transport": httpx.ASGITransport(app=sandbox.asgi_app())},
    )
    with pytest.raises(AuthenticationError, match="check the uuid") as caught:
        await stop_order.asyncio(client=client, body=stop_request(UNDIALED[0]))
    assert caught.value.ret_code == 6002


async def test_unsigned_request_gets_6001(sandbox: Sandbox) -> None:
    transport = httpx.ASGITransport(app=sandbox.asgi_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.local") as plain:
        response = await plain.post("/callcentre/api/v3/stopOrder", json={"productID": "callbot"})
    assert response.json()["retCode"] == 6001
    assert "requestID" in response.json()["retMsg"]


def test_the_wiki_samples_way_of_signing_is_accepted(live_url: str) -> None:
    """json.dumps with default separators, the header spelled requestId, no algorithm header."""
    import json
    import uuid as uuid_module

    from callbot_signing import sign

    body = json.dumps({"productID": "callbot", "userTaskID": TASK, "orderIDs": [UNDIALED[2]]})
    request_id, ts = uuid_module.uuid4().hex, str(round(time.time()))
    headers = {
        "uuid": MD5_ACCOUNT.uuid,
        "requestId": request_id,
        "createTs": ts,
        "Content-Type": "application/json",
        "sign": sign(MD5_ACCOUNT.secret_key, body.encode(), ts, request_id, MD5_ACCOUNT.uuid),
    }
    response = httpx.post(f"{live_url}/callcentre/api/v3/stopOrder", content=body, headers=headers)
    assert response.json()["retCode"] == 0 and response.json()["successCount"] == 1


@pytest.mark.parametrize(
    ("body", "ret_code"),
    [
        ({"userTaskID": TASK, "orderIDs": []}, 2),
        ({"productID": "callbot", "orderIDs": []}, 2),
        ({"productID": "callbot", "userTaskID": TASK, "orderIDs": "order-1"}, 3),
        ({"productID": "callbot", "userTaskID": TASK, "orderIDs": [1]}, 3),
        ({"productID": "callbot", "userTaskID": TASK, "orderIDs": [], "delCall": True}, 3),
        ({"productID": "callbot", "userTaskID": TASK, "orderIDs": [], "delCall": None}, 3),
        ({"productID": "callbot", "userTaskID": TASK, "orderIDs": [], "delCall": 2}, 4),
        ({"productID": "chatbot", "userTaskID": TASK, "orderIDs": []}, 4),
    ],
    ids=[
        "no productID",
        "no userTaskID",
        "orderIDs not array",
        "orderID not string",
        "delCall bool",
        "delCall null",
        "delCall 2",
        "productID wrong",
    ],
)
async def test_invalid_bodies_get_the_documented_ret_code(
    sandbox: Sandbox, body: dict[str, object], ret_code: int
) -> None:
    client = raw_client(sandbox, MD5_ACCOUNT)
    response = await client.post("/callcentre/api/v3/stopOrder", json=body)
    assert response.json()["retCode"] == ret_code
    assert response.json()["errList"] == []


async def test_a_body_that_is_not_json_gets_ret_code_3(sandbox: Sandbox) -> None:
    client = raw_client(sandbox, MD5_ACCOUNT)
    response = await client.post("/callcentre/api/v3/stopOrder", content=b"{not json")
    assert response.json()["retCode"] == 3


def test_the_live_sandbox_helper_reports_a_port_in_use() -> None:
    with serve_in_thread(make_sandbox().asgi_app()) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(RuntimeError, match="did not start"), serve_in_thread(make_sandbox().asgi_app(), port=port):
            pass


async def test_a_body_declared_as_another_media_type_gets_ret_code_3(sandbox: Sandbox) -> None:
    client = raw_client(sandbox, MD5_ACCOUNT)
    body = b'{"productID":"callbot","userTaskID":"task-0001","orderIDs":["order-1"]}'
    response = await client.post("/callcentre/api/v3/stopOrder", content=body, headers={"Content-Type": "text/plain"})
    assert response.json()["retCode"] == 3
    assert sandbox.state.orders[UNDIALED[0]].state is OrderState.UNDIALED


async def test_a_refused_request_raises_a_typed_error_through_the_generated_client(sandbox: Sandbox) -> None:
    client = in_process(sandbox, MD5_ACCOUNT)
    body = StopOrderRequest.from_dict({"productID": "callbot", "userTaskID": TASK, "orderIDs": []})
    body["delCall"] = 7  # an unknown key the generated model passes through, and the sandbox refuses
    with pytest.raises(InvalidRequestError) as caught:
        await stop_order.asyncio(client=client, body=body)
    assert (caught.value.ret_code, caught.value.ret_msg) == (
        4,
        "parameter delCall has a bad value: 7 is not one of 0 or 1",  # jsonschema-rs's wording
    )
    assert caught.value.response_id and caught.value.request_id
