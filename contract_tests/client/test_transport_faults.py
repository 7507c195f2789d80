"""Faults below and at HTTP (refused, reset, slow, HTML pages, statuses, signatures): each ends in
its typed error, within bounded time, after exactly the retries the policy allows."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from callbot_client.api.orders import stop_order
from callbot_signing import (
    APIConnectionError,
    APITimeoutError,
    CallbotAuth,
    CallbotTransport,
    SignatureError,
    UnexpectedResponseError,
    connect,
)

from .._support import (
    FAULT_BODY as BODY,
)
from .._support import (
    FAULT_POLICY as FAST,
)
from .._support import (
    FAULT_SECRET as SECRET,
)
from .._support import (
    FAULT_UUID as UUID,
)
from .._support import (
    Counting,
    Handler,
    call_stop_order,
    envelope,
    mock_client,
    reply,
)
from .._support import documented_sign as independent_sign
from ..faulty_server import closed_port, faulty_server

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
