"""connect(): finite timeouts by default, overridable per call; bad settings refused at construction; no cookies
unless asked, URLs joined once (the same path as Callbot)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from callbot_client import Client
from callbot_client.api.health import ping
from callbot_client.models import PingRequest
from callbot_signing import (
    APITimeoutError,
    connect,
)

from .._support import (
    FAULT_SECRET as SECRET,
)
from .._support import (
    FAULT_UUID as UUID,
)
from .._support import (
    call_stop_order,
)
from ..faulty_server import faulty_server
from ..mock_service import SECRET as MOCK_SECRET
from ..mock_service import UUID as MOCK_UUID
from ..mock_service import Recorder, pong

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
    with pytest.raises(ValueError, match="timeout must be a finite number of seconds from more than 0"):
        connect("http://127.0.0.1:9", UUID, SECRET, timeout=timeout)


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        connect("nxbot.nxcloud.com", UUID, SECRET)


# --- cookies and URLs: the same path as Callbot -------------------------------------------------------------


def cookie_setter(request: httpx.Request) -> httpx.Response:
    answer = pong(request)
    answer.headers["set-cookie"] = "lb=node-7; Path=/"
    return answer


def pinged(client: Client, count: int = 2) -> None:
    for n in range(count):
        ping.sync(client=client, body=PingRequest(data=f"call-{n}"))


@pytest.mark.parametrize(
    ("httpx_args", "given", "sent"),
    [
        ({}, {}, [None, None]),
        ({"cookies": {}}, {}, [None, "lb=node-7"]),
        ({}, {"session": "s-1"}, ["session=s-1", "session=s-1; lb=node-7"]),
    ],
    ids=["default", "httpx_args", "with_cookies"],
)
def test_connect_keeps_no_cookie_a_server_sets_unless_cookies_are_given(
    httpx_args: dict[str, object], given: dict[str, str], sent: list[str | None]
) -> None:
    recorder = Recorder(cookie_setter)
    args = {"transport": httpx.MockTransport(recorder), **httpx_args}
    client = connect("http://callbot.test", MOCK_UUID, MOCK_SECRET, httpx_args=args)
    with client.with_cookies(given) if given else client as used:
        pinged(used)
    assert [r.headers.get("cookie") for r in recorder.requests] == sent


async def test_connect_keeps_no_cookie_in_async_calls_either() -> None:
    recorder = Recorder(cookie_setter)
    client = connect(
        "http://callbot.test", MOCK_UUID, MOCK_SECRET, httpx_args={"transport": httpx.MockTransport(recorder)}
    )
    async with client.get_async_httpx_client():
        for n in range(2):
            await ping.asyncio(client=client, body=PingRequest(data=f"call-{n}"))
    assert [r.headers.get("cookie") for r in recorder.requests] == [None, None]


@pytest.mark.parametrize("base_url", ["http://callbot.test/gateway", "http://callbot.test/gateway/"])
def test_a_generated_function_joins_base_url_and_path_once_as_httpx_would(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    joined: list[object] = []
    copy_with = httpx.URL.copy_with

    def counting(url: httpx.URL, **kwargs: Any) -> httpx.URL:
        joined.append(kwargs)
        return copy_with(url, **kwargs)

    monkeypatch.setattr(httpx.URL, "copy_with", counting)
    with connect(base_url, MOCK_UUID, MOCK_SECRET, httpx_args={"transport": httpx.MockTransport(recorder)}) as client:
        pinged(client)  # the first call joins the URL
        joined.clear()
        pinged(client, 3)
        assert joined == []  # later calls reuse it
        client.get_httpx_client().base_url = "http://other.test/v2"  # a new base URL is joined anew
        pinged(client, 1)
    expected = httpx.Client(base_url=base_url).build_request("POST", "/callcentre/api/v3/ping").url
    assert [str(r.url) for r in recorder.requests] == [str(expected)] * 5 + [
        "http://other.test/v2/callcentre/api/v3/ping"
    ]
