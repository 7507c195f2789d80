"""close()/aclose() while calls are in flight (or during a TLS handshake, or between two attempts) ends them at once
with APIConnectionError, whose outcome_unknown says whether a write may have been carried out; a client over a
transport of one's own is usable again after close(); threads making their first call at once share one pool."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from callbot_client.models import ListTaskConditions
from callbot_sandbox import serve_in_thread
from callbot_signing import (
    APIConnectionError,
    AsyncCallbot,
    Callbot,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    RetryPolicy,
)

from ..answer_server import SilentServer, silent_server
from ..conftest import MD5_ACCOUNT, make_sandbox

UUID, SECRET = MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key


#: Seconds within which a closed client's calls must have ended (their timeout is 20 s, 3 attempts).
PROMPT = 3.0


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve_in_thread(make_sandbox().asgi_app()) as url:
        yield url


# --- close() while calls are in flight; one pool per client --------------------------------------------


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with silent_server() as server:
        yield server


def _was_closed(outcome: object) -> bool:
    return isinstance(outcome, APIConnectionError) and "the client was closed" in str(outcome)


def _in_threads(*calls: Callable[[], object]) -> tuple[list[threading.Thread], dict[int, object]]:
    """Each call started in a thread of its own; the outcomes (value or exception) by the call's index."""
    outcomes: dict[int, object] = {}

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            outcomes[index] = call()
        except Exception as exc:  # the test checks it
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_close_from_other_threads_ends_the_calls_in_flight_at_once(silent: SilentServer) -> None:
    client = Callbot(silent.url, UUID, SECRET, timeout=20)  # ping is retried: 3 attempts of 20 s
    started = time.monotonic()
    callers, outcomes = _in_threads(*[lambda: client.ping(data="x")] * 4)
    silent.wait_for_requests(4)
    closers, _ = _in_threads(client.close, client.close, client.close)  # closed three times at once
    for thread in closers + callers:
        thread.join(PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert len(outcomes) == 4 and all(_was_closed(outcome) for outcome in outcomes.values()), outcomes
    silent.wait_for_ended(4, PROMPT)  # their sockets were shut down, none left open


async def test_aclose_from_other_tasks_ends_the_calls_in_flight_at_once(silent: SilentServer) -> None:
    client = AsyncCallbot(silent.url, UUID, SECRET, timeout=20)

    async def call() -> object:
        try:
            return await client.ping(data="x")
        except Exception as exc:  # the test checks it
            return exc

    started = time.monotonic()
    calls = [asyncio.create_task(call()) for _ in range(4)]
    deadline = time.monotonic() + 10
    while silent.requests < 4:  # polled here: a blocking wait would stop the calls' own event loop
        assert time.monotonic() < deadline, f"{silent.requests} of 4 requests arrived"
        await asyncio.sleep(0.005)
    await asyncio.gather(client.aclose(), client.aclose(), client.aclose())
    outcomes = await asyncio.wait_for(asyncio.gather(*calls), PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert all(_was_closed(outcome) for outcome in outcomes), outcomes


def test_a_write_cut_short_by_close_has_its_outcome_unknown_and_a_read_does_not(silent: SilentServer) -> None:
    client = Callbot(silent.url, UUID, SECRET, timeout=20)
    callers, outcomes = _in_threads(
        lambda: client.create_task(user_task_id="t", scene_id="s"),
        lambda: client.list_task(query_conditions=ListTaskConditions(), page=1, size=10),
    )
    silent.wait_for_requests(2)
    client.close()
    for thread in callers:
        thread.join(PROMPT)
    write, read = outcomes[0], outcomes[1]
    assert _was_closed(write) and _was_closed(read), outcomes
    assert isinstance(write, APIConnectionError) and isinstance(read, APIConnectionError)
    assert write.outcome_unknown is True and "Outcome unknown: createTask may have been carried out" in str(write)
    assert read.outcome_unknown is False and "can be called again safely" in str(read)


@contextlib.contextmanager
def refused_api() -> Iterator[str]:
    """The API's root on a port of 127.0.0.1 that refuses connections (bound, not listening) meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{holder.getsockname()[1]}/callcentre/api/v3"


def test_a_close_between_two_attempts_ends_the_call_with_nothing_sent() -> None:
    """A connection refused is retried for any operation; the client is closed during the wait before the retry."""
    transport = CallbotTransport(
        CallbotAuth(UUID, SECRET, retry=RetryPolicy(max_retries=1), sleep=lambda seconds: transport.close())
    )
    with refused_api() as api, httpx.Client(transport=transport) as http, pytest.raises(APIConnectionError) as caught:
        http.post(f"{api}/createTask", content=b"{}")
    assert "createTask was not sent: the client was closed" in str(caught.value)
    assert caught.value.outcome_unknown is False


async def test_an_aclose_between_two_attempts_ends_the_call_with_nothing_sent() -> None:
    async def closing(seconds: float) -> None:
        await transport.aclose()

    transport = CallbotTransport(CallbotAuth(UUID, SECRET, retry=RetryPolicy(max_retries=1), async_sleep=closing))
    with refused_api() as api:
        async with httpx.AsyncClient(transport=transport) as http:
            with pytest.raises(APIConnectionError) as caught:
                await http.post(f"{api}/createTask", content=b"{}")
    assert "createTask was not sent: the client was closed" in str(caught.value)
    assert caught.value.outcome_unknown is False


def test_a_close_during_a_tls_handshake_ends_the_call_at_once(silent: SilentServer) -> None:
    """The server takes the TLS hello and never answers it: close() must end the handshake, not the timeout."""
    client = Callbot(f"https://127.0.0.1:{silent.port}", UUID, SECRET, timeout=20)
    started = time.monotonic()
    callers, outcomes = _in_threads(lambda: client.ping(data="x"))
    silent.wait_for_greetings(1)
    client.close()
    callers[0].join(PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert _was_closed(outcomes.get(0)), outcomes
    silent.wait_for_ended(1, PROMPT)  # its socket was shut down, not left open


async def test_an_aclose_during_a_tls_handshake_ends_the_call_at_once(silent: SilentServer) -> None:
    client = AsyncCallbot(f"https://127.0.0.1:{silent.port}", UUID, SECRET, timeout=20)
    call = asyncio.ensure_future(client.ping(data="x"))
    deadline = time.monotonic() + 10
    while silent.greeted < 1:  # polled here: a blocking wait would stop the call's own event loop
        assert time.monotonic() < deadline, "no TLS hello arrived"
        await asyncio.sleep(0.005)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed"):
        await asyncio.wait_for(call, PROMPT)
    assert time.monotonic() - started < PROMPT


def test_closing_while_threads_keep_calling_gives_only_callbot_errors_and_the_client_stays_usable(
    sandbox_url: str,
) -> None:
    client = Callbot(sandbox_url, UUID, SECRET, timeout=10)
    barrier = threading.Barrier(9)
    calls_ended = threading.Semaphore(0)  # one release per call that ended: each close() waits for one
    unexpected: list[BaseException] = []
    durations: list[float] = []

    def caller() -> None:
        barrier.wait(10)
        for _ in range(6):
            started = time.monotonic()
            try:
                client.ping(data="x")
            except CallbotError:  # APIConnectionError: the client was closed under this call
                pass
            except Exception as exc:  # RuntimeError, AttributeError: what close() must never surface
                unexpected.append(exc)
            durations.append(time.monotonic() - started)
            calls_ended.release()

    def closer() -> None:
        barrier.wait(10)
        for _ in range(6):
            calls_ended.acquire(timeout=10)
            client.close()

    threads = [threading.Thread(target=caller) for _ in range(6)] + [threading.Thread(target=closer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert unexpected == []
    # No call waited for its timeout: a socket closed under a call about to wait on it could have its number
    # taken by a new socket, and the call would watch that one until the timeout.
    assert max(durations) < 5, f"a call took {max(durations):.1f} s"
    assert client.ping(data="again").data == "again"
    client.close()


def test_a_client_over_a_transport_of_ones_own_is_usable_again_after_close(sandbox_url: str) -> None:
    client = Callbot(sandbox_url, UUID, SECRET, max_retries=0, httpx_args={"transport": httpx.HTTPTransport()})
    for round_ in range(3):
        assert client.ping(data=f"round {round_}").data == f"round {round_}"
        client.close()


async def test_an_async_client_over_a_transport_of_ones_own_is_usable_again_after_aclose(sandbox_url: str) -> None:
    transport = httpx.AsyncHTTPTransport()
    client = AsyncCallbot(sandbox_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport})
    for round_ in range(3):
        assert (await client.ping(data=f"round {round_}")).data == f"round {round_}"
        await client.aclose()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_threads_making_their_first_call_at_once_share_one_pool(
    sandbox_url: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    real = httpx.HTTPTransport if kind == "sync" else httpx.AsyncHTTPTransport

    class CountedTransport(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, real.__name__, CountedTransport)
    barrier = threading.Barrier(16)
    if kind == "sync":
        with Callbot(sandbox_url, UUID, SECRET) as client:

            def first_call() -> object:
                barrier.wait(10)
                return client.ping(data="x")

            threads, outcomes = _in_threads(*[first_call] * 16)
            for thread in threads:
                thread.join(20)
        assert not any(isinstance(outcome, BaseException) for outcome in outcomes.values()), outcomes
    else:  # 16 threads, each with its own event loop and httpx client over one transport: one pool all the same
        transport = CallbotTransport(CallbotAuth(UUID, SECRET))
        with refused_api() as api:  # no connection is made, so none is shared between the loops

            async def post() -> object:  # the httpx client left open: closing it would close the shared pool
                return await httpx.AsyncClient(transport=transport).post(f"{api}/ping", content=b"{}")

            def first_call() -> object:
                barrier.wait(10)
                return asyncio.run(post())

            threads, outcomes = _in_threads(*[first_call] * 16)
            for thread in threads:
                thread.join(20)
        asyncio.run(transport.aclose())
        assert all(isinstance(outcome, APIConnectionError) for outcome in outcomes.values()), outcomes
    assert len(outcomes) == 16 and len(made) == 1
