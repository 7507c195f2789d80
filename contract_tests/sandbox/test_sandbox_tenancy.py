"""Two accounts on one sandbox: every operation of B aimed at A's IDs leaves A as it was, and B's answer is
the one it gets for an ID that exists nowhere. Also: requests cannot be replayed, and one account's bad data
or a failing dialer reaches no other request."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from callbot_sandbox import Account, OrderState, Sandbox, TaskStatus
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.testing import API, Reply, call, send, signed_headers

from .._support import driven

pytestmark = pytest.mark.contract

A = Account("tenant-a", "secret-of-a-0123456789")
B = Account("tenant-b", "secret-of-b-9876543210", "SHA256")
A_TASK, MISSING_TASK = "a-task", "no-such-task"
A_ORDERS = [f"a-order-{n}" for n in range(6)]


def orders(*order_ids: str, callback: str = "") -> dict[str, Any]:
    return {
        "orderCallbackUrl": callback,
        "callCallbackUrl": callback,
        "callList": [{"orderID": o, "userPhone": "8613800000000", "other": o} for o in order_ids],
    }


def b_requests(task: str, order_ids: list[str], call_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Every operation of B that names a task (and its orders and calls)."""
    base = {"productID": "callbot", "userTaskID": task}
    return [
        ("mgrTaskStatus", {**base, "taskOperate": 2}),
        ("mgrTaskStatus", {**base, "taskOperate": 3, "delCall": 1}),
        ("mgrTaskStatus", {**base, "taskOperate": 1}),
        ("updateTask", {**base, "taskCreateSetting": {"maxCall": 3}}),
        ("stopOrder", {**base, "orderIDs": order_ids, "delCall": 1}),
        ("stopOrder", {**base, "orderIDs": order_ids}),
        ("addBatchCall", {**base, "callInfoList": orders("b-1")}),
        ("importBatchCall", {**base, "callInfoList": orders("b-2")}),
        ("listOrder", {**base, "options": {}, "page": 1, "size": 100}),
        ("listOrder", {**base, "options": {"orderID": order_ids}, "page": 1, "size": 100}),
        ("listOrder", {**base, "options": {"callStatus": [1, 2, 3]}, "page": 1, "size": 100}),
        ("listCall", {**base, "options": {}, "page": 1, "size": 100}),
        ("listCall", {**base, "options": {"callID": call_ids}, "page": 1, "size": 100}),
        ("listOrderDetail", {**base, "orderList": order_ids}),
        ("exportBatchCall", base),
        ("listTask", {"productID": "callbot", "page": 1, "size": 100, "queryConditions": {"userTaskID": [task]}}),
    ]


def normalized(reply: Reply, *names: str) -> Any:
    """The answer with what differs between any two answers (responseID) and the IDs asked about blanked."""
    text = reply.body.decode()
    for name in names:
        text = text.replace(name, "<id>")
    data = json.loads(text)
    data.pop("responseID", None)
    return data


def fingerprint(sandbox: Sandbox, owner: str) -> Any:
    store = sandbox.state.account(owner)
    return [
        (
            task.user_task_id,
            task.task_id,
            task.status,
            task.batch,
            dict(task.setting),
            sandbox.state.task_stat(task),
            [(o.order_id, o.state, o.data_deleted, len(o.calls)) for o in task.orders.values()],
        )
        for task in store.tasks.values()
    ] + [sorted(store.orders)]


def a_with_a_running_task() -> Sandbox:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000), seed=5)
    task = sandbox.state.create_task(A_TASK, "scene", 0, A.uuid, setting={"maxCall": 2})
    sandbox.state.import_orders(task, orders(*A_ORDERS), new_batch=False)
    sandbox.state.operate(task, 1, sandbox.sim_clock())
    sandbox.advance(0.5)  # about half of A's orders are dialed
    assert 0 < len(task.calls) < len(A_ORDERS)
    return sandbox


def test_no_operation_of_b_on_a_ids_changes_a_or_answers_differently_from_a_missing_id() -> None:
    sandbox = a_with_a_running_task()
    app = sandbox.asgi_app()
    task = sandbox.state.task(A_TASK, A.uuid)
    a_calls = [c.call_id for _, c in task.calls]
    before = fingerprint(sandbox, A.uuid)

    async def run() -> None:
        a_views = [await call(app, A, op, body) for op, body in b_requests(A_TASK, A_ORDERS, a_calls)[8:]]
        for (operation, aimed), (_, missing) in zip(
            b_requests(A_TASK, A_ORDERS, a_calls), b_requests(MISSING_TASK, A_ORDERS, a_calls), strict=True
        ):
            at_a = await call(app, B, operation, aimed)
            at_nothing = await call(app, B, operation, missing)
            assert at_a.status == at_nothing.status == 200
            assert normalized(at_a, A_TASK) == normalized(at_nothing, MISSING_TASK), operation
            assert at_a.code != 0 or operation == "listTask", (operation, at_a.body)
        assert fingerprint(sandbox, A.uuid) == before  # A is as it was
        a_after = [await call(app, A, op, body) for op, body in b_requests(A_TASK, A_ORDERS, a_calls)[8:]]
        assert [normalized(r) for r in a_after] == [normalized(r) for r in a_views]

    asyncio.run(run())
    assert not sandbox.state.account(B.uuid).tasks  # B holds nothing either


def test_the_same_ids_live_in_two_accounts_without_either_seeing_the_other() -> None:
    sandbox = a_with_a_running_task()
    app = sandbox.asgi_app()
    before = fingerprint(sandbox, A.uuid)

    async def run() -> None:
        created = await call(app, B, "createTask", {"productID": "callbot", "userTaskID": A_TASK, "sceneID": "s"})
        assert created.code == 0  # not "already exists": A's task is not in B's namespace
        added = await call(
            app, B, "addBatchCall", {"productID": "callbot", "userTaskID": A_TASK, "callInfoList": orders(*A_ORDERS)}
        )
        assert (added.code, added.json()["successCount"], added.json()["errList"]) == (0, len(A_ORDERS), [])
        listed = await call(app, B, "listOrder", {"productID": "callbot", "userTaskID": A_TASK, "options": {}})
        assert [o["finish"] for o in listed.json()["orderList"]] == [False] * len(A_ORDERS)
        tasks = await call(app, B, "listTask", {"productID": "callbot", "page": 1, "size": 10, "queryConditions": {}})
        assert [(t["userTaskID"], t["taskID"], t["taskStat"]["totalCall"]) for t in tasks.json()["taskData"]] == [
            (A_TASK, "T100001", 0)  # B's own numbering, which tells nothing about A's
        ]
        stopped = await call(app, B, "stopOrder", {"productID": "callbot", "userTaskID": A_TASK, "orderIDs": A_ORDERS})
        assert stopped.json()["successCount"] == len(A_ORDERS)

    asyncio.run(run())
    assert fingerprint(sandbox, A.uuid) == before
    assert all(o.state is OrderState.STOPPED for o in sandbox.state.account(B.uuid).orders.values())


def test_a_signed_request_is_served_once_and_cannot_be_resent_to_another_operation() -> None:
    sandbox = a_with_a_running_task()
    app = sandbox.asgi_app()
    body = json.dumps({"productID": "callbot", "userTaskID": A_TASK, "callInfoList": orders("new-1")}).encode()
    headers = signed_headers(A, body)

    async def run() -> list[Reply]:
        first = await send(app, API + "addBatchCall", headers, [body])
        again = await send(app, API + "addBatchCall", headers, [body])
        elsewhere = await send(app, API + "importBatchCall", headers, [body])
        return [first, again, elsewhere]

    first, again, elsewhere = asyncio.run(run())
    assert first.code == 0
    assert (again.code, elsewhere.code) == (6, 6) and "already used" in again.json()["retMsg"]
    assert again.headers["sign"] and elsewhere.headers["sign"]  # refusals to a known account are signed
    task = sandbox.state.task(A_TASK, A.uuid)
    assert sum(o.state is OrderState.UNDIALED for o in task.orders.values()) > 1  # the import did not run


def test_bad_data_of_one_account_is_refused_at_the_door_and_fails_no_one_else() -> None:
    sandbox = a_with_a_running_task()
    app = sandbox.asgi_app()
    ping = {"productID": "callbot", "data": "x"}

    async def run() -> None:
        assert (await call(app, B, "createTask", {"productID": "callbot", "userTaskID": "b", "sceneID": "s"})).code == 0
        calls = orders("p-1")
        calls["callList"][0]["userPhone"] = 8613800000000  # a number where the spec wants a string
        wrong_type = {"productID": "callbot", "userTaskID": "b", "callInfoList": calls}
        assert (await call(app, B, "addBatchCall", wrong_type)).code == 3
        too_large = b'{"productID": "callbot", "userTaskID": "b", "n": 1e400}'  # no double holds it
        assert (await call(app, B, "addBatchCall", too_large)).code == 4
        surrogate = b'{"productID":"callbot","userTaskID":"b","callInfoList":{"orderCallbackUrl":"",'
        surrogate += b'"callCallbackUrl":"","callList":[{"orderID":"\\ud800","userPhone":"1"}]}}'
        assert (await call(app, B, "addBatchCall", surrogate)).code == 4
        bad_task = b'{"productID":"callbot","userTaskID":"\\udfff","sceneID":"s"}'
        assert (await call(app, B, "createTask", bad_task)).code == 4
        listed = await call(app, B, "listTask", {"productID": "callbot", "page": 1, "size": 9, "queryConditions": {}})
        assert listed.code == 0 and [t["userTaskID"] for t in listed.json()["taskData"]] == ["b"]
        # A dialer failure (a value no request could store: injected) stays with its task.
        b_task = sandbox.state.task("b", B.uuid)
        sandbox.state.import_orders(b_task, orders("b-1"), new_batch=False)
        b_task.setting["maxRingTime"] = object()
        b_task.setting["maxCall"] = object()
        sandbox.state.operate(b_task, 1, sandbox.sim_clock())
        sandbox.advance(300)  # long enough for A's redials
        assert b_task.status is TaskStatus.PAUSED
        for account in (A, B):
            assert (await call(app, account, "ping", ping)).code == 0
        a_list = await call(app, A, "listOrder", {"productID": "callbot", "userTaskID": A_TASK, "options": {}})
        assert a_list.code == 0 and a_list.json()["totalCount"] == len(A_ORDERS)

    asyncio.run(run())
    assert sandbox.state.task(A_TASK, A.uuid).status is TaskStatus.COMPLETED  # A's dialing went on


def test_retmsg_never_names_another_account() -> None:
    sandbox = a_with_a_running_task()
    app = sandbox.asgi_app()

    async def run() -> list[Reply]:
        return [await call(app, B, op, body) for op, body in b_requests(A_TASK, A_ORDERS, [])]

    for reply in asyncio.run(run()):
        assert not re.search(r"tenant-a|T100001-C", reply.body.decode())


def test_no_account_can_flush_another_accounts_requestids_from_the_replay_window() -> None:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000))
    sandbox.seen_request_ids.max_entries = 50  # per account (the default is 1,000,000)
    app = sandbox.asgi_app()
    body = b'{"productID":"callbot","data":"A once"}'
    captured = signed_headers(A, body)

    async def run() -> tuple[int, list[int], int, int]:
        first = (await send(app, API + "ping", captured, [body])).code
        flood = [(await call(app, B, "ping", {"data": str(n)})).code for n in range(60)]
        replayed = (await send(app, API + "ping", captured, [body])).code
        a_again = (await call(app, A, "ping", {"data": "fresh"})).code
        return first, flood, replayed, a_again

    first, flood, replayed, a_again = asyncio.run(run())
    assert first == 0 and flood == [0] * 50 + [7] * 10  # B is told to slow down (7, busy) at its own limit
    assert replayed == 6 and a_again == 0  # A's requestID is still remembered; A is not slowed by B


def test_a_receiver_that_never_answers_holds_up_only_its_own_accounts_callbacks() -> None:
    import socket
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    arrivals: list[float] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            arrivals.append(time.monotonic())
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hole = socket.socket()  # accepts connections into its backlog, never answers
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    try:
        clock = VirtualClock(1_800_000_000)
        sandbox = Sandbox([A, B], virtual_clock=clock, seed=3)
        sandbox.callbacks.timeout = 1.0
        port = hole.getsockname()[1]
        # A's receiver never answers: its URLs spell it three ways (user info, path), each on a batch of its own.
        silent = [f"http://127.0.0.1:{port}/cb", f"http://one@127.0.0.1:{port}/cb", f"http://two@127.0.0.1:{port}/x"]
        live = f"http://127.0.0.1:{server.server_port}/cb"
        app = sandbox.asgi_app()
        a_task = {"productID": "callbot", "userTaskID": "a-cb", "sceneID": "s"}
        first = {**a_task, "callInfoList": orders("a1", callback=silent[0])}
        assert asyncio.run(call(app, A, "createAndCall", first)).code == 0
        for n, url in enumerate(silent[1:], start=2):
            body = {"productID": "callbot", "userTaskID": "a-cb", "callInfoList": orders(f"a{n}", callback=url)}
            assert asyncio.run(call(app, A, "addBatchCall", body)).code == 0
        b_task = {
            "productID": "callbot",
            "userTaskID": "b-cb",
            "sceneID": "s",
            "callInfoList": orders("b1", callback=live),
        }
        assert asyncio.run(call(app, B, "createAndCall", b_task)).code == 0
        started = time.monotonic()
        sandbox.advance(5)  # every order is dialed: A's 3 and B's 1 call callbacks (and their order ones) are due
        took = time.monotonic() - started
        # The heartbeat's round does not wait: A's lane is busy with its silent receiver for a while, and a
        # round meanwhile sends B's new callbacks at once (A's due ones wait for A's lane).
        clock.advance(1.1)  # A's deliveries are due again (their retries run on the sandbox's clock)
        sandbox.callbacks.flush(wait=False)
        more = {**b_task, "userTaskID": "b-cb2", "callInfoList": orders("b2", callback=live)}
        assert asyncio.run(call(app, B, "createAndCall", more)).code == 0
        also = {**a_task, "userTaskID": "a-cb2", "callInfoList": orders("a4", callback=silent[0])}
        assert asyncio.run(call(app, A, "createAndCall", also)).code == 0  # A has new ones due too
        heard = len(arrivals)
        again = time.monotonic()
        sandbox.advance(1)
        second_round = time.monotonic() - again
    finally:
        server.shutdown()
        hole.close()
    assert arrivals and max(arrivals[:heard]) - started < 0.5  # B's arrived at once, not after A's timeouts
    assert took < 2 * sandbox.callbacks.timeout + 0.5  # A's silent receiver was waited for once, not per spelling
    assert len(arrivals) > heard and second_round < 0.5  # B's second round did not wait for A's busy lane
    assert {d.account.uuid for d in sandbox.callbacks.delivered} == {B.uuid} and not sandbox.callbacks.failed


def test_deleting_undialed_orders_empties_the_dial_queue_in_chunks() -> None:
    from callbot_sandbox.operations import CHUNK

    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("many", "s", 0, A.uuid)
    count = 2 * CHUNK + 7
    sandbox.state.import_orders(task, orders(*(f"m-{n}" for n in range(count))), new_batch=False)
    body = {"userTaskID": "many", "taskOperate": 1, "delCall": 1}
    steps, answer = driven(sandbox.operations.mgr_task_status(body, A))  # the loop serves others between chunks
    assert answer["retCode"] == 0
    assert steps == 2 and len(task.queue) == 0 and len(task.listed) == 0  # 3 chunks, the first at once
    assert all(o.state is OrderState.STOPPED for o in task.orders.values())
    again = sandbox.operations.mgr_task_status({**body, "taskOperate": 2}, A)  # nothing left: at once
    assert isinstance(again, dict) and again["retCode"] == 0


def test_a_task_being_changed_in_chunks_refuses_other_writes_and_is_not_completed_meanwhile() -> None:
    from callbot_sandbox.operations import CHUNK

    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("chunked", "s", 0, A.uuid)
    sandbox.state.import_orders(task, orders(*(f"c-{n}" for n in range(CHUNK + 10))), new_batch=False)
    sandbox.state.operate(task, 1, sandbox.sim_clock())
    importing = sandbox.operations.import_batch_call({"userTaskID": "chunked", "callInfoList": orders("new-1")}, A)
    assert not isinstance(importing, dict) and task.busy
    app = sandbox.asgi_app()
    writes = [
        ("stopOrder", {"productID": "callbot", "userTaskID": "chunked", "orderIDs": ["c-1"]}),
        ("addBatchCall", {"productID": "callbot", "userTaskID": "chunked", "callInfoList": orders("x-1")}),
        ("mgrTaskStatus", {"productID": "callbot", "userTaskID": "chunked", "taskOperate": 2}),
        ("updateTask", {"productID": "callbot", "userTaskID": "chunked", "taskCreateSetting": {"maxCall": 2}}),
    ]
    read = {"productID": "callbot", "userTaskID": "chunked", "options": {}, "page": 1, "size": 10}
    codes = [asyncio.run(call(app, A, operation, body)).code for operation, body in writes]
    assert codes == [7, 7, 7, 7] and asyncio.run(call(app, A, "listOrder", read)).code == 0
    sandbox.advance(1)  # the dial queue is empty meanwhile: a task being changed is not completed
    assert task.status is TaskStatus.RUNNING
    for _ in importing:
        pass
    assert not task.busy and list(task.queue) == ["new-1"]
    sandbox.advance(1)
    assert task.orders["new-1"].state is not OrderState.UNDIALED  # the new batch is dialed


def test_a_chunked_change_closed_early_is_finished_not_left_half_made() -> None:
    from callbot_sandbox.operations import CHUNK

    sandbox = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000))
    task = sandbox.state.create_task("closed", "s", 0, A.uuid)
    sandbox.state.import_orders(task, orders(*(f"k-{n}" for n in range(3 * CHUNK))), new_batch=False)
    deleting = sandbox.operations.mgr_task_status({"userTaskID": "closed", "taskOperate": 1, "delCall": 1}, A)
    assert not isinstance(deleting, dict)
    deleting.close()  # as if the request were dropped after its first chunk
    assert not task.busy and all(o.state is OrderState.STOPPED for o in task.orders.values())
