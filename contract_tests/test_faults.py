"""Fault injection: every way a call can fail ends in the right typed error, within a bounded time,
after exactly the configured number of retries for the faults that are retried."""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.api.orders import stop_order
from callbot_client.models import PingRequest, StopOrderRequest
from callbot_signing import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BatchInProgressError,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    InvalidRequestError,
    PermissionDeniedError,
    RetryPolicy,
    ServiceUnavailableError,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
    connect,
)

from ._support import documented_sign as independent_sign
from .faulty_server import closed_port, faulty_server

UUID = "fault-uuid"
SECRET = "fault-secret-key-do-not-leak"
FAST = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.002)
BODY = StopOrderRequest(user_task_id="t", order_ids=["o-1"])
Handler = Callable[[httpx.Request], httpx.Response]


def reply(request: httpx.Request, body: bytes, *, signed: bool = True, **headers: str) -> httpx.Response:
    """An answer signed as the service signs, unless ``signed`` is False; ``headers`` override."""
    out = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    if signed:
        out["sign"] = independent_sign(SECRET, body, out["createTs"], out["requestID"], UUID, "MD5")
    out.update(headers)
    return httpx.Response(200, content=body, headers=out)


def envelope(ret_code: int, **extra: Any) -> bytes:
    return json.dumps({"retCode": ret_code, "retMsg": f"msg {ret_code}", "responseID": "resp-1", **extra}).encode()


class Counting:
    """A MockTransport handler that counts attempts and keeps the requestIDs and signs it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.request_ids: list[str] = []
        self.signs: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.request_ids.append(request.headers["requestID"])
        self.signs.append(request.headers["sign"])
        return self.handler(request)


def mock_client(handler: Handler, policy: RetryPolicy = FAST, **options: Any) -> Any:
    transport = httpx.MockTransport(handler)
    return connect(
        "http://127.0.0.1:9", UUID, SECRET, retry_policy=policy, httpx_args={"transport": transport}, **options
    )


def call_stop_order(client: Any) -> Any:
    with client:
        return stop_order.sync(client=client, body=BODY)


# --- below HTTP: a real socket on 127.0.0.1 -----------------------------------------------------------


def test_connection_refused_is_retried_then_api_connection_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot")
    client = connect(f"http://127.0.0.1:{closed_port()}", UUID, SECRET, retry_policy=FAST)
    started = time.monotonic()
    with pytest.raises(APIConnectionError, match="after 3 attempt") as caught:
        call_stop_order(client)
    assert time.monotonic() - started < 5
    assert not isinstance(caught.value, APITimeoutError)
    attempts = [r for r in caplog.records if "error=ConnectError" in r.getMessage()]
    assert len(attempts) == 3
    assert len({r.getMessage().split("requestID=")[1].split()[0] for r in attempts}) == 3  # re-signed each time


def test_connection_reset_mid_response_is_retried_for_stop_order_then_api_connection_error() -> None:
    with faulty_server("reset_mid_response") as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, retry_policy=FAST)
        with pytest.raises(APIConnectionError) as caught:
            call_stop_order(client)
        assert server.hits == 3
    assert "stopOrder" in str(caught.value)


def test_a_response_slower_than_the_timeout_is_api_timeout_error_within_bounded_time() -> None:
    with faulty_server("slow", delay=3.0) as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, timeout=0.2, retry_policy=FAST)
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="ReadTimeout"):
            call_stop_order(client)
        elapsed = time.monotonic() - started
        assert server.hits == 3
    assert elapsed < 2.0  # three attempts of 0.2 s, not the server's 3 s


def test_max_retries_zero_makes_exactly_one_attempt() -> None:
    with faulty_server("slow", delay=3.0) as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, timeout=0.2, max_retries=0)
        with pytest.raises(APITimeoutError, match="after 1 attempt"):
            call_stop_order(client)
        assert server.hits == 1


async def test_the_async_client_retries_and_times_out_too() -> None:
    with faulty_server("slow", delay=3.0) as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, timeout=0.2, retry_policy=FAST)
        async with client:
            with pytest.raises(APITimeoutError):
                await stop_order.asyncio(client=client, body=BODY)
        assert server.hits == 3


def test_an_ambiguous_fault_is_not_retried_for_an_operation_that_is_not_idempotent() -> None:
    """A read timeout may mean the request was carried out: only idempotent operations repeat it."""
    with faulty_server("slow", delay=3.0) as server:
        auth = CallbotAuth(UUID, SECRET, retry=FAST)
        url = f"http://127.0.0.1:{server.server_address[1]}/callcentre/api/v3/importBatchCall"
        with (
            httpx.Client(transport=CallbotTransport(auth), timeout=0.2) as client,
            pytest.raises(APITimeoutError, match="after 1 attempt"),
        ):
            client.post(url, json={"productID": "callbot"})
        assert server.hits == 1


# --- HTTP-level faults ----------------------------------------------------------------------------------


def test_an_html_502_is_retried_then_unexpected_response_error() -> None:
    counting = Counting(lambda r: httpx.Response(502, html="<html><h1>502 Bad Gateway</h1></html>"))
    with pytest.raises(UnexpectedResponseError) as caught:
        call_stop_order(mock_client(counting))
    assert len(counting.request_ids) == 3 and len(set(counting.request_ids)) == 3
    error = caught.value
    assert (error.status_code, error.content_type) == (502, "text/html; charset=utf-8")
    assert "502 Bad Gateway" in error.body_excerpt


@pytest.mark.parametrize("status", [429, 503, 504])
def test_retryable_statuses_are_retried_exactly_max_retries_times(status: int) -> None:
    counting = Counting(lambda r: httpx.Response(status, text="busy"))
    with pytest.raises(UnexpectedResponseError, match=f"HTTP {status}"):
        call_stop_order(mock_client(counting))
    assert len(counting.request_ids) == 3


def test_a_retry_that_succeeds_returns_the_answer() -> None:
    answers = iter([httpx.Response(503), None])

    def handler(request: httpx.Request) -> httpx.Response:
        failed = next(answers)
        return failed or reply(request, envelope(0, totalCount=1, successCount=1, errList=[]))

    result = call_stop_order(mock_client(handler))
    assert (result.ret_code, result.success_count) == (0, 1)


def test_retry_after_is_honoured() -> None:
    waits: list[float] = []
    client = mock_client(Counting(lambda r: httpx.Response(429, headers={"Retry-After": "2"})))
    client._httpx_args["transport"].auth.sleep = waits.append  # record instead of sleeping
    with pytest.raises(UnexpectedResponseError, match="HTTP 429"):
        call_stop_order(client)
    assert waits == [2.0, 2.0]


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    counting = Counting(lambda r: httpx.Response(503, headers={"Retry-After": "3600"}))
    with pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        call_stop_order(mock_client(counting))
    assert len(counting.request_ids) == 1


def test_an_undocumented_status_is_not_retried() -> None:
    counting = Counting(lambda r: httpx.Response(404, text="not found"))
    with pytest.raises(UnexpectedResponseError, match="HTTP 404"):
        call_stop_order(mock_client(counting))
    assert len(counting.request_ids) == 1


def test_truncated_json_is_unexpected_response_error() -> None:
    body = envelope(0, totalCount=1)[:-9]
    with pytest.raises(UnexpectedResponseError, match="not a JSON object") as caught:
        call_stop_order(mock_client(lambda r: reply(r, body)))
    assert caught.value.body_excerpt == body.decode()


def test_200_with_an_empty_body_is_unexpected_response_error() -> None:
    with pytest.raises(UnexpectedResponseError, match="0 bytes"):
        call_stop_order(mock_client(lambda r: reply(r, b"", signed=False)))


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        (lambda r: reply(r, envelope(0), signed=False), "missing_header"),
        (lambda r: reply(r, envelope(0), sign="A" * 32), "sign_mismatch"),
        (lambda r: reply(r, envelope(0), createTs=str(int(time.time()) - 900)), "sign_mismatch"),
        (lambda r: reply(r, envelope(0), requestID="f" * 32), "request_id_echo"),
    ],
    ids=["missing sign", "forged sign", "createTs changed after signing", "wrong requestID echo"],
)
def test_signature_faults_are_signature_errors_and_not_retried(fault: Handler, rule: str) -> None:
    counting = Counting(fault)
    with pytest.raises(SignatureError) as caught:
        call_stop_order(mock_client(counting))
    assert caught.value.rule == rule and len(counting.request_ids) == 1


@pytest.mark.parametrize("offset", [-900, 900], ids=["stale createTs", "future createTs"])
def test_a_stale_or_future_createts_is_a_signature_error(offset: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ts = str(int(time.time()) + offset)
        body = envelope(0)
        sign = independent_sign(SECRET, body, ts, request.headers["requestID"], UUID, "MD5")
        return reply(request, body, createTs=ts, sign=sign)

    with pytest.raises(SignatureError, match="from local time") as caught:
        call_stop_order(mock_client(handler))
    assert caught.value.rule == "clock_skew"


# --- every documented retCode ---------------------------------------------------------------------------

RET_CODES: list[tuple[int, type[CallbotError], bool]] = [
    (1, CallbotError, False),
    (2, InvalidRequestError, False),
    (3, InvalidRequestError, False),
    (4, InvalidRequestError, False),
    (4001, InvalidRequestError, False),
    (5, ServiceUnavailableError, True),
    (5001, ServiceUnavailableError, True),
    (6, SignatureRejectedError, False),
    (6001, SignatureRejectedError, False),
    (6002, AuthenticationError, False),
    (6003, PermissionDeniedError, False),
    (7, ServiceUnavailableError, True),
    (1001, BatchInProgressError, False),
    (9999, CallbotError, False),
]


@pytest.mark.parametrize(("ret_code", "error", "retried"), RET_CODES, ids=[str(c) for c, _, _ in RET_CODES])
def test_every_documented_ret_code_raises_its_typed_error(
    ret_code: int, error: type[CallbotError], retried: bool
) -> None:
    counting = Counting(lambda r: reply(r, envelope(ret_code)))
    with pytest.raises(error) as caught:
        call_stop_order(mock_client(counting))
    assert type(caught.value) is error
    assert (caught.value.ret_code, caught.value.ret_msg, caught.value.response_id) == (
        ret_code,
        f"msg {ret_code}",
        "resp-1",
    )
    assert caught.value.request_id == counting.request_ids[-1]
    assert caught.value.operation == "stopOrder"
    assert len(counting.request_ids) == (3 if retried else 1)


def test_ping_failures_use_its_code_msg_envelope() -> None:
    body = json.dumps({"data": "", "timestamp": 1, "code": 6003, "msg": "no permission", "reqId": "req-9"}).encode()
    client = mock_client(lambda r: reply(r, body))
    with client, pytest.raises(PermissionDeniedError) as caught:
        ping.sync(client=client, body=PingRequest(data="x"))
    assert (caught.value.ret_msg, caught.value.response_id, caught.value.operation) == (
        "no permission",
        "req-9",
        "ping",
    )


def test_raise_on_error_false_hands_the_error_envelope_back_to_a_plain_httpx_caller() -> None:
    body = envelope(4)  # an error reply carries only the envelope
    auth = CallbotAuth(UUID, SECRET, raise_on_error=False)
    with httpx.Client(
        transport=CallbotTransport(auth, sync_transport=httpx.MockTransport(lambda r: reply(r, body)))
    ) as c:
        response = c.post("http://127.0.0.1:9/callcentre/api/v3/stopOrder", json={"productID": "callbot"})
    assert response.extensions["callbot.json"] == json.loads(body)


# --- logging and secrets ----------------------------------------------------------------------------------

ALL_FAULTS: list[Handler] = [
    lambda r: httpx.Response(502, html="<html>bad</html>"),
    lambda r: reply(r, b'{"retCode":0'),
    lambda r: reply(r, b"", signed=False),
    lambda r: reply(r, envelope(0), signed=False),
    lambda r: reply(r, envelope(0), requestID="0" * 32),
    lambda r: reply(r, envelope(0), sign="A" * 32),
    *[functools.partial(lambda code, r: reply(r, envelope(code)), code) for code, _, _ in RET_CODES],
]


def test_no_error_log_record_or_repr_shows_the_secret_or_the_sign(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot")
    rendered: list[str] = []
    signs: list[str] = []
    for fault in ALL_FAULTS:
        counting = Counting(fault)
        client = mock_client(counting)
        transport = client._httpx_args["transport"]
        rendered += [repr(client), repr(transport.auth), repr(transport)]
        with pytest.raises(CallbotError) as caught:
            call_stop_order(client)
        rendered += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
        signs += counting.signs
    with pytest.raises(APIConnectionError) as refused:
        call_stop_order(connect(f"http://127.0.0.1:{closed_port()}", UUID, SECRET, retry_policy=FAST))
    rendered += [str(refused.value), repr(vars(refused.value))]
    rendered += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert len(caplog.records) >= len(ALL_FAULTS)
    everything = "\n".join(rendered)
    assert SECRET not in everything
    assert not any(sign in everything for sign in signs)


def test_a_call_logs_a_debug_record_per_attempt_and_an_info_record_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot")
    answers = iter([httpx.Response(503), None])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers) or reply(request, envelope(0, totalCount=0, successCount=0, errList=[]))

    call_stop_order(mock_client(handler))
    records = [r for r in caplog.records if r.name == "callbot"]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.INFO, logging.DEBUG]
    first, retry, second = (r.getMessage() for r in records)
    assert first.startswith("stopOrder attempt=1 ") and "status=503" in first
    assert retry.startswith("stopOrder: retrying in ") and "after HTTP 503 (attempt 1 of 3)" in retry
    assert second.startswith("stopOrder attempt=2 ") and "status=200 retCode=0" in second and "elapsed_ms=" in second


# --- timeouts ---------------------------------------------------------------------------------------------


def test_connect_sets_finite_connect_and_read_timeouts_by_default() -> None:
    client = connect("http://127.0.0.1:9", UUID, SECRET)
    timeout = client.get_httpx_client().timeout
    assert (timeout.connect, timeout.read, timeout.write) == (5.0, 30.0, 30.0)


def test_a_timeout_can_be_overridden_for_one_call() -> None:
    with faulty_server("slow", delay=3.0) as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, max_retries=0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            call_stop_order(client.with_timeout(httpx.Timeout(0.1)))
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_a_non_positive_timeout_is_refused(timeout: float) -> None:
    with pytest.raises(ValueError, match="positive number of seconds"):
        connect("http://127.0.0.1:9", UUID, SECRET, timeout=timeout)


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        connect("nxbot.nxcloud.com", UUID, SECRET)
