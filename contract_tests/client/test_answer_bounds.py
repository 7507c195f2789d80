"""What reading an answer may cost, and what it leaves behind: every refused answer gives its pooled
connection back, the client asks only for the encodings it decodes (and decodes them all within the same
caps), memory stays near twice ``max_response_bytes`` however small the chunks, transfer framing counts
toward a wire budget, and an upload ends with the attempt's deadline on the sync path as on the async one.

The servers are raw sockets on 127.0.0.1 (``answer_server.py``), so that httpx's own pool is in the path.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
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


def decodable() -> list[str]:
    """What the client should ask for here: gzip and deflate, plus br and zstd when their libraries are
    importable (the dev extra installs both, so that these tests always run in `make test`)."""
    found = ["gzip", "deflate"]
    if importlib.util.find_spec("brotli") or importlib.util.find_spec("brotlicffi"):
        found.append("br")
    if importlib.util.find_spec("zstandard"):
        found.append("zstd")
    return found


class Recorder:
    """A MockTransport handler answering every request with ``encode(json)`` labelled ``encoding``."""

    def __init__(self, encoding: str = "", encode: Callable[[bytes], bytes] = lambda body: body) -> None:
        self.encoding = encoding
        self.encode = encode
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        ts = str(int(time.time()))
        headers = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": ts}
        headers["sign"] = documented_sign(SECRET, STOP_ORDER_ANSWER, ts, headers["requestID"], UUID, "MD5")
        if self.encoding:
            headers["Content-Encoding"] = self.encoding
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(self.encode(STOP_ORDER_ANSWER)))


def mock_callbot(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> Callbot:
    args = {"transport": httpx.MockTransport(handler), **options.pop("httpx_args", {})}
    options = {"max_retries": 2, "max_response_bytes": 1024 * 1024, **options}
    return Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args=args, **options)


def test_the_client_asks_exactly_for_the_encodings_it_decodes() -> None:
    recorder = Recorder()
    with mock_callbot(recorder) as client:
        client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert recorder.requests[0].headers["Accept-Encoding"] == ", ".join(decodable())


def test_the_dev_environment_decodes_br_and_zstd() -> None:
    """`make test` runs the br and zstd tests for real: the dev extra pins brotli and zstandard."""
    assert decodable() == ["gzip", "deflate", "br", "zstd"]


def _brotli(data: bytes) -> bytes:
    import brotli

    return bytes(brotli.compress(data))


def _zstd(data: bytes) -> bytes:
    import zstandard

    return bytes(zstandard.ZstdCompressor().compress(data))


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": lambda data: __import__("zlib").compress(data),
    "br": _brotli,
    "zstd": _zstd,
}


@pytest.mark.parametrize("encoding", decodable())
def test_an_answer_in_each_encoding_asked_for_is_decoded_and_verified(encoding: str) -> None:
    with mock_callbot(Recorder(encoding, ENCODERS[encoding])) as client:
        assert client.stop_order(user_task_id="t", order_ids=["o-1"]).success_count == 1


def test_two_zstd_frames_one_after_the_other_are_one_answer() -> None:
    half = len(STOP_ORDER_ANSWER) // 2
    two = lambda body: _zstd(body[:half]) + _zstd(body[half:])  # noqa: E731
    with mock_callbot(Recorder("zstd", two)) as client:
        assert client.stop_order(user_task_id="t", order_ids=["o-1"]).success_count == 1


@pytest.mark.parametrize("encoding", ["snappy", "compress", "gzip, br", "x-unknown"])
def test_an_encoding_the_client_did_not_ask_for_is_refused_once_and_named(encoding: str) -> None:
    recorder = Recorder(encoding)
    with mock_callbot(recorder) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert len(recorder.requests) == 1, "retried as if it were a transport fault"
    assert repr(encoding.lower()) in str(caught.value) and "Accept-Encoding" in str(caught.value)
    assert not isinstance(caught.value, ResponseTooLargeError)
    assert caught.value.operation == "stopOrder" and caught.value.request_id


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("br, snappy, gzip;q=0.5", "br, gzip;q=0.5"),
        ("identity", "identity"),
        ("snappy", "identity"),
        ("*", ", ".join(decodable())),
        ("ZSTD, compress", "ZSTD"),
        # * stands for the codings not named, with its own q-value; *;q=0 refuses them, and stays as it is
        ("identity, *;q=0", "identity, *;q=0"),
        ("gzip;q=0, *", ", ".join(["gzip;q=0", *decodable()[1:]])),
        ("*;q=0.5, deflate", ", ".join([*(f"{name};q=0.5" for name in decodable() if name != "deflate"), "deflate"])),
    ],
)
def test_an_accept_encoding_of_the_callers_own_is_narrowed_to_what_the_client_decodes(given: str, sent: str) -> None:
    recorder = Recorder()
    with mock_callbot(recorder, httpx_args={"headers": {"Accept-Encoding": given}}) as client:
        client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert recorder.requests[0].headers["Accept-Encoding"] == sent


def test_an_encoding_not_asked_for_is_refused_quoting_the_accept_encoding_that_was_sent() -> None:
    recorder = Recorder("snappy")
    with (
        mock_callbot(recorder, httpx_args={"headers": {"Accept-Encoding": "gzip;q=1, snappy"}}) as client,
        pytest.raises(UnexpectedResponseError, match=r"\(Accept-Encoding: gzip;q=1\) and cannot decode"),
    ):
        client.stop_order(user_task_id="t", order_ids=["o-1"])


def endless_zeros(compress_block: Callable[[], bytes], blocks: int) -> Callable[[bytes], bytes]:
    """An encoder that ignores the body and sends ``blocks`` copies of one compressed block of zeros."""
    return lambda body: compress_block() * blocks


def zstd_bomb() -> bytes:
    """64 MiB of zeros as zstd, about 2 KB, compressed 1 MiB at a time."""
    import zstandard

    compressor = zstandard.ZstdCompressor(level=1).compressobj()
    block = bytes(1024 * 1024)
    return b"".join([compressor.compress(block) for _ in range(64)] + [compressor.flush()])


def brotli_bomb() -> bytes:
    """64 MiB of zeros as brotli, a few hundred bytes, compressed 1 MiB at a time."""
    import brotli

    compressor = brotli.Compressor(quality=1)
    block = bytes(1024 * 1024)
    return b"".join([compressor.process(block) for _ in range(64)] + [compressor.finish()])


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_a_br_or_zstd_bomb_stops_at_the_limit_with_bounded_memory(encoding: str) -> None:
    wire = {"br": brotli_bomb, "zstd": zstd_bomb}[encoding]()
    limit = 4 * 1024 * 1024
    recorder = Recorder(encoding, lambda body: wire)
    tracemalloc.start()
    try:
        with mock_callbot(recorder, max_response_bytes=limit) as client, pytest.raises(ResponseTooLargeError):
            client.stop_order(user_task_id="t", order_ids=["o-1"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * limit + 4 * 1024 * 1024, f"peak allocation {peak:,} bytes"
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    ("encoding", "wire"),
    [
        ("br", lambda body: b"\xff" * 16),
        ("br", lambda body: _brotli(body)[:-4]),
        ("br", lambda body: _brotli(body) + b"more"),
        ("zstd", lambda body: b"\x28\xb5\x2f\xfd" + b"\xff" * 16),
        ("zstd", lambda body: _zstd(body)[:-4]),
        ("zstd", lambda body: _zstd(body) + b"more"),
    ],
    ids=["br garbage", "br cut short", "br trailing bytes", "zstd garbage", "zstd cut short", "zstd trailing bytes"],
)
def test_invalid_br_or_zstd_is_an_api_connection_error(encoding: str, wire: Callable[[bytes], bytes]) -> None:
    with mock_callbot(Recorder(encoding, wire), max_retries=0) as client, pytest.raises(APIConnectionError) as caught:
        client.stop_order(user_task_id="t", order_ids=["o-1"])
    assert "compressed answer" in str(caught.value)


def test_a_zstd_frame_that_asks_for_a_huge_window_is_refused() -> None:
    import zstandard

    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=27)  # 128 MiB, over RFC 9659's 8 MiB
    wire = zstandard.ZstdCompressor(compression_params=params).compress(os.urandom(64) * (512 * 1024))
    client = mock_callbot(Recorder("zstd", lambda body: wire), max_retries=0)
    with client, pytest.raises(APIConnectionError, match="memory"):
        client.stop_order(user_task_id="t", order_ids=["o-1"])


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
