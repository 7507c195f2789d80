"""Callbot and AsyncCallbot copies and reuse: with_options leaves the original unchanged and applies to the copy
only, a copy shares the connection and closing it keeps the pool open, and a client can be entered again after
each exit (or aclose)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Never

import httpx
import pytest
from callbot_sandbox import Sandbox, serve_in_thread
from callbot_signing import (
    AsyncCallbot,
    Callbot,
    UnexpectedResponseError,
)

from .._support import documented_sign
from ..conftest import MD5_ACCOUNT, make_sandbox
from ..recording import RecordingApp

UUID = "client-uuid"
SECRET = "client-secret-key-0123"


Handler = Callable[[httpx.Request], httpx.Response]


def signed(request: httpx.Request, answer: dict[str, object]) -> httpx.Response:
    body = json.dumps(answer).encode()
    headers = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    headers["sign"] = documented_sign(SECRET, body, headers["createTs"], headers["requestID"], UUID, "MD5")
    return httpx.Response(200, content=body, headers=headers)


def pong(request: httpx.Request) -> httpx.Response:
    return signed(request, {"data": "x", "timestamp": int(time.time()), "code": 0, "msg": "ok", "reqId": "r"})


class Recorder:
    """A MockTransport handler that keeps every request and answers with ``answer`` (a signed Ping by default)."""

    def __init__(self, answer: Handler = pong) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def mocked(
    recorder: Recorder, *, timeout: float = 30.0, max_retries: int = 2, max_response_bytes: int = 64 * 1024 * 1024
) -> Callbot[Never]:
    return Callbot(
        "http://callbot.test",
        UUID,
        SECRET,
        timeout=timeout,
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
        httpx_args={"transport": httpx.MockTransport(recorder)},
    )


@pytest.fixture
def recorded() -> Iterator[tuple[Sandbox, RecordingApp, str]]:
    """The conftest sandbox on 127.0.0.1, behind a recorder of what the server saw per request."""
    sandbox = make_sandbox()
    recorder = RecordingApp(sandbox.asgi_app())
    with serve_in_thread(recorder) as url:
        yield sandbox, recorder, url


def live(url: str) -> Callbot[Never]:
    return Callbot(url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key)


# --- with_options, the pool, close and reuse -----------------------------------------------------------


def test_with_options_leaves_the_original_unchanged() -> None:
    recorder = Recorder()
    original = mocked(recorder, timeout=7.0, max_retries=1)
    fast = original.with_options(timeout=2.5, max_retries=0)
    assert (original.timeout.read, original.max_retries) == (7.0, 1)
    assert (fast.timeout.read, fast.max_retries) == (2.5, 0)
    assert (fast.base_url, fast.uuid, fast.algorithm) == (original.base_url, original.uuid, original.algorithm)
    # The timeouts really travel with the requests of each.
    original.ping(data="a")
    fast.ping(data="b")
    original.ping(data="c")
    assert [request.extensions["timeout"]["read"] for request in recorder.requests] == [7.0, 2.5, 7.0]
    original.close()


def test_with_options_max_retries_applies_to_the_copy_only() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    original = mocked(recorder, max_retries=1)
    with pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        original.with_options(max_retries=0).ping(data="x")
    assert len(recorder.requests) == 1
    with pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        original.ping(data="x")  # one retry after a backoff of at most 0.5 s
    assert len(recorder.requests) == 1 + 2
    original.close()


def test_with_options_shares_the_connection_and_closing_the_copy_keeps_it(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    original = live(url)
    copy = original.with_options(timeout=9.0, max_retries=0)
    original.ping(data="1")
    copy.ping(data="2")
    copy.close()
    original.ping(data="3")
    ports = [seen.client_port for seen in server.seen]
    assert ports[0] == ports[1] == ports[2], ports  # one TCP connection served all three
    original.close()
    original.ping(data="4")  # reusable after close, over a new connection
    assert server.seen[3].client_port != ports[0]
    original.close()


def test_re_entering_with_works_and_each_exit_closes_the_connection(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    client = live(url)
    for round_ in range(3):
        with client:
            assert client.ping(data=f"round {round_}").data == f"round {round_}"
            assert client.ping(data="again").code == 0
    ports = [seen.client_port for seen in server.seen]
    assert ports[0] == ports[1] and ports[2] == ports[3] and ports[4] == ports[5]
    assert len({ports[0], ports[2], ports[4]}) == 3, ports


async def test_the_async_client_is_reusable_after_aclose_and_async_with(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    client = AsyncCallbot(url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key)
    async with client:
        assert (await client.ping(data="1")).data == "1"
    async with client:
        assert (await client.ping(data="2")).data == "2"
    await client.aclose()
    assert (await client.ping(data="3")).data == "3"
    await client.aclose()
    assert len(server.seen) == 3 and len({seen.client_port for seen in server.seen}) == 3
