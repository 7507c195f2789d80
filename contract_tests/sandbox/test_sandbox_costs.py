"""What keeps one request from holding the sandbox's event loop, checked by what the work is made of (timings
are for `make bench`): a large page is built a chunk at a time, a scan tests each row against sets, and a
long list is encoded in slices."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.app import DIAL_BUDGET_PER_HOLD, MAX_LONG_RUNNING, MAX_LONG_RUNNING_PER_ACCOUNT
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.operations import CHUNK, Result
from callbot_sandbox.state import Call
from callbot_sandbox.testing import call

from .._support import driven

pytestmark = pytest.mark.contract

A = Account("costs-a", "costs-secret-0123456789")
ORDERS = 2 * CHUNK + 3
HUGE = 10**12  # a page size the spec allows (no maximum)


def loaded() -> Sandbox:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("big", "s", 0, A.uuid)
    calls = [{"orderID": f"o-{n}", "userPhone": f"86138{n:08}"} for n in range(ORDERS)]
    sandbox.state.import_orders(
        task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": calls}, new_batch=False
    )
    for n, order in enumerate(list(task.orders.values())):
        sandbox.state.record_call(task, order, Call(f"C-{n}", 1 + n % 3, 1, 5, 65, []), finished=True)
    for n in range(CHUNK + 1):
        sandbox.state.create_task(f"t-{n}", "s", 0, A.uuid)
    return sandbox


#: operation -> (the call, the rows' key, how many rows, how many times it must let the loop run: once
#: between two chunks of rows built, and for exportBatchCall once more between two chunks of its scan).
PAGES: dict[str, tuple[Callable[[Sandbox], Result], str, int, int]] = {
    "listOrder": (
        lambda s: s.operations.list_order({"userTaskID": "big", "options": {}, "page": 1, "size": HUGE}, A),
        "orderList",
        ORDERS,
        2,
    ),
    "listCall": (
        lambda s: s.operations.list_call({"userTaskID": "big", "options": {}, "page": 1, "size": HUGE}, A),
        "callList",
        ORDERS,
        2,
    ),
    "listTask": (
        lambda s: s.operations.list_task({"page": 1, "size": HUGE, "queryConditions": {}}, A),
        "taskData",
        CHUNK + 2,
        1,
    ),
    "exportBatchCall": (lambda s: s.operations.export_batch_call({"userTaskID": "big"}, A), "callList", ORDERS, 4),
}


@pytest.mark.parametrize("operation", PAGES)
def test_a_page_of_more_rows_than_a_chunk_is_built_a_chunk_at_a_time(operation: str) -> None:
    make, key, rows, yields = PAGES[operation]
    steps, answer = driven(make(loaded()))
    assert (len(answer[key]), steps) == (rows, yields)


class CountingList(list[Any]):
    """A list that counts the membership tests made against it."""

    tests = 0

    def __contains__(self, item: object) -> bool:
        CountingList.tests += 1
        return super().__contains__(item)


@pytest.mark.parametrize(
    ("operation", "options"),
    [
        ("list_order", {"orderID": CountingList(f"x-{n}" for n in range(1000)), "callStatus": CountingList([1])}),
        ("list_call", {"callID": CountingList(f"x-{n}" for n in range(1000)), "intentID": CountingList(["i"])}),
    ],
)
def test_a_scan_tests_rows_against_sets_not_the_lists_it_was_given(operation: str, options: dict[str, Any]) -> None:
    sandbox = loaded()
    CountingList.tests = 0
    body = {"userTaskID": "big", "options": options, "page": 1, "size": 10}
    _, answer = driven(getattr(sandbox.operations, operation)(body, A))
    assert answer["totalCount"] == 0 and CountingList.tests == 0  # 1,000 IDs x 10,003 rows would be 10M tests


def test_a_long_list_is_encoded_in_slices_and_gives_the_same_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from callbot_sandbox import door

    longest: list[int] = []  # the longest list each call of the C encoder got
    real = json.dumps

    def recording(value: Any, **kwargs: Any) -> str:
        values = value.values() if isinstance(value, dict) else [value]
        lists = [v for v in values if isinstance(v, list)]
        longest.append(max((len(v) for v in lists), default=0))
        return real(value, **kwargs)

    rows = [{"orderID": f"o-{n}", "name": "张三" if n % 2 else "\ud800"} for n in range(3 * door.ENCODE_SLICE + 1)]
    payload = {"retCode": 0, "orderList": rows, "other": list(range(10)), "tail": "é"}
    monkeypatch.setattr(json, "dumps", recording)
    encoded = door.encode_json(payload)
    monkeypatch.undo()
    assert max(longest) <= door.ENCODE_SLICE
    assert json.loads(encoded) == json.loads(json.dumps(payload))  # the same value, lone surrogates escaped
    plain = {**payload, "orderList": [{"orderID": r["orderID"]} for r in rows]}
    assert door.encode_json(plain) == json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_chunked_change_whose_request_is_cancelled_is_finished_under_the_lock() -> None:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("cancelled", "s", 0, A.uuid)
    old = [{"orderID": f"old-{n}", "userPhone": "1"} for n in range(3 * CHUNK)]
    sandbox.state.import_orders(task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": old}, new_batch=False)
    app = sandbox.asgi_app()
    new = {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": [{"orderID": "new-1", "userPhone": "1"}]}
    body = {"productID": "callbot", "userTaskID": "cancelled", "callInfoList": new}

    async def run() -> None:
        importing = asyncio.create_task(call(app, A, "importBatchCall", body))
        while not task.busy:
            await asyncio.sleep(0)
        importing.cancel()  # after its first chunk: as a timeout or a shutdown would
        with contextlib.suppress(asyncio.CancelledError):
            await importing

    asyncio.run(run())
    assert not task.busy and list(task.orders) == ["new-1"] and list(task.queue) == ["new-1"]


def test_at_most_two_long_operations_advance_at_once() -> None:
    sandbox = loaded()
    app = sandbox.asgi_app()
    seen: list[int] = []
    body = {"productID": "callbot", "userTaskID": "big", "options": {}, "page": 1, "size": HUGE}

    async def run() -> list[int]:
        async def watch() -> None:
            while True:
                seen.append(sandbox.long_running)
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        replies = await asyncio.gather(*(call(app, A, "listOrder", body) for _ in range(5)))
        watcher.cancel()
        return [len(reply.json()["orderList"]) for reply in replies]

    assert asyncio.run(run()) == [ORDERS] * 5
    assert max(seen) == MAX_LONG_RUNNING_PER_ACCOUNT == 2 and sandbox.long_running == 0  # one account's share


def test_the_heartbeat_dials_in_slices_letting_requests_in_between(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = Sandbox([A])  # the real clock: tick() is the heartbeat
    holds: list[tuple[float, int | None, bool]] = []
    real = sandbox.dialer.run_until

    def recording(now: float, *, budget: int | None = None) -> bool:
        holds.append((now, budget, sandbox.lock.locked()))
        return real(now, budget=budget) if len(holds) > 2 else False  # as if two slices were not enough

    monkeypatch.setattr(sandbox.dialer, "run_until", recording)
    sandbox.tick()
    # three holds of the lock, each for one slice, all up to the same moment (calls falling due meanwhile
    # wait for the next tick: a tick that chased the clock ran until every order was dialed)
    assert [(budget, held) for _, budget, held in holds] == [(DIAL_BUDGET_PER_HOLD, True)] * 3
    assert len({now for now, _, _ in holds}) == 1


@pytest.mark.parametrize("ring", [2**63 - 1, -(2**63), 0])
def test_a_ring_time_at_the_64_bit_limits_gives_call_times_within_them(ring: int) -> None:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000), seed=2)
    task = sandbox.state.create_task("ring", "s", 0, A.uuid, setting={"maxRingTime": ring})
    calls = [{"orderID": f"r-{n}", "userPhone": "1"} for n in range(20)]
    sandbox.state.import_orders(
        task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": calls}, new_batch=False
    )
    sandbox.state.operate(task, 1, sandbox.sim_clock())
    sandbox.advance(10)
    _, answer = driven(sandbox.operations.list_call({"userTaskID": "ring", "options": {}, "size": 100}, A))
    ends = [row["callEndTs"] for row in answer["callList"]]
    assert ends and max(ends) < 2**63
    assert all(0 <= row["callEndTs"] - row["callStartTs"] <= 600 for row in answer["callList"])


def test_a_cancelled_long_read_stops_and_gives_its_turn_back() -> None:
    sandbox = loaded()
    app = sandbox.asgi_app()
    body = {"productID": "callbot", "userTaskID": "big", "options": {}, "page": 1, "size": HUGE}

    async def run() -> None:
        reading = asyncio.create_task(call(app, A, "listOrder", body))
        while sandbox.long_running == 0:
            await asyncio.sleep(0)
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading

    asyncio.run(run())
    assert sandbox.long_running == 0


def test_a_long_change_does_not_wait_for_a_turn_taken_by_long_reads() -> None:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("change", "s", 0, A.uuid)
    old = [{"orderID": f"old-{n}", "userPhone": "1"} for n in range(3 * CHUNK)]
    sandbox.state.import_orders(task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": old}, new_batch=False)
    body = {"productID": "callbot", "userTaskID": "change", "taskOperate": 1, "delCall": 1}

    async def run() -> Any:
        for _ in range(MAX_LONG_RUNNING):  # as if two long reads of any account were under way
            assert sandbox.long_reads.try_take()
        return await asyncio.wait_for(call(sandbox.asgi_app(), A, "mgrTaskStatus", body), 10)

    reply = asyncio.run(run())
    assert reply.code == 0 and not task.busy and len(task.listed) == 0


def test_a_chunk_that_raises_puts_what_it_did_not_do_back_on_the_dial_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("failing", "s", 0, A.uuid)
    old = [{"orderID": f"f-{n}", "userPhone": "1"} for n in range(3 * CHUNK)]
    sandbox.state.import_orders(task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": old}, new_batch=False)
    real, calls = sandbox.state.stop, []

    def failing_second(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("a bug in the second chunk")
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox.state, "stop", failing_second)
    deleting = sandbox.operations.mgr_task_status({"userTaskID": "failing", "taskOperate": 1, "delCall": 1}, A)
    with pytest.raises(RuntimeError):
        driven(deleting)
    assert not task.busy and len(calls) == 2  # no second try of the work after the failure
    assert list(task.queue) == [f"f-{n}" for n in range(CHUNK, 3 * CHUNK)]  # the first chunk was stopped
