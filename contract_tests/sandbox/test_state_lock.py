"""The sandbox's state lock and turns (state_lock.py): a request that finds the state held by a thread, or
no turn for a long read, waits without polling and without holding the event loop, and goes on as soon as
it is let; waiters on several loops, and waiters that are cancelled, leave the lock as they found it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.chunked import CHUNK
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.state_lock import StateLock, Turns
from callbot_sandbox.testing import call

A = Account("lock-a", "lock-secret-0123456789")
WAIT = 10.0  # the bound of every wait here: a failing test stops instead of hanging


@contextlib.contextmanager
def held_by_a_thread(lock: StateLock) -> Iterator[threading.Event]:
    """``lock`` held by another thread until the yielded event is set (or the block ends)."""
    holding, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            let_go.wait(WAIT)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert holding.wait(WAIT)
    try:
        yield let_go
    finally:
        let_go.set()
        holder.join(WAIT)


@pytest.fixture
def timed_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays of every ``asyncio.sleep`` of more than 0 s (a poll) while the test runs."""
    delays: list[float] = []
    real = asyncio.sleep

    async def recording(delay: float, *args: Any, **kwargs: Any) -> Any:
        if delay > 0:
            delays.append(delay)
        return await real(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", recording)
    return delays


def with_task(orders: int = 1) -> Sandbox:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("t", "s", 0, A.uuid)
    calls = [{"orderID": f"o-{n}", "userPhone": "86"} for n in range(orders)]
    sandbox.state.import_orders(
        task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": calls}, new_batch=False
    )
    return sandbox


def test_a_request_finding_the_state_held_by_a_thread_waits_without_polling_and_goes_on_at_its_release(
    timed_sleeps: list[float],
) -> None:
    sandbox = with_task()
    app = sandbox.asgi_app()
    stop = {"productID": "callbot", "userTaskID": "t", "orderIDs": ["o-0"]}

    async def run() -> Any:
        with held_by_a_thread(sandbox.lock) as let_go:
            stopping = asyncio.create_task(call(app, A, "stopOrder", stop))
            pinged = await asyncio.wait_for(call(app, A, "ping", {"data": "x"}), WAIT)  # the loop is not held
            assert pinged.code == 0 and not stopping.done()
            let_go.set()
            return (await asyncio.wait_for(stopping, WAIT)).json()

    answer = asyncio.run(run())
    assert (answer["retCode"], answer["successCount"]) == (0, 1)
    assert timed_sleeps == []  # woken by the release, not by a timer


def test_a_long_read_waiting_for_a_turn_does_not_poll_and_goes_on_when_one_is_given_back(
    timed_sleeps: list[float],
) -> None:
    sandbox = with_task(CHUNK + 1)  # a page of more than a chunk: a long read
    app = sandbox.asgi_app()
    page = {"productID": "callbot", "userTaskID": "t", "options": {}, "page": 1, "size": CHUNK + 1}

    async def run() -> Any:
        taken = 0
        while sandbox.long_reads.try_take():  # every turn taken, as by other long reads
            taken += 1
        reading = asyncio.create_task(call(app, A, "listOrder", page))
        for _ in range(20):  # the read gets as far as its turn, and no further
            await asyncio.sleep(0)
        assert not reading.done()
        sandbox.long_reads.give_back()
        reply = await asyncio.wait_for(reading, WAIT)
        for _ in range(taken - 1):
            sandbox.long_reads.give_back()
        return reply.json()

    answer = asyncio.run(run())
    assert answer["retCode"] == 0 and len(answer["orderList"]) == CHUNK + 1
    assert timed_sleeps == [] and sandbox.long_running == 0


def test_coroutines_of_two_event_loops_in_two_threads_take_the_lock_in_turn() -> None:
    lock = StateLock()
    inside: list[str] = []
    ready = threading.Barrier(3, timeout=WAIT)

    def loop(name: str) -> None:
        async def take() -> None:
            waiting = asyncio.create_task(lock.acquire_async())
            await asyncio.sleep(0)  # it tried, and waits
            ready.wait()
            await asyncio.wait_for(waiting, WAIT)
            inside.append(name)
            assert len(inside) == 1 or inside[0] != name
            lock.release()

        asyncio.run(take())

    with lock:
        threads = [threading.Thread(target=loop, args=(name,)) for name in ("one", "two")]
        for thread in threads:
            thread.start()
        ready.wait()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(inside) == ["one", "two"] and not lock.locked()


def test_a_waiter_cancelled_while_the_lock_is_held_leaves_it_free_for_the_next() -> None:
    lock = StateLock()

    async def run() -> None:
        lock.acquire()
        waiting = asyncio.create_task(lock.acquire_async())
        await asyncio.sleep(0)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        lock.release()
        async with lock:
            assert lock.locked()

    asyncio.run(run())
    assert not lock.locked()


def test_a_turn_waiter_cancelled_takes_no_turn() -> None:
    turns = Turns(1)

    async def run() -> None:
        assert turns.try_take()
        waiting = asyncio.create_task(turns.take())
        await asyncio.sleep(0)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        turns.give_back()
        await asyncio.wait_for(turns.take(), WAIT)

    asyncio.run(run())
    assert turns.taken == 1
