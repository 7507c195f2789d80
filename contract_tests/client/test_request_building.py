"""The requests Callbot, AsyncCallbot and connect() build: what httpx's own build_request makes, header for header
and in the same order, but built once per URL and client and copied per call, and built anew once the httpx
client's headers or query parameters change."""

from __future__ import annotations

import importlib.metadata
import platform
from typing import Any

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.models import PingRequest
from callbot_signing import AsyncCallbot, Callbot, RetryPolicy, connect

from ..mock_service import SECRET, UUID, Recorder, pong

BASE_URL = "http://callbot.test/gateway"
PING_URL = f"{BASE_URL}/callcentre/api/v3/ping"
USER_AGENT = (
    f"nxcloud-callbot/{importlib.metadata.version('nxcloud-callbot')} httpx/{httpx.__version__} "
    f"Python/{platform.python_version()}"
)
SIGNED = {"requestid", "uuid", "createts", "algorithm", "sign"}
#: What httpx sends for a post, before the signature: its defaults, the client's headers, the call's (the
#: Accept-Encoding names what the client decodes: tested in test_answer_encodings.py).
EXPECTED = [
    ("Host", "callbot.test"),
    ("Accept", "*/*"),
    ("Accept-Encoding", "..."),
    ("Connection", "keep-alive"),
    ("User-Agent", USER_AGENT),
    ("X-Trace", "t-1"),
    ("Content-Type", "application/json"),
    ("Content-Length", "15"),
]


def unsigned_headers(request: httpx.Request) -> list[tuple[str, str]]:
    """The headers before the signature's, as sent (names as spelled), the Content-Length checked."""
    assert request.headers["Content-Length"] == str(len(request.content))
    return [
        (name.decode(), "..." if name.lower() == b"accept-encoding" else value.decode())
        for name, value in request.headers.raw
        if name.decode().lower() not in SIGNED
    ]


def header_names(request: httpx.Request) -> list[str]:
    return [name.decode() for name, _ in request.headers.raw]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs httpx's own Client.build_request and AsyncClient.build_request were asked to build."""
    built: list[str] = []
    for client_class in (httpx.Client, httpx.AsyncClient):
        build_request = client_class.build_request

        def counting(self: Any, method: str, url: Any, *, _build: Any = build_request, **kwargs: Any) -> httpx.Request:
            built.append(str(url))
            return _build(self, method, url, **kwargs)  # type: ignore[no-any-return]

        monkeypatch.setattr(client_class, "build_request", counting)
    return built


def test_callbot_posts_what_httpx_builds_header_for_header(builds: list[str]) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"X-Trace": "t-1"}, "params": {"tenant": "a"}}
    with Callbot(BASE_URL, UUID, SECRET, httpx_args=args) as bot:
        for n in range(3):
            bot.ping(data=f"hello-{n:04d}")
    assert [unsigned_headers(r) for r in recorder.requests] == [
        [(n, "21") if n == "Content-Length" else (n, v) for n, v in EXPECTED]
    ] * 3
    assert [header_names(r)[len(EXPECTED) :] for r in recorder.requests] == [
        ["requestID", "uuid", "createTs", "algorithm", "sign"]
    ] * 3
    assert [str(r.url) for r in recorder.requests] == [f"{PING_URL}?tenant=a"] * 3
    assert [r.content for r in recorder.requests] == [f'{{"data":"hello-{n:04d}"}}'.encode() for n in range(3)]
    assert len(builds) == 1  # built once, copied for the next calls


async def test_async_callbot_builds_its_post_once_per_url_too(builds: list[str]) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"X-Trace": "t-1"}}
    async with AsyncCallbot(BASE_URL, UUID, SECRET, httpx_args=args) as bot:
        for n in range(3):
            await bot.ping(data=f"{n}" * 4)
    assert [unsigned_headers(r) for r in recorder.requests] == [EXPECTED] * 3
    assert len(builds) == 1


def test_a_generated_function_posts_what_httpx_builds_once_per_url(builds: list[str]) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"X-Trace": "t-1"}}
    with connect(BASE_URL, UUID, SECRET, httpx_args=args) as client:
        for n in range(3):
            ping.sync(client=client, body=PingRequest(data=f"{n}" * 4))
    assert [unsigned_headers(r) for r in recorder.requests] == [EXPECTED] * 3
    assert [str(r.url) for r in recorder.requests] == [PING_URL] * 3
    assert len(builds) == 1


async def test_a_generated_function_awaited_posts_what_httpx_builds_once_per_url(builds: list[str]) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": {"X-Trace": "t-1"}}
    client = connect(BASE_URL, UUID, SECRET, httpx_args=args)
    async with client.get_async_httpx_client():
        for n in range(3):
            await ping.asyncio(client=client, body=PingRequest(data=f"{n}" * 4))
    assert [unsigned_headers(r) for r in recorder.requests] == [EXPECTED] * 3
    assert len(builds) == 1


def test_a_header_or_parameter_set_on_the_httpx_client_is_sent_from_the_next_call(builds: list[str]) -> None:
    recorder = Recorder()
    client = connect(BASE_URL, UUID, SECRET, httpx_args={"transport": httpx.MockTransport(recorder)})
    with client:
        ping.sync(client=client, body=PingRequest(data="one"))
        client.with_headers({"X-Trace": "t-2"})  # changes the headers of the httpx client already made
        ping.sync(client=client, body=PingRequest(data="two"))
        client.get_httpx_client().params = httpx.QueryParams({"tenant": "b"})
        ping.sync(client=client, body=PingRequest(data="three"))
    assert [r.headers.get("X-Trace") for r in recorder.requests] == [None, "t-2", "t-2"]
    assert [str(r.url) for r in recorder.requests] == [PING_URL, PING_URL, f"{PING_URL}?tenant=b"]
    assert len(builds) == 3


def test_a_client_keeping_cookies_builds_every_post_with_httpx(builds: list[str]) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "cookies": {"session": "s-1"}}
    with Callbot(BASE_URL, UUID, SECRET, httpx_args=args) as bot:
        bot.ping(data="one")
        bot.ping(data="two")
    assert [r.headers.get("cookie") for r in recorder.requests] == ["session=s-1"] * 2
    assert len(builds) == 2


def test_each_attempt_of_a_retried_call_carries_each_signature_header_once_and_a_fresh_request_id() -> None:
    seen: list[list[tuple[str, str]]] = []  # each attempt's signature headers, as sent (the request is re-signed)

    def refuse_twice(request: httpx.Request) -> httpx.Response:
        seen.append([(n.decode(), v.decode()) for n, v in request.headers.raw if n.decode().lower() in SIGNED])
        return httpx.Response(503) if len(seen) < 3 else pong(request)

    retry = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.001)
    transport = httpx.MockTransport(refuse_twice)
    with connect(BASE_URL, UUID, SECRET, retry_policy=retry, httpx_args={"transport": transport}) as client:
        ping.sync(client=client, body=PingRequest(data="again"))
    assert [[name for name, _ in attempt] for attempt in seen] == [
        ["requestID", "uuid", "createTs", "algorithm", "sign"]
    ] * 3
    assert len({attempt[0][1] for attempt in seen}) == 3
