"""A sandbox shared by several test runs, one account each: ``/_sandbox/advance`` is signed like any request and
moves only the calling account's clock (its calls and its callbacks' retries); ``Sandbox.advance(seconds)``
still moves every account, and ``account=`` one."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.testing import Reply, call, send, signed_headers

from .._support import documented_sign

pytestmark = pytest.mark.contract

A = Account("clock-a", "clock-secret-a-0123456789")
B = Account("clock-b", "clock-secret-b-9876543210", "SHA256")
START = 1_800_000_000
ADVANCE = "/_sandbox/advance"


def orders(*order_ids: str, callback: str = "") -> dict[str, Any]:
    return {
        "orderCallbackUrl": callback,
        "callCallbackUrl": callback,
        "callList": [{"orderID": o, "userPhone": "8613800000000"} for o in order_ids],
    }


def campaign(app: Any, account: Account, task: str, count: int, callback: str = "") -> None:
    body = {
        "productID": "callbot",
        "userTaskID": task,
        "sceneID": "s",
        "callInfoList": orders(*(f"{task}-{n}" for n in range(count)), callback=callback),
    }
    assert asyncio.run(call(app, account, "createAndCall", body)).code == 0


def calls_of(sandbox: Sandbox, account: Account, task: str) -> int:
    return len(sandbox.state.task(task, account.uuid).calls)


def advance(app: Any, account: Account, seconds: Any, **extra: str) -> Reply:
    raw = json.dumps({"seconds": seconds}).encode()
    return asyncio.run(send(app, ADVANCE, signed_headers(account, raw, **extra), [raw]))


def test_a_signed_advance_dials_only_the_calling_accounts_tasks_and_answers_signed() -> None:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(START), seed=4)
    app = sandbox.asgi_app()
    campaign(app, A, "a-task", 50)
    campaign(app, B, "b-task", 50)
    reply = advance(app, A, 5)
    assert (reply.status, reply.code) == (200, 0)
    headers = reply.headers
    sign = documented_sign(A.secret_key, reply.body, headers["createts"], headers["requestid"], A.uuid, "MD5")
    assert headers["sign"] == sign  # signed with the caller's key, like an operation's answer
    assert reply.json()["now"] == START + 5 and reply.json()["pendingCallbacks"] == 0
    assert calls_of(sandbox, A, "a-task") == 25 and calls_of(sandbox, B, "b-task") == 0  # 5 calls a second
    assert sandbox.clocks.now(A.uuid) == START + 5 and sandbox.clocks.now(B.uuid) == START
    reply = advance(app, B, 2)
    assert reply.json()["now"] == START + 2 and calls_of(sandbox, B, "b-task") == 10
    assert calls_of(sandbox, A, "a-task") == 25
    sandbox.advance(1)  # Python's advance moves every account
    assert (calls_of(sandbox, A, "a-task"), calls_of(sandbox, B, "b-task")) == (30, 15)
    sandbox.advance(1, account=B)  # ... or one
    assert (calls_of(sandbox, A, "a-task"), calls_of(sandbox, B, "b-task")) == (30, 20)
    created = asyncio.run(call(app, B, "createTask", {"productID": "callbot", "userTaskID": "late", "sceneID": "s"}))
    assert created.code == 0 and sandbox.state.task("late", B.uuid).created_ts == START + 4  # B's own time


def test_an_advance_that_is_not_signed_right_moves_nothing() -> None:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(START))
    app = sandbox.asgi_app()
    campaign(app, A, "a-task", 10)
    raw = b'{"seconds": 60}'
    unsigned = asyncio.run(send(app, ADVANCE, [(b"content-type", b"application/json")], [raw]))
    assert (unsigned.status, unsigned.code) == (200, 6001)
    forged = [(k, b"0" * 32 if k == b"sign" else v) for k, v in signed_headers(A, raw)]
    assert asyncio.run(send(app, ADVANCE, forged, [raw])).code == 6
    stranger = Account("nobody", "nobody-secret-0123456789")
    assert asyncio.run(send(app, ADVANCE, signed_headers(stranger, raw), [raw])).code == 6002
    captured = signed_headers(A, raw)
    assert asyncio.run(send(app, ADVANCE, captured, [raw])).code == 0
    assert asyncio.run(send(app, ADVANCE, captured, [raw])).code == 6  # a requestID is used once
    stale = [(k, str(START - 3600).encode() if k == b"createts" else v) for k, v in signed_headers(A, raw)]
    assert asyncio.run(send(app, ADVANCE, stale, [raw])).code == 6  # outside the createTs window
    assert sandbox.clocks.now(A.uuid) == START + 60 and calls_of(sandbox, A, "a-task") == 10  # the one good one


def test_an_advance_body_is_checked_like_an_operations_and_refusals_are_signed() -> None:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(START))
    app = sandbox.asgi_app()
    for raw, code in ((b"{}", 2), (b'{"seconds": "5"}', 3), (b'{"seconds": -1}', 4), (b'{"seconds": 1e12}', 4)):
        reply = asyncio.run(send(app, ADVANCE, signed_headers(A, raw), [raw]))
        assert (reply.status, reply.code) == (200, code), raw
        assert reply.headers["sign"] and reply.headers["x-sandbox-refusal"] == "request"
    sandbox.advancing.add(A.uuid)  # as if an advance of A were running
    assert advance(app, A, 1).code == 7
    sandbox.advancing.clear()
    assert sandbox.clocks.now(A.uuid) == START and advance(app, A, 1).code == 0
    real = Sandbox([A])  # the real clock cannot be advanced
    assert advance(real.asgi_app(), A, 1).code == 4


@pytest.fixture
def flaky_receiver() -> Iterator[tuple[str, list[str]]]:
    """A receiver on 127.0.0.1 that answers 503 to the first delivery of each path, then 200."""
    seen: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            status = 200 if self.path in seen else 503
            seen.append(self.path)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()


def test_a_callbacks_retry_falls_due_on_its_own_accounts_clock_only(flaky_receiver: tuple[str, list[str]]) -> None:
    url, seen = flaky_receiver
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(START), seed=1)
    app = sandbox.asgi_app()
    calls = {**orders("a-1"), "callCallbackUrl": f"{url}/call", "orderCallbackUrl": f"{url}/order"}
    body = {"productID": "callbot", "userTaskID": "a-task", "sceneID": "s", "callInfoList": calls}
    assert asyncio.run(call(app, A, "createAndCall", body)).code == 0
    assert advance(app, A, 1).json()["pendingCallbacks"] == 2  # its call and order callbacks got a 503
    assert advance(app, B, 30).code == 0  # B's time passing makes no retry of A's due
    assert len(seen) == 2 and sandbox.callbacks.pending_of(A.uuid) == 2
    assert advance(app, A, 1).json()["pendingCallbacks"] == 0  # A's second passes: both retried, delivered
    assert len(seen) == 4 and [d.attempts for d in sandbox.callbacks.delivered] == [2, 2]
