"""One account's stalls take at most its own share of a shared sandbox: account A stalls (uploads that stop
half way, long reads holding their turns, a dead callback receiver with 10,000 callbacks queued), and account
B's requests and callbacks still go through, checked by progress within a time bound, never by timing."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.callbacks import MAX_PENDING_PER_ACCOUNT
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.door import Limits
from callbot_sandbox.testing import API, call, send, signed_headers

pytestmark = pytest.mark.contract

A = Account("share-a", "share-secret-a-0123456789")
B = Account("share-b", "share-secret-b-9876543210", "SHA256")
BOUND = 10.0  # seconds B's work may take at most on a loaded machine: each check ends as soon as it is done


def ping_body(size: int) -> bytes:
    return json.dumps({"productID": "callbot", "data": "x" * (size - 40)}).encode()


async def stalled_upload(app: Any, account: Account, body: bytes, gone: asyncio.Event) -> Any:
    """A signed request whose body stops one byte short, until ``gone`` (then the client leaves)."""
    pieces = [{"type": "http.request", "body": body[:-1], "more_body": True}]
    answer: list[Any] = []

    async def receive() -> dict[str, Any]:
        if pieces:
            return pieces.pop()
        await gone.wait()
        return {"type": "http.disconnect"}

    async def respond(message: dict[str, Any]) -> None:
        answer.append(message)

    scope = {"type": "http", "method": "POST", "path": API + "ping", "headers": signed_headers(account, body)}
    await app({**scope, "query_string": b"", "root_path": ""}, receive, respond)
    return answer


def test_one_accounts_stalled_uploads_leave_the_others_room_to_upload() -> None:
    limits = Limits(max_body_bytes=1000, max_reading_bytes=8000)  # one account's share: 2,000 bytes
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000), limits=limits)
    app = sandbox.asgi_app()
    body = ping_body(1000)

    async def run() -> tuple[list[Any], int, int]:
        gone = asyncio.Event()
        stalls = [asyncio.create_task(stalled_upload(app, A, body, gone)) for _ in range(8)]
        for _ in range(50):  # the stalled uploads get as far as they can
            await asyncio.sleep(0)
        in_use = sandbox.reading.in_use
        b_reply = await asyncio.wait_for(send(app, API + "ping", signed_headers(B, body), [body]), BOUND)
        gone.set()
        refused = [await asyncio.wait_for(stall, BOUND) for stall in stalls]
        return refused, in_use, b_reply.code

    refused, in_use, b_code = asyncio.run(run())
    assert b_code == 0  # B's upload was read and served
    assert in_use <= limits.max_reading_bytes_per_account  # A's eight stalls hold at most A's share
    answered = [json.loads(messages[-1]["body"]) for messages in refused if messages]
    assert len(answered) >= 6 and {a["code"] for a in answered} == {4}  # the others were told to send later
    assert "share" in answered[0]["msg"] and sandbox.reading.in_use == 0


def big_task(sandbox: Sandbox, account: Account, count: int) -> None:
    task = sandbox.state.create_task("big", "s", 0, account.uuid)
    calls = [{"orderID": f"o-{n}", "userPhone": "1"} for n in range(count)]
    sandbox.state.import_orders(
        task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": calls}, new_batch=False
    )


def test_one_accounts_long_reads_leave_the_others_a_turn() -> None:
    from callbot_sandbox.operations import CHUNK

    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000))
    for account in (A, B):
        big_task(sandbox, account, CHUNK + 1)
    app = sandbox.asgi_app()
    page = {"productID": "callbot", "userTaskID": "big", "options": {}, "page": 1, "size": CHUNK + 1}

    async def run() -> tuple[int, Any]:
        held = 0
        while sandbox.long_reads.try_take(A.uuid):  # A's long reads hold every turn A may take
            held += 1
        waiting_a = asyncio.create_task(call(app, A, "listOrder", page))  # and more of A's wait
        b_read = await asyncio.wait_for(call(app, B, "listOrder", page), BOUND)
        assert not waiting_a.done()  # A's next read waits for A's own turns
        for _ in range(held):
            sandbox.long_reads.give_back(A.uuid)
        await asyncio.wait_for(waiting_a, BOUND)
        return held, b_read.json()

    held, b_answer = asyncio.run(run())
    assert 0 < held < sandbox.long_reads.limit
    assert b_answer["retCode"] == 0 and len(b_answer["orderList"]) == CHUNK + 1
    assert sandbox.long_running == 0


def test_thirty_two_long_reads_of_one_account_do_not_keep_another_accounts_read_waiting_to_the_end() -> None:
    from callbot_sandbox.operations import CHUNK

    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000))
    for account in (A, B):
        big_task(sandbox, account, 2 * CHUNK + 1)
    app = sandbox.asgi_app()
    page = {"productID": "callbot", "userTaskID": "big", "options": {}, "page": 1, "size": 2 * CHUNK + 1}

    async def run() -> int:
        a_reads = [asyncio.create_task(call(app, A, "listOrder", page)) for _ in range(32)]
        for _ in range(20):  # A's reads are all under way or waiting for a turn
            await asyncio.sleep(0)
        b_read = await asyncio.wait_for(call(app, B, "listOrder", page), BOUND)
        assert b_read.code == 0
        done_before_b = sum(read.done() for read in a_reads)
        await asyncio.wait_for(asyncio.gather(*a_reads), 6 * BOUND)
        return done_before_b

    assert asyncio.run(run()) < 16  # B's read went through while most of A's were still waiting


@pytest.fixture
def receivers() -> Iterator[tuple[str, str, list[bytes]]]:
    """A dead receiver (accepts connections, never answers) and a live one recording what it is sent."""
    heard: list[bytes] = []

    class Live(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            heard.append(self.rfile.read(int(self.headers["content-length"])))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    live = ThreadingHTTPServer(("127.0.0.1", 0), Live)
    threading.Thread(target=live.serve_forever, daemon=True).start()
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(64)
    try:
        yield f"http://127.0.0.1:{dead.getsockname()[1]}/cb", f"http://127.0.0.1:{live.server_port}/cb", heard
    finally:
        dead.close()  # the connections waiting on it are reset: A's lane ends
        live.shutdown()


def test_a_dead_receiver_with_10000_callbacks_queued_delays_no_other_account(
    receivers: tuple[str, str, list[bytes]], caplog: pytest.LogCaptureFixture
) -> None:
    dead, live, heard = receivers
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000), seed=2)
    sandbox.callbacks.timeout = 3 * BOUND  # A's lane waits on its dead receiver for longer than B may take
    app = sandbox.asgi_app()
    with caplog.at_level(logging.WARNING, "callbot_sandbox.callbacks"):
        for n in range(10_000):
            sandbox.callbacks.enqueue(A, "call", dead, {"callbackType": 1, "orderID": f"a-{n}"})
    assert sandbox.callbacks.pending_of(A.uuid) == MAX_PENDING_PER_ACCOUNT  # the queue stops growing
    assert sandbox.callbacks.dropped[A.uuid] == 10_000 - MAX_PENDING_PER_ACCOUNT
    assert 1 <= len([r for r in caplog.records if "dropped the oldest" in r.message]) <= 10  # logged, not per drop
    kept = [json.loads(d.body)["orderID"] for d in sandbox.callbacks.pending]
    assert kept[0] == f"a-{10_000 - MAX_PENDING_PER_ACCOUNT}" and kept[-1] == "a-9999"  # the newest are kept
    sandbox.callbacks.flush(wait=False)  # the heartbeat's round: A's lane is stuck on its dead receiver
    body = {
        "productID": "callbot",
        "userTaskID": "b-task",
        "sceneID": "s",
        "callInfoList": {
            "orderCallbackUrl": live,
            "callCallbackUrl": live,
            "callList": [{"orderID": "b-1", "userPhone": "1"}],
        },
    }
    assert asyncio.run(call(app, B, "createAndCall", body)).code == 0
    raw = b'{"seconds": 5}'
    started = time.monotonic()
    reply = asyncio.run(asyncio.wait_for(send(app, "/_sandbox/advance", signed_headers(B, raw), [raw]), BOUND))
    assert reply.code == 0 and reply.json()["pendingCallbacks"] == 0
    assert len(heard) == 2 and all(b'"b-1"' in h for h in heard)  # B's call and order callbacks arrived
    assert time.monotonic() - started < sandbox.callbacks.timeout  # A's lane is still waiting: B's did not
