"""What reading an answer may cost, and what it leaves behind: every refused answer gives its pooled
connection back, memory stays near twice ``max_response_bytes`` however small the chunks, transfer framing
counts toward a wire budget, and an upload ends with the attempt's deadline on the sync path as on the async
one. (The encodings asked for and decoded: test_answer_encodings.py.)

The servers are raw sockets on 127.0.0.1 (``answer_server.py``), so that httpx's own pool is in the path.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from callbot_signing import (
    APIConnectionError,
    APITimeoutError,
    AsyncCallbot,
    Callbot,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    InvalidRequestError,
    ResponseTooLargeError,
    RetryPolicy,
    SignatureError,
    UnexpectedResponseError,
)

from .._support import FAULT_SECRET as SECRET
from .._support import FAULT_UUID as UUID
from .._support import documented_sign
from ..answer_server import STOP_ORDER_ANSWER, chunk_server, refusing_server, signed_answer, slow_reader

LIMIT = 4096  # max_response_bytes of the refusal tests
SMALL_POOL = httpx.Limits(max_connections=2, max_keepalive_connections=2)
DEFAULT_POOL = 100  # httpx's max_connections
CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunk(data: bytes, extension: bytes = b"") -> bytes:
    return b"%x%s\r\n%s\r\n" % (len(data), extension, data)


def whole(status: str, body: bytes, **headers: str) -> bytes:
    lines = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{lines}\r\n".encode() + body


# --- 1. a refused answer gives its connection back ------------------------------------------------------

#: name -> (what the server sends for a requestID, the error the call ends in). Each refusal is made more
#: times than the pool holds; then a normal call must succeed at once.
REFUSALS: dict[str, tuple[Callable[[str], bytes], type[CallbotError]]] = {
    # refused from the headers alone, before any body is read
    "content-length over the limit": (
        lambda rid: b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n",
        ResponseTooLargeError,
    ),
    "an encoding not asked for": (
        lambda rid: whole("200 OK", b"{}", Content_Encoding="snappy"),
        UnexpectedResponseError,
    ),
    # refused while reading the body
    "a body over the limit": (lambda rid: CHUNKED + chunk(b" " * (2 * LIMIT)) + chunk(b""), ResponseTooLargeError),
    "transfer framing over the wire budget": (
        lambda rid: CHUNKED + chunk(b" ", b";x=" + b"e" * 8000) * 60 + chunk(b""),
        ResponseTooLargeError,
    ),
    "invalid gzip": (lambda rid: whole("200 OK", b"not gzip!", Content_Encoding="gzip"), APIConnectionError),
    # refused by the judgement of a whole answer
    "an unsigned answer": (lambda rid: whole("200 OK", STOP_ORDER_ANSWER), SignatureError),
    "a signed answer that does not fit the spec": (
        lambda rid: signed_answer(rid, b'{"retCode":0}'),
        UnexpectedResponseError,
    ),
    "HTTP 404": (lambda rid: whole("404 Not Found", b"not found"), UnexpectedResponseError),
    "a signed retCode 4": (
        lambda rid: signed_answer(rid, b'{"retCode":4,"retMsg":"bad orderIDs","responseID":"r"}'),
        InvalidRequestError,
    ),
}
#: The refusals that ended before the body, and left the connection checked out until the fix.
HEADER_REFUSALS = ["content-length over the limit", "an encoding not asked for"]


def sync_client(url: str, limits: httpx.Limits | None, **options: Any) -> Callbot:
    args = {"limits": limits} if limits is not None else {}
    options = {"timeout": 3.0, "max_retries": 0, "max_response_bytes": LIMIT, **options}
    return Callbot(url, UUID, SECRET, httpx_args=args, **options)


def async_client(url: str, limits: httpx.Limits | None, **options: Any) -> AsyncCallbot:
    args = {"limits": limits} if limits is not None else {}
    options = {"timeout": 3.0, "max_retries": 0, "max_response_bytes": LIMIT, **options}
    return AsyncCallbot(url, UUID, SECRET, httpx_args=args, **options)


def assert_answered_at_once(started: float, result: Any) -> None:
    assert result.success_count == 1
    assert time.monotonic() - started < 1.5, "the normal call waited for a connection (a leaked pool?)"


def refuse_then_answer_sync(name: str, limits: httpx.Limits | None, refusals: int) -> None:
    refuse, error = REFUSALS[name]
    with refusing_server(refuse, refusals) as server, sync_client(server.url, limits) as client:
        for _ in range(refusals):
            with pytest.raises(error):
                client.stop_order(user_task_id="t", order_ids=["o-1"])
        started = time.monotonic()
        assert_answered_at_once(started, client.stop_order(user_task_id="t", order_ids=["o-1"]))
        assert server.hits == refusals + 1


async def refuse_then_answer_async(name: str, limits: httpx.Limits | None, refusals: int) -> None:
    refuse, error = REFUSALS[name]
    with refusing_server(refuse, refusals) as server:
        async with async_client(server.url, limits) as client:
            for _ in range(refusals):
                with pytest.raises(error):
                    await client.stop_order(user_task_id="t", order_ids=["o-1"])
            started = time.monotonic()
            assert_answered_at_once(started, await client.stop_order(user_task_id="t", order_ids=["o-1"]))
        assert server.hits == refusals + 1


@pytest.mark.parametrize("name", list(REFUSALS))
def test_refused_answers_give_their_connection_back_to_a_small_pool(name: str) -> None:
    refuse_then_answer_sync(name, SMALL_POOL, refusals=5)


@pytest.mark.parametrize("name", list(REFUSALS))
async def test_refused_answers_give_their_connection_back_to_a_small_pool_async(name: str) -> None:
    await refuse_then_answer_async(name, SMALL_POOL, refusals=5)


@pytest.mark.parametrize("name", HEADER_REFUSALS)
def test_more_refused_answers_than_the_default_pool_holds_leave_it_usable(name: str) -> None:
    refuse_then_answer_sync(name, None, refusals=DEFAULT_POOL + 5)


@pytest.mark.parametrize("name", HEADER_REFUSALS)
async def test_more_refused_answers_than_the_default_pool_holds_leave_it_usable_async(name: str) -> None:
    await refuse_then_answer_async(name, None, refusals=DEFAULT_POOL + 5)


def trickle_one_byte(rid: str) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"  # and then nothing, until the client hangs up


def test_answers_past_the_deadline_give_their_connection_back() -> None:
    with refusing_server(trickle_one_byte, 3) as server, sync_client(server.url, SMALL_POOL, timeout=0.3) as client:
        for _ in range(3):
            with pytest.raises(APITimeoutError):
                client.stop_order(user_task_id="t", order_ids=["o-1"])
        started = time.monotonic()
        assert_answered_at_once(started, client.with_options(timeout=5).stop_order(user_task_id="t", order_ids=["o"]))


async def test_answers_past_the_deadline_give_their_connection_back_async() -> None:
    with refusing_server(trickle_one_byte, 3) as server:
        async with async_client(server.url, SMALL_POOL, timeout=0.3) as client:
            for _ in range(3):
                with pytest.raises(APITimeoutError):
                    await client.stop_order(user_task_id="t", order_ids=["o-1"])
            started = time.monotonic()
            result = await client.with_options(timeout=5).stop_order(user_task_id="t", order_ids=["o-1"])
            assert_answered_at_once(started, result)


# --- 2. the encodings asked for are the encodings decoded -------------------------------------------------


def mock_callbot(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> Callbot:
    args = {"transport": httpx.MockTransport(handler), **options.pop("httpx_args", {})}
    options = {"max_retries": 2, "max_response_bytes": 1024 * 1024, **options}
    return Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args=args, **options)


# --- 3. memory and wire bounds, whatever the chunking ----------------------------------------------------

#: Run in a child process: one warm-up call, then a call whose answer comes in 1-byte chunks; prints the
#: growth of the peak RSS (VmHWM) over the second call. The address space is capped as a safety net.
RSS_CHILD = r"""
import resource, sys
from callbot_signing import Callbot, ResponseTooLargeError

def peak_rss():
    with open("/proc/self/status") as status:
        return int(status.read().split("VmHWM:")[1].split()[0]) * 1024

url, uuid, secret, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
with Callbot(url, uuid, secret, timeout=30, max_retries=0, max_response_bytes=limit) as client:
    client.stop_order(user_task_id="t", order_ids=["o-1"])
    before = peak_rss()
    try:
        client.stop_order(user_task_id="t", order_ids=["o-1"])
    except ResponseTooLargeError:
        print(peak_rss() - before)
"""


def test_one_byte_chunks_cost_no_more_memory_than_twice_the_limit() -> None:
    """32 KiB in 1-byte chunks: one object per chunk (about 140 bytes per byte) would grow the peak RSS by
    4.5 MB, four times the bound."""
    limit = 32 * 1024
    with chunk_server(CHUNKED, chunk(b" ") * 10_000, answer_first=True) as url:
        run = subprocess.run(
            [sys.executable, "-c", RSS_CHILD, url, UUID, SECRET, str(limit)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 0 and run.stdout.strip(), run.stderr[-2000:]
    growth = int(run.stdout)
    assert growth < 2 * limit + 1024 * 1024, f"peak RSS grew by {growth:,} bytes"


class TinyChunks(httpx.SyncByteStream):
    """An endless body in 2-byte chunks, each a new object (CPython shares 1-byte ones), from a transport of
    the caller's own (no socket to count)."""

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(10_000_000):
            yield bytes(2)


def test_tiny_chunks_from_a_transport_of_ones_own_are_kept_in_one_buffer() -> None:
    limit = 128 * 1024
    tracemalloc.start()
    try:
        client = mock_callbot(lambda r: httpx.Response(200, stream=TinyChunks()), max_response_bytes=limit)
        with client, pytest.raises(ResponseTooLargeError):
            client.stop_order(user_task_id="t", order_ids=["o-1"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * limit + 1024 * 1024, f"peak allocation {peak:,} bytes"


def test_chunk_extensions_count_toward_the_wire_budget() -> None:
    """8,000 bytes of chunk extension per body byte: refused for the bytes on the socket, long before the
    body reaches the limit or the timeout passes."""
    block = chunk(b" ", b";x=" + b"e" * 8000) * 8
    with chunk_server(CHUNKED, block) as url, sync_client(url, None, timeout=10, max_response_bytes=65536) as client:
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError, match="on the socket") as caught:
            client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert time.monotonic() - started < 3
    assert caught.value.status_code == 200


def test_endless_informational_answers_end_at_the_wire_budget_not_the_timeout() -> None:
    informational = b"HTTP/1.1 102 Processing\r\n\r\n" * 2000
    with (
        chunk_server(b"", informational) as url,
        sync_client(url, None, timeout=10, max_response_bytes=65536) as client,
    ):
        started = time.monotonic()
        with pytest.raises(APIConnectionError, match="before the answer's headers ended") as caught:
            client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert time.monotonic() - started < 5
    assert not isinstance(caught.value, APITimeoutError)


def test_a_genuine_answer_in_small_chunks_is_not_refused_for_its_framing() -> None:
    """An answer of exactly max_response_bytes sent in 64-byte chunks (about 9% framing)."""
    envelope = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}
    body = json.dumps({**envelope, "padding": "y" * (1024 * 1024)}).encode()

    def answer(rid: str) -> bytes:
        ts = str(int(time.time()))
        sign = documented_sign(SECRET, body, ts, rid, UUID, "MD5")
        head = (
            f"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nrequestID: {rid}\r\nuuid: {UUID}\r\ncreateTs: {ts}\r\n"
        )
        pieces = b"".join(chunk(body[n : n + 64]) for n in range(0, len(body), 64))
        return f"{head}sign: {sign}\r\n\r\n".encode() + pieces + chunk(b"")

    with refusing_server(answer, 1) as server, sync_client(server.url, None, max_response_bytes=len(body)) as client:
        assert client.stop_order(user_task_id="t", order_ids=["o-1"]).success_count == 1


# --- 4. the attempt's deadline bounds an upload ------------------------------------------------------------

UPLOAD = b"[" + b"0," * (4 * 1024 * 1024) + b"0]"  # 8 MiB: about 4 s at the slow reader's 2 MB/s
UPLOAD_TIMEOUT = 0.5
#: How long an upload bounded by its deadline may take at most: the timeout, plus slack for a loaded machine.
UPLOAD_BOUND = UPLOAD_TIMEOUT + 1.5
#: Small socket buffers on both sides: each wait for room to send is short (a few hundredths of a second, well
#: within the timeout), so that only a deadline for the whole upload can end it.
SMALL_BUFFER = 64 * 1024


def upload_transport() -> CallbotTransport:
    auth = CallbotAuth(UUID, SECRET, retry=RetryPolicy(max_retries=0))
    return CallbotTransport(auth, socket_options=[(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)])


def test_a_sync_upload_to_a_slow_reader_ends_with_the_attempts_deadline() -> None:
    with (
        slow_reader(receive_buffer=SMALL_BUFFER) as url,
        httpx.Client(transport=upload_transport(), timeout=UPLOAD_TIMEOUT) as client,
    ):
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.post(f"{url}/callcentre/api/v3/stopOrder", content=UPLOAD)
    assert time.monotonic() - started < UPLOAD_BOUND


async def test_an_async_upload_to_a_slow_reader_ends_with_the_attempts_deadline() -> None:
    with slow_reader(receive_buffer=SMALL_BUFFER) as url:
        async with httpx.AsyncClient(transport=upload_transport(), timeout=UPLOAD_TIMEOUT) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.post(f"{url}/callcentre/api/v3/stopOrder", content=UPLOAD)
    assert time.monotonic() - started < UPLOAD_BOUND
