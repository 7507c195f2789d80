"""The sandbox's HTTP layer (callbot_sandbox/asgi.py and the door's body reading): methods and paths,
gzip answers signed over the uncompressed JSON, clients that go away, and the budget of bodies being read
at one time across connections."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.door import Limits
from callbot_sandbox.testing import API, Reply, call, send, signed_headers
from callbot_signing.wire import shipped_spec
from starlette.testclient import TestClient

from .._support import documented_sign

pytestmark = pytest.mark.contract

A = Account("http-a", "http-secret-0123456789")
OPERATIONS = [path.rsplit("/", 1)[-1] for path in shipped_spec()["paths"]]  # every operation, from the spec


def sandbox(limits: Limits | None = None) -> Sandbox:
    made = Sandbox([A], virtual_clock=VirtualClock(1_800_000_000), limits=limits)
    for n in range(12):  # listTask's page 1 then holds a dozen tasks: an answer well over 500 bytes
        made.state.create_task(f"task-with-a-long-name-{n:02}", "scene", 0, A.uuid)
    return made


LIST_TASK = {"productID": "callbot", "page": 1, "size": 100, "queryConditions": {}}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_another_method_on_an_operation_is_405_and_unknown_paths_404(method: str) -> None:
    with TestClient(sandbox().asgi_app()) as http:
        for operation in OPERATIONS:
            answer = http.request(method, API + operation)
            assert (answer.status_code, answer.headers["allow"]) == (405, "POST"), operation
        assert http.request(method, API + "noSuchOperation").status_code in (404, 405)
        assert http.post(API + "noSuchOperation", content=b"{}").status_code == 404
        assert http.post("/_sandbox/advance", json={"seconds": 1}).status_code == 200  # still routed


def _verify_reply(reply: Reply, body: bytes) -> None:
    """The sign over ``body`` (the uncompressed JSON), by the wiki's rule written out in the tests."""
    headers = reply.headers
    expected = documented_sign(
        A.secret_key, body, headers["createts"], headers["requestid"], headers["uuid"], headers["algorithm"]
    )
    assert headers["sign"] == expected


def test_a_large_answer_is_gzipped_when_accepted_and_signed_over_the_uncompressed_json() -> None:
    app = sandbox().asgi_app()
    zipped = asyncio.run(call(app, A, "listTask", LIST_TASK, **{"accept-encoding": "deflate, gzip;q=0.9"}))
    assert zipped.status == 200 and zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) == len(zipped.body)
    plain_bytes = gzip.decompress(zipped.body)
    assert len(plain_bytes) >= 500 and len(zipped.body) < len(plain_bytes)
    _verify_reply(zipped, plain_bytes)
    assert len(json.loads(plain_bytes)["taskData"]) == 12

    plain = asyncio.run(call(app, A, "listTask", LIST_TASK))  # not asked for: not compressed
    assert "content-encoding" not in plain.headers and int(plain.headers["content-length"]) == len(plain.body)
    _verify_reply(plain, plain.body)
    assert json.loads(plain.body)["taskData"] == json.loads(plain_bytes)["taskData"]


@pytest.mark.parametrize(
    ("accept_encoding", "compressed"),
    [
        ("gzip", True),
        ("GZip", True),
        ("x-gzip", True),
        ("br, gzip;q=0.5", True),
        ("identity, gzip ; q=1", True),
        ("*", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("*;q=0", False),
        ("*;q=1, gzip;q=0", False),  # the named coding wins over *
        ("gzip;q=0, *", False),
        ("br, deflate", False),
        ("gzipped", False),
        ("gzip;q=x", False),
        ("", False),
    ],
)
def test_gzip_follows_the_q_values_of_accept_encoding(accept_encoding: str, compressed: bool) -> None:
    reply = asyncio.run(call(sandbox().asgi_app(), A, "listTask", LIST_TASK, **{"accept-encoding": accept_encoding}))
    assert (reply.headers.get("content-encoding") == "gzip") is compressed
    _verify_reply(reply, gzip.decompress(reply.body) if compressed else reply.body)


@pytest.mark.parametrize(
    ("lines", "compressed"), [((b"gzip;q=0", b"*"), False), ((b"br", b"gzip"), True), ((b"*;q=0", b"gzip"), True)]
)
def test_accept_encoding_on_several_lines_is_read_as_one_list(lines: tuple[bytes, ...], compressed: bool) -> None:
    body = json.dumps(LIST_TASK).encode()
    headers = [*signed_headers(A, body), *((b"accept-encoding", line) for line in lines)]
    reply = asyncio.run(send(sandbox().asgi_app(), API + "listTask", headers, [body]))
    assert (reply.headers.get("content-encoding") == "gzip") is compressed


def test_a_small_answer_is_never_gzipped() -> None:
    reply = asyncio.run(call(sandbox().asgi_app(), A, "ping", {"data": "x"}, **{"accept-encoding": "gzip"}))
    assert len(reply.body) < 500 and "content-encoding" not in reply.headers
    _verify_reply(reply, reply.body)
    assert reply.json()["code"] == 0


class Sender:
    """One request whose body arrives in ``pieces``, each a fresh bytes object, the event loop turning
    between them (a slow client); ``disconnect_after`` pieces, the client goes away instead."""

    def __init__(self, pieces: list[bytes], *, disconnect_after: int | None = None) -> None:
        self.pieces = pieces
        self.disconnect_after = disconnect_after
        self.sent = 0
        self.messages: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        if self.disconnect_after is not None and self.sent >= self.disconnect_after:
            return {"type": "http.disconnect"}
        self.sent += 1
        piece = bytes(bytearray(self.pieces[self.sent - 1]))
        return {"type": "http.request", "body": piece, "more_body": self.sent < len(self.pieces)}

    async def send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)

    async def run(self, app: Any, operation: str, body: bytes) -> None:
        scope = {
            "type": "http",
            "method": "POST",
            "path": API + operation,
            "headers": signed_headers(A, body),
            "query_string": b"",
            "root_path": "",
        }
        await app(scope, self.receive, self.send)

    def code(self) -> Any:
        body = json.loads(b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"))
        return body.get("retCode", body.get("code"))


def test_a_client_that_goes_away_mid_body_gets_no_answer_and_frees_its_share(caplog: Any) -> None:
    made = sandbox(Limits(max_body_bytes=4096, max_reading_bytes=4096))
    app = made.asgi_app()
    body = json.dumps({"productID": "callbot", "data": "y" * 3000}).encode()
    leaver = Sender([body[i : i + 500] for i in range(0, len(body), 500)], disconnect_after=3)
    asyncio.run(leaver.run(app, "ping", body))
    assert leaver.messages == [] and made.reading.in_use == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    whole = Sender([body])  # the whole budget is free again
    asyncio.run(whole.run(app, "ping", body))
    assert whole.code() == 0


def test_the_bodies_being_read_at_once_stay_within_the_budget() -> None:
    piece_size, pieces, senders, budget = 1000, 4, 10, 8000
    limits = Limits(max_body_bytes=piece_size * pieces, max_reading_bytes=budget, max_reading_bytes_per_account=budget)
    made = sandbox(limits)  # one account may take the whole budget here: test_sandbox_limits.py checks the shares
    app = made.asgi_app()
    body = json.dumps({"productID": "callbot", "data": "z" * (piece_size * pieces - 40)}).encode()
    assert len(body) <= piece_size * pieces
    chunks = [body[i : i + piece_size] for i in range(0, len(body), piece_size)]
    highest = 0

    async def watch() -> None:
        nonlocal highest
        while True:
            highest = max(highest, made.reading.in_use)
            await asyncio.sleep(0)

    async def run() -> list[Sender]:
        crowd = [Sender(chunks) for _ in range(senders)]  # 40,000 bytes wanted at once, 8,000 allowed
        watcher = asyncio.create_task(watch())
        await asyncio.gather(*(sender.run(app, "ping", body) for sender in crowd))
        watcher.cancel()
        return crowd

    crowd = asyncio.run(run())
    codes = [sender.code() for sender in crowd]
    assert 0 < highest <= budget
    assert set(codes) == {0, 4} and codes.count(4) >= senders - budget // len(body) - 1, codes
    refused = next(s for s in crowd if s.code() == 4)
    refusal = json.loads(refused.messages[-1]["body"])["msg"]
    assert "send it again later" in refusal and str(budget) in refusal
    assert made.reading.in_use == 0  # every share given back, refused or served
    again = Sender(chunks)
    asyncio.run(again.run(app, "ping", body))
    assert again.code() == 0


def test_the_reading_budget_grows_with_a_larger_body_limit_unless_given() -> None:
    mib = 1024 * 1024
    assert Limits().max_reading_bytes == 256 * mib
    assert Limits(max_body_bytes=300 * mib).max_reading_bytes == 300 * mib
    assert Limits(max_body_bytes=300 * mib, max_reading_bytes=900 * mib).max_reading_bytes == 900 * mib


def test_limits_that_could_never_accept_a_body_are_refused() -> None:
    with pytest.raises(ValueError, match="max_reading_bytes must be at least max_body_bytes"):
        Limits(max_body_bytes=2048, max_reading_bytes=1024)
    with pytest.raises(ValueError, match="1 or more"):
        Limits(max_body_bytes=0)
