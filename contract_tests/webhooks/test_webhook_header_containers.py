"""Any framework's header container and any bytes-like body are taken as they come: dicts, lists of pairs, the
containers of Werkzeug, Django, aiohttp, Starlette and the standard library's http.server; a body is hashed over
exactly its bytes; a str body or headers that are no container are a TypeError naming them."""

from __future__ import annotations

import array
import email
import email.message
import http.client
import io
import json
import threading
import time
import wsgiref.headers
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from callbot_signing import (
    InvalidWebhookError,
    ReplayGuard,
    SignatureError,
    parse_webhook,
    verify_response,
    verify_webhook,
)
from starlette.datastructures import Headers as StarletteHeaders

from .._support import PAYLOADS, documented_sign

NOW = 1_800_000_000


#: Two accounts served by one receiver; B holds its own key and signs whatever it likes.
A = ("acct-a-uuid", "acct-a-secret")


B = ("acct-b-uuid", "acct-b-secret")


ID_CHARS = 16


def signed(
    account: tuple[str, str], request_id: str = "r" * ID_CHARS, *, create_ts: int = NOW, body: bytes | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    uuid, secret = account
    raw = json.dumps(PAYLOADS["call"]).encode() if body is None else body
    sign = documented_sign(secret, raw, str(create_ts), request_id, uuid, "MD5")
    return [("requestID", request_id), ("uuid", uuid), ("createTs", str(create_ts)), ("sign", sign)], raw


def receive(account: tuple[str, str], headers: Any, body: Any, **options: Any) -> Any:
    uuid, secret = account
    return parse_webhook(headers, body, **{"uuid": uuid, "secret_key": secret, "now": NOW, **options})


# --- 2. any framework's header container, any bytes-like body -------------------------------------------


Pairs = list[tuple[str, str]]


def _http_server(pairs: Pairs) -> Any:  # what http.server's self.headers is: an email.message.Message
    raw = "".join(f"{name}: {value}\r\n" for name, value in pairs) + "\r\n"
    return http.client.parse_headers(io.BytesIO(raw.encode("latin-1")))


def _email_message(pairs: Pairs) -> Any:
    message = email.message.EmailMessage()
    for name, value in pairs:
        message[name] = value
    return message


class WerkzeugLike:
    """werkzeug's Headers as it matters here: getlist, iteration over pairs, not a Mapping."""

    def __init__(self, pairs: Pairs) -> None:
        self._pairs = list(pairs)

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)


class DjangoLike(Mapping[str, str]):
    """Django's request.headers (HttpHeaders): a case-insensitive mapping with one value per name."""

    def __init__(self, pairs: Pairs) -> None:
        self._store = {name.lower(): (name, value) for name, value in pairs}

    def __getitem__(self, key: str) -> str:
        return self._store[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)


class AiohttpLike:
    """aiohttp's CIMultiDictProxy as it matters here: getall(name, default), items()."""

    def __init__(self, pairs: Pairs) -> None:
        self._pairs = list(pairs)

    def getall(self, key: str, default: list[str]) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()] or default

    def items(self) -> Pairs:
        return list(self._pairs)


def _werkzeug(kind: str) -> Callable[[Pairs], Any]:
    def build(pairs: Pairs) -> Any:
        datastructures = pytest.importorskip("werkzeug.datastructures")
        if kind == "Headers":
            return datastructures.Headers(pairs)
        return datastructures.EnvironHeaders({"HTTP_" + name.upper(): value for name, value in pairs})

    return build


#: name -> (build the container from pairs, whether it can hold a name twice)
CONTAINERS: dict[str, tuple[Callable[[Pairs], Any], bool]] = {
    "http.server": (_http_server, True),
    "email.message_from_string": (
        lambda pairs: email.message_from_string("".join(f"{n}: {v}\n" for n, v in pairs) + "\n"),
        True,
    ),
    "email.EmailMessage": (_email_message, True),
    "wsgiref.headers.Headers": (lambda pairs: wsgiref.headers.Headers(list(pairs)), True),
    "starlette.Headers": (
        lambda pairs: StarletteHeaders(raw=[(n.lower().encode(), v.encode()) for n, v in pairs]),
        True,
    ),
    "werkzeug.Headers": (_werkzeug("Headers"), True),
    "werkzeug.EnvironHeaders": (_werkzeug("EnvironHeaders"), False),
    "werkzeug look-alike": (WerkzeugLike, True),
    "django look-alike": (DjangoLike, False),
    "aiohttp look-alike": (AiohttpLike, True),
    "httpx.Headers": (httpx.Headers, True),
    "dict": (dict, False),
    "list of str pairs": (list, True),
    "list of bytes pairs": (lambda pairs: [(n.encode(), v.encode()) for n, v in pairs], True),
    "tuple of pairs": (tuple, True),
    "one-shot iterator": (iter, True),
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_genuine_delivery_is_accepted_in_the_header_container_of_any_framework(container: str) -> None:
    build, _ = CONTAINERS[container]
    headers, body = signed(A)
    guard = ReplayGuard()
    event = receive(A, build(headers), body, replay_guard=guard)
    assert event.order_id == PAYLOADS["call"]["orderID"]
    with pytest.raises(SignatureError) as caught:  # the requestID was read and remembered
        receive(A, build(headers), body, replay_guard=guard)
    assert caught.value.rule == "replay"


@pytest.mark.parametrize("container", [name for name, (_, repeats) in CONTAINERS.items() if repeats])
@pytest.mark.parametrize("repeated", ["sign", "requestID", "createTs", "uuid"])
def test_a_signature_header_given_twice_is_refused_whatever_the_container(container: str, repeated: str) -> None:
    build, _ = CONTAINERS[container]
    headers, body = signed(A)
    other = {"sign": "0" * 32, "requestID": "other", "createTs": str(NOW - 1), "uuid": B[0]}[repeated]
    with pytest.raises(SignatureError) as caught:
        receive(A, build([*headers, (repeated, other)]), body)
    assert caught.value.rule == "duplicate_header"
    with pytest.raises(SignatureError) as forged_first:  # whichever comes first
        receive(A, build([(repeated, other), *headers]), body)
    assert forged_first.value.rule == "duplicate_header"


def test_a_dict_with_a_signature_header_under_two_casings_is_refused() -> None:
    headers, body = signed(A)
    with pytest.raises(SignatureError) as caught:
        receive(A, {**dict(headers), "SIGN": "0" * 32}, body)
    assert caught.value.rule == "duplicate_header"


def test_http_server_headers_are_taken_as_a_receiver_on_the_standard_library_gets_them() -> None:
    answers: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                receive(A, self.headers, body, now=None)
                status, text = 200, "ok"
            except SignatureError as exc:
                status, text = 400, exc.rule
            answers.append(text)
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        headers, body = signed(A, create_ts=int(time.time()))
        with httpx.Client(timeout=10) as client:
            genuine = client.post(url, content=body, headers=headers)
            doubled = client.post(url, content=body, headers=[*headers, ("sign", "0" * 32)])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert (genuine.status_code, genuine.text) == (200, "ok")
    assert (doubled.status_code, doubled.text) == (400, "duplicate_header")


@pytest.mark.parametrize(
    "wrap",
    [
        bytes,
        bytearray,
        memoryview,
        lambda raw: memoryview(b"xx" + raw + b"yy")[2:-2],
        lambda raw: array.array("B", raw),
    ],
    ids=["bytes", "bytearray", "memoryview", "memoryview-slice", "array"],
)
def test_any_bytes_like_body_is_hashed_over_exactly_its_bytes(wrap: Callable[[bytes], Any]) -> None:
    headers, body = signed(A)
    assert receive(A, headers, wrap(body)).order_id == PAYLOADS["call"]["orderID"]
    verify_webhook(headers, wrap(body), uuid=A[0], secret_key=A[1], now=NOW)
    with pytest.raises(SignatureError) as caught:
        receive(A, headers, wrap(body + b" "))
    assert caught.value.rule == "sign_mismatch"


def test_a_wide_buffer_body_is_hashed_and_sized_in_bytes_not_items() -> None:
    raw = b"{}" + b" " * 42  # 44 bytes: 11 items of 4 bytes
    wide = array.array("I")
    wide.frombytes(raw)
    headers, _ = signed(A, body=raw)
    with pytest.raises(InvalidWebhookError, match=r"incomplete or malformed at \(the body\)"):
        receive(A, headers, memoryview(wide))  # its sign verified over the 44 bytes; then judged as a payload
    with pytest.raises(InvalidWebhookError, match="44 bytes, more than max_body_bytes=43"):
        receive(A, headers, memoryview(wide), max_body_bytes=43)  # refused unread


def test_a_str_body_is_a_type_error_saying_to_pass_the_raw_bytes() -> None:
    headers, body = signed(A)
    for call in (
        lambda: receive(A, headers, body.decode()),
        lambda: verify_webhook(headers, body.decode(), uuid=A[0], secret_key=A[1], now=NOW),  # type: ignore[arg-type]
        lambda: verify_response(headers, body.decode(), request_id="r", uuid=A[0], secret_key=A[1]),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match=r"^body must be the raw bytes of the request as received .*not str"):
            call()


@pytest.mark.parametrize("body", [None, 5, ["{}"], {"a": 1}, 1.5])
def test_a_body_that_is_not_bytes_like_is_a_type_error_naming_the_body(body: Any) -> None:
    with pytest.raises(TypeError, match=r"^body must be the raw bytes of the request \(bytes, bytearray or memoryv"):
        receive(A, signed(A)[0], body)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (None, r"^headers must be the request's header container"),
        (5, r"^headers must be the request's header container"),
        ("requestID: r", r"^headers must be the request's header container"),
        ({"createTs": NOW}, r"^headers: the value of 'createts' is a int; header names and values are str or bytes"),
        ([("sign",)], r"^headers must give \(name, value\) pairs, got an item of type tuple"),
        ([5], r"^headers must give \(name, value\) pairs, got an item of type int"),
        ({5: "x"}, r"^headers: a header name is a int"),
    ],
)
def test_headers_that_are_no_header_container_are_a_type_error_naming_the_headers(headers: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        receive(A, headers, signed(A)[1])
