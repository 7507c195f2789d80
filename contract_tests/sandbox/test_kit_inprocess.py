"""The testing kit's in-process transports (callbot_sandbox.inprocess): an ASGI app called with no socket, but
with a network's timeout and lost-connection behaviour, which a client's error handling depends on."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
from callbot_sandbox.inprocess import AsyncInProcessTransport, CallerLoop, InProcessTransport, LoopThread
from callbot_sandbox.kit import running
from nxcloud_callbot import APIConnectionError, APITimeoutError
from starlette.types import Receive, Scope, Send

URL = "http://app.localhost/path?x=1"


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    message = await receive()
    headers = [(b"x-path", scope["path"].encode()), (b"x-query", scope["query_string"])]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": b"got " + message["body"], "more_body": True})
    await send({"type": "http.response.body", "body": b"!"})


async def never_answers(scope: Scope, receive: Receive, send: Send) -> None:
    await asyncio.sleep(60)


async def starts_then_fails(scope: Scope, receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
    raise RuntimeError("the answer is dropped after the request was carried out")


async def ends_half_way(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"part", "more_body": True})


@pytest.fixture
def loop() -> Any:
    thread = LoopThread("test-inprocess")
    yield thread
    thread.stop()


def test_a_sync_request_reaches_the_app_and_the_whole_answer_comes_back(loop: LoopThread) -> None:
    with httpx.Client(transport=InProcessTransport(echo, runner=loop)) as client:
        response = client.post(URL, content=b"body")
    assert (response.status_code, response.content) == (201, b"got body!")
    assert (response.headers["x-path"], response.headers["x-query"]) == ("/path", "x=1")


async def test_an_async_request_reaches_the_app_on_the_callers_loop() -> None:
    async with httpx.AsyncClient(transport=AsyncInProcessTransport(echo)) as client:
        response = await client.post(URL, content=b"body")
    assert (response.status_code, response.content) == (201, b"got body!")


def test_an_app_that_does_not_answer_within_the_read_timeout_is_a_read_timeout(loop: LoopThread) -> None:
    with (
        httpx.Client(transport=InProcessTransport(never_answers, runner=loop), timeout=0.05) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.post(URL, content=b"")


async def test_an_async_app_that_does_not_answer_in_time_is_a_read_timeout() -> None:
    async with httpx.AsyncClient(transport=AsyncInProcessTransport(never_answers), timeout=0.05) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post(URL, content=b"")


@pytest.mark.parametrize("app", [starts_then_fails, ends_half_way], ids=["raises", "ends-half-way"])
def test_an_app_that_ends_without_a_complete_answer_is_a_lost_connection(loop: LoopThread, app: Any) -> None:
    with (
        httpx.Client(transport=InProcessTransport(app, runner=loop)) as client,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        client.post(URL, content=b"x")


@pytest.mark.parametrize("app", [starts_then_fails, ends_half_way], ids=["raises", "ends-half-way"])
async def test_an_async_app_that_ends_without_a_complete_answer_is_a_lost_connection(app: Any) -> None:
    async with httpx.AsyncClient(transport=AsyncInProcessTransport(app)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(URL, content=b"x")


def test_a_sync_call_from_the_transports_own_loop_is_refused_not_a_deadlock(loop: LoopThread) -> None:
    transport = InProcessTransport(echo, runner=loop)
    outcome: list[BaseException] = []

    async def inside() -> None:
        try:
            transport.handle_request(httpx.Request("POST", URL, content=b""))
        except RuntimeError as exc:
            outcome.append(exc)

    loop.run(inside(), timeout=5)
    assert outcome and "async client" in str(outcome[0])


def test_callbot_through_the_transport_turns_a_timeout_and_a_lost_answer_into_its_typed_errors() -> None:
    with running() as sb:
        slow = sb.client(timeout=0.05, max_retries=0, httpx_args={"transport": InProcessTransport(never_answers)})
        with pytest.raises(APITimeoutError):
            slow.ping(data="x")
        lost = sb.client(max_retries=0, httpx_args={"transport": InProcessTransport(starts_then_fails)})
        with pytest.raises(APIConnectionError):
            lost.ping(data="x")


def test_the_shared_loop_serves_calls_from_several_threads_at_once() -> None:
    transport = InProcessTransport(echo)
    answers: list[bytes] = []

    def call(n: int) -> None:
        with httpx.Client(transport=transport) as client:
            answers.append(client.post(URL, content=str(n).encode()).content)

    threads = [threading.Thread(target=call, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(answers) == sorted(f"got {n}!".encode() for n in range(8))


async def test_a_sync_client_called_inside_a_coroutine_is_served_on_the_shared_loop() -> None:
    with running() as sb:
        assert sb.client().ping(data="inside").data == "inside"  # this thread's loop is busy running the test


def test_a_receiver_app_runs_on_one_event_loop_whichever_thread_delivers() -> None:
    loops: set[int] = set()

    async def remembers_its_loop(scope: Scope, receive: Receive, send: Send) -> None:
        loops.add(id(asyncio.get_running_loop()))
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    runner = CallerLoop()
    transport = InProcessTransport(remembers_its_loop, runner=runner)
    threads = [
        threading.Thread(target=lambda: transport.handle_request(httpx.Request("POST", URL, content=b"")))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    runner.close()
    assert len(loops) == 1
