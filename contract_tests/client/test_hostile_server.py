"""A hostile or broken server never gets anything but a CallbotError out of the client, within the
configured timeout plus a margin and with memory near the response limit.

Most servers here are httpx.MockTransport handlers whose body streams misbehave (endless, huge, bombs,
trickles). (Servers that trickle or never stop, also over real loopback sockets: test_trickling_server.py.)
"""

from __future__ import annotations

import gzip
import json
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from callbot_client.api.orders import stop_order
from callbot_signing import (
    APIConnectionError,
    CallbotError,
    ResponseTooLargeError,
    RetryPolicy,
    SignatureError,
    UnexpectedResponseError,
    connect,
)

from .._support import documented_sign
from ..hostile_answers import LIMIT, SECRET, STOP, UUID, Chunks, Handler, bounded, call, endless


def signed_headers(request: httpx.Request, body: bytes, **extra: str) -> dict[str, str]:
    headers = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    headers["sign"] = documented_sign(SECRET, body, headers["createTs"], headers["requestID"], UUID, "MD5")
    return {**headers, **extra}


def gzip_bomb(size: int) -> Iterator[bytes]:
    """``size`` zero bytes, gzip-compressed on the fly (about 1,000 times smaller on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    for _ in range(size // len(block)):
        out = compressor.compress(block)
        if out:
            yield out
    yield compressor.flush()


# --- size ----------------------------------------------------------------------------------------------


def test_an_endless_body_stops_at_the_limit() -> None:
    handler = lambda r: httpx.Response(200, stream=Chunks(endless))  # noqa: E731
    with bounded(seconds=5, memory=4 * LIMIT), pytest.raises(ResponseTooLargeError, match="more than 4,194,304"):
        call(handler)


def test_a_huge_content_length_is_refused_before_reading() -> None:
    read: list[int] = []

    def chunks() -> Iterator[bytes]:
        read.append(1)
        yield b"{}"

    handler = lambda r: httpx.Response(200, headers={"Content-Length": str(2**30)}, stream=Chunks(chunks))  # noqa: E731
    with pytest.raises(ResponseTooLargeError, match="1,073,741,824 bytes"):
        call(handler)
    assert read == []


def test_a_gzip_bomb_stops_at_the_limit_after_decompression() -> None:
    handler = lambda r: httpx.Response(  # noqa: E731
        200, headers={"Content-Encoding": "gzip"}, stream=Chunks(lambda: gzip_bomb(256 * 1024 * 1024))
    )
    with bounded(seconds=10, memory=4 * LIMIT), pytest.raises(ResponseTooLargeError, match="decompresses to more"):
        call(handler)


def test_an_answer_just_under_the_limit_is_read_whole() -> None:
    rows = [{"orderID": f"o-{n:07d}", "errMsg": "x" * 200} for n in range(LIMIT // 241)]
    body = json.dumps(
        {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 0, "errList": rows}
    ).encode()
    assert LIMIT - 64 * 1024 < len(body) <= LIMIT
    result = call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))
    assert len(result.err_list) == len(rows)


def test_a_gzip_answer_is_decoded_and_verified_over_its_json() -> None:
    body = json.dumps(
        {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}
    )
    handler = lambda r: httpx.Response(  # noqa: E731
        200,
        stream=Chunks(lambda: iter([gzip.compress(body.encode())])),
        headers=signed_headers(r, body.encode(), **{"Content-Encoding": "gzip"}),
    )
    assert call(handler).success_count == 1


@pytest.mark.parametrize(
    "wire",
    [b"not gzip at all", gzip.compress(b'{"retCode":0}')[:-12]],
    ids=["garbage", "cut short"],
)
def test_invalid_gzip_is_an_api_connection_error(wire: bytes) -> None:
    handler = lambda r: httpx.Response(200, stream=Chunks(lambda: iter([wire])), headers={"Content-Encoding": "gzip"})  # noqa: E731
    with pytest.raises(APIConnectionError, match="compressed answer"):
        call(handler)


# --- content -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("depth", "signed", "error"),
    [
        (100_000, True, UnexpectedResponseError),  # verified, then refused as not JSON
        (20_000, False, UnexpectedResponseError),  # small enough to look at: neither signed nor JSON
        (100_000, False, SignatureError),  # too large to decode unsigned: refused for its missing sign
    ],
    ids=["signed", "unsigned small", "unsigned large"],
)
def test_a_deeply_nested_body_is_a_typed_error(depth: int, signed: bool, error: type[CallbotError]) -> None:
    body = b"[" * depth + b"]" * depth

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=signed_headers(request, body) if signed else {})

    with pytest.raises(error):
        call(handler)


@pytest.mark.parametrize(
    "text", [b"\xff\xfe", b"\xed\xa0\x80", b"\xed\xbf\xbf"], ids=["invalid", "high surrogate", "low surrogate"]
)
def test_a_body_that_is_not_utf8_is_an_unexpected_response(text: bytes) -> None:
    body = b'{"retCode": 0, "retMsg": "' + text + b'"}'  # a surrogate encoded in UTF-8 bytes is not UTF-8
    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_an_answer_in_another_unicode_encoding_than_utf8_is_an_unexpected_response(codec: str) -> None:
    body = '{"retCode": 0, "retMsg": "ok"}'.encode(codec)
    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))


@pytest.mark.parametrize(
    "sign",
    ["é" * 32, "\u0100" * 32, "A" * 31, "A" * 10_000, "", " "],
    ids=["latin-1", "non-latin-1", "short", "huge", "empty", "blank"],
)
def test_a_malformed_sign_header_is_a_signature_error(sign: str) -> None:
    body = b'{"retCode":0}'

    def handler(request: httpx.Request) -> httpx.Response:
        headers = signed_headers(request, body)
        headers["sign"] = sign
        return httpx.Response(200, content=body, headers={k.encode(): v.encode("utf-8") for k, v in headers.items()})

    with pytest.raises(SignatureError):
        call(handler)


# Signed answers to stopOrder that do not fit its schema, and the field the error must name.
MISFITS = [
    ({"retCode": 0, "retMsg": "", "totalCount": 1, "successCount": 1, "errList": []}, "(the body)"),
    ({"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": None}, "errList"),
    (
        {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": "1", "successCount": 1, "errList": []},
        "totalCount",
    ),
    ({"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": [{}]}, "errList/0"),
    ({"retCode": "6", "retMsg": "", "responseID": "r"}, "retCode"),
    ({"retCode": True, "retMsg": "", "responseID": "r"}, "retCode"),
    ({"retCode": 0.0, "retMsg": "", "responseID": "r"}, "retCode"),
    ({"retCode": 4, "retMsg": ["a list"], "responseID": "r"}, "retMsg"),
    ({"retMsg": "no retCode at all"}, "retCode"),
]


@pytest.mark.parametrize(("answer", "field"), MISFITS, ids=[f"{f} {i}" for i, (_, f) in enumerate(MISFITS)])
def test_a_signed_answer_that_does_not_fit_the_spec_names_the_field(answer: dict[str, Any], field: str) -> None:
    body = json.dumps(answer).encode()
    with pytest.raises(UnexpectedResponseError) as caught:
        call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))
    assert caught.value.field_path == field
    assert caught.value.request_id and caught.value.operation == "stopOrder"
    assert caught.value.response_id == (answer.get("responseID") if isinstance(answer.get("responseID"), str) else None)


def test_an_extra_field_is_kept() -> None:
    answer = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}
    body = json.dumps({**answer, "newField": {"x": 1}}).encode()
    result = call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))
    assert result.additional_properties == {"newField": {"x": 1}}


@pytest.mark.parametrize("value", ["²", "³", "1e309", "-5", "nan", "Fri, 99 Foo 2026", "Sat, 01 Jan 9999 00:00:00 GMT"])
def test_an_odd_retry_after_never_escapes_as_another_exception(value: str) -> None:
    waits: list[float] = []
    c = connect(
        "http://127.0.0.1:9",
        UUID,
        SECRET,
        retry_policy=RetryPolicy(max_retries=1, base_delay=0.001, max_delay=0.001),
        httpx_args={
            "transport": httpx.MockTransport(lambda r: httpx.Response(503, headers={b"Retry-After": value.encode()}))
        },
    )
    c._httpx_args["transport"].auth.sleep = waits.append
    with c, pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        stop_order.sync(client=c, body=STOP)
    assert all(0 <= w <= 60 for w in waits)


def test_every_hostile_case_is_a_callbot_error() -> None:
    """The one rule, checked over the handlers above at once: nothing but CallbotError comes out."""
    body = b'{"retCode":0}'
    handlers: list[Handler] = [
        lambda r: httpx.Response(200, stream=Chunks(endless)),
        lambda r: httpx.Response(
            200, stream=Chunks(lambda: iter([b"\x1f\x8b?"])), headers={"Content-Encoding": "gzip"}
        ),
        lambda r: httpx.Response(
            200,
            content=body,
            headers=[(k.encode(), v.encode()) for k, v in signed_headers(r, body, sign="é" * 32).items()],
        ),
        lambda r: httpx.Response(200, content=b"[" * 50_000, headers=signed_headers(r, b"[" * 50_000)),
        lambda r: httpx.Response(302, headers={"Location": "http://elsewhere.example/"}),
        lambda r: httpx.Response(200, content=b"null", headers=signed_headers(r, b"null")),
    ]
    for handler in handlers:
        with pytest.raises(CallbotError):
            call(handler)


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1" * 5000])
def test_json_that_python_accepts_but_json_does_not_is_an_unexpected_response(constant: bytes) -> None:
    body = b'{"retCode":0,"retMsg":"","responseID":"r","totalCount":' + constant + b',"successCount":1,"errList":[]}'
    with pytest.raises(UnexpectedResponseError, match="not a JSON object"):
        call(lambda r: httpx.Response(200, content=body, headers=signed_headers(r, body)))
