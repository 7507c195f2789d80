"""An answer the client cannot read safely ends in a typed error, before it costs more than its size: a schema
report that cannot be built, a 2xx other than 200, a body too dense to decode, a large unsigned body, bytes
after the end of a gzip stream; a gzip answer in several members is read whole."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from callbot_signing import (
    APIConnectionError,
    AsyncCallbot,
    Callbot,
    SignatureError,
    UnexpectedResponseError,
)

from .._support import documented_sign

UUID = "review-uuid"
SECRET = "review-secret-key"
STOP_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}


def signed(request: httpx.Request, body: bytes, status: int = 200, **headers: Any) -> httpx.Response:
    ts = str(int(time.time()))
    rid = request.headers["requestID"]
    out = {"requestID": rid, "uuid": UUID, "createTs": ts, "sign": documented_sign(SECRET, body, ts, rid, UUID, "MD5")}
    return httpx.Response(status, content=body, headers={**out, **headers})


def callbot(handler: Any, base_url: str = "http://127.0.0.1:9", **options: Any) -> Callbot:
    transport = httpx.MockTransport(handler)
    return Callbot(base_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport}, **options)


@pytest.mark.parametrize(
    "body",
    [
        b'{"retCode":0,"retMsg":"","responseID":"r","totalCount":"\\ud800","successCount":1,"errList":[]}',
        b'{"retCode":0,"retMsg":"","responseID":"r","x":"\\ud800"}',
        b'{"retCode":0,"retMsg":"","responseID":"r","totalCount":1,"successCount":1,"errList":'
        + b"[" * 900
        + b"]" * 900
        + b"}",
    ],
    ids=["surrogate in a wrong field", "surrogate beside a missing field", "deep array in a list field"],
)
def test_an_answer_whose_schema_report_cannot_be_built_is_still_an_unexpected_response(body: bytes) -> None:
    with callbot(lambda r: signed(r, body)) as client, pytest.raises(UnexpectedResponseError):
        client.stop_order(user_task_id="t", order_ids=["o"])


@pytest.mark.parametrize("status", [201, 204, 206, 299])
def test_a_2xx_other_than_200_is_an_unexpected_response(status: int) -> None:
    body = json.dumps(STOP_OK).encode()
    with (
        callbot(lambda r: signed(r, body, status)) as client,
        pytest.raises(UnexpectedResponseError, match=str(status)),
    ):
        client.stop_order(user_task_id="t", order_ids=["o"])


# --- bounds ----------------------------------------------------------------------------------------------


def test_a_body_too_dense_to_decode_safely_is_refused_before_decoding() -> None:
    body = b'{"retCode":0,"x":[' + b"{}," * 1_000_000 + b"{}]}"  # 3 MB that would decode to ~100 MB
    tracemalloc.start()
    try:
        with callbot(lambda r: signed(r, body)) as client, pytest.raises(UnexpectedResponseError, match="too dense"):
            client.stop_order(user_task_id="t", order_ids=["o"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(body)


def test_a_large_unsigned_body_is_never_decoded_to_find_out_what_it_is() -> None:
    body = b'{"retCode":0,"x":[' + b'"aaaaaaaaaa",' * 300_000 + b'""]}'  # 4 MB, JSON, unsigned
    tracemalloc.start()
    try:
        with callbot(lambda r: httpx.Response(200, content=body)) as client, pytest.raises(SignatureError):
            client.stop_order(user_task_id="t", order_ids=["o"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(body)


class Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


def test_bytes_after_the_end_of_a_gzip_stream_are_refused_at_once() -> None:
    member = gzip.compress(json.dumps(STOP_OK).encode())
    junk = [b"x" * 65536] * 600  # 40 MB of junk after the stream: was quadratic CPU
    started = time.monotonic()
    with (
        callbot(
            lambda r: httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks([member, *junk]))
        ) as c,
        pytest.raises(APIConnectionError, match="goes on after its compressed stream ended"),
    ):
        c.stop_order(user_task_id="t", order_ids=["o"])
    assert time.monotonic() - started < 2


def test_a_gzip_answer_in_several_members_is_decoded_whole_and_verified() -> None:
    body = json.dumps(STOP_OK).encode()
    half = len(body) // 2
    wire = gzip.compress(body[:half]) + gzip.compress(body[half:])
    pieces = [wire[i : i + 7] for i in range(0, len(wire), 7)]  # a member's magic split between chunks too

    def handler(request: httpx.Request) -> httpx.Response:
        headers = dict(signed(request, body).headers)
        return httpx.Response(200, headers={**headers, "Content-Encoding": "gzip"}, stream=Chunks(pieces))

    with callbot(handler) as client:
        assert client.stop_order(user_task_id="t", order_ids=["o"]).success_count == 1


async def test_the_async_client_refuses_a_too_dense_body_too() -> None:
    body = b'{"retCode":0,"x":[' + b"[]," * 1_000_000 + b"[]]}"

    async def handler(request: httpx.Request) -> httpx.Response:
        return signed(request, body)

    client = AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(handler)})
    async with client:
        with pytest.raises(UnexpectedResponseError, match="too dense"):
            await asyncio.wait_for(client.stop_order(user_task_id="t", order_ids=["o"]), 30)
