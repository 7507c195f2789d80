"""The encodings asked for are the encodings decoded: the client asks exactly for what it decodes (gzip, br, zstd in
the dev environment), decodes each and verifies the JSON, refuses an encoding it did not ask for once and names
it, and stops br and zstd bombs at the limit with bounded memory."""

from __future__ import annotations

import gzip
import importlib.util
import os
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from callbot_signing import (
    APIConnectionError,
    Callbot,
    ResponseTooLargeError,
    UnexpectedResponseError,
)

from .._support import FAULT_SECRET as SECRET
from .._support import FAULT_UUID as UUID
from .._support import documented_sign
from ..answer_server import STOP_ORDER_ANSWER

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
