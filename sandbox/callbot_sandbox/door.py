"""What a request must be before the sandbox does anything with it: one rule per kind of input.

- **Signing headers** (requestID, uuid, createTs, sign, algorithm): at most one copy each, printable ASCII.
  A second copy or another character: retCode 6 (the sign cannot be checked against an ambiguous header).
- **Body size**: at most ``Limits.max_body_bytes`` on the wire, refused from Content-Length (ASCII digits)
  or while it is read, before it is buffered whole (retCode 4); the bodies being read at one time, at most
  ``Limits.max_reading_bytes`` together and ``Limits.max_reading_bytes_per_account`` for one account (retCode
  4, "send it again later": one account's stalled uploads leave the others room); after gzip, at most
  ``max_body_bytes``, beyond its first MiB at most ``max_gzip_ratio`` times the compressed size, and at most
  ``max_gzip_members`` members (retCode 4), decoded in time linear in the body.
- **JSON**: UTF-8 only (RFC 8259; the checks below read UTF-8 bytes), an object; NaN and Infinity are not
  JSON (retCode 3); a body that may hold more than ``Limits.max_json_values`` values (counted by its
  commas, braces and brackets, before it is decoded) is refused (retCode 4): a valid 10,000-order import
  holds at most about 150,000. The body is decoded on the event loop (the C decoder holds the interpreter:
  a thread would not let the loop run), so this bound and ``max_body_bytes`` bound that time. A number
  whose value is whole is an integer (JSON Schema 2020-12: 1.0 is the integer 1), of any size: the range of
  a field is the spec's (``format: int64`` or ``double``, checked by spec.py), and a number anywhere else
  is kept as it is. Only a number no double can hold (over 1.8e308, or written with more than 4,300
  digits, Python's limit) is refused (retCode 4): it is beyond every range the spec names. Nesting deeper
  than the JSON parser's recursion guard allows (about 900 levels at Python's default recursion limit) is
  refused (retCode 4), never a crash, as is a deep value where the spec wants another type (spec.py: its
  report cannot be built). The bound is the parser's, not a setting: a depth check of its own would be one
  more pass over every body; the one walk over a whole body (the surrogate check, in C) refuses what it
  cannot finish (4).
- **Strings**: every string and key must be encodable as UTF-8, so that any accepted value can be echoed;
  a lone UTF-16 surrogate written as an escape (``"\\ud800"``) is refused (retCode 4); the body's bytes
  must be valid UTF-8 (a surrogate encoded as bytes, ``ED A0 80``, is not: retCode 3).

The callback URLs are not checked here: the wiki says only "URL", so any string is taken (callbacks.py
sends only to absolute http(s) URLs it can reach, and logs the others).
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from starlette.requests import ClientDisconnect
from starlette.types import Receive

from .spec import BAD_VALUE, WRONG_TYPE, RequestRejected

SIGNATURE_WRONG = 6
#: The most digits of a number literal: Python reads no longer integer (sys.get_int_max_str_digits), and
#: every number the spec allows (int64, double) is far shorter.
MAX_NUMBER_DIGITS = 4300


@dataclass(frozen=True)
class Limits:
    #: Largest request body accepted, compressed or not (sandbox: 32 MiB).
    max_body_bytes: int = 32 * 1024 * 1024
    #: Largest total of the request bodies being read at one time, over all connections: many slow senders
    #: cannot pin more memory than this. 0 (the default): 256 MiB, or max_body_bytes if that is larger.
    max_reading_bytes: int = 0
    #: Most JSON values a body may hold (an upper bound counted before decoding): the largest valid import
    #: (10,000 orders with params) holds about 150,000; the bound keeps the loop's decoding time short.
    max_json_values: int = 300_000
    #: Largest ratio of a gzip body's decompressed size to its compressed size.
    max_gzip_ratio: int = 200
    #: Most gzip members in one body (each costs a decompressor; a client sends one).
    max_gzip_members: int = 1000
    #: Largest total of the bodies one account may have being read at one time, so that one account's
    #: stalled uploads cannot fill max_reading_bytes for every other. 0 (the default): a quarter of
    #: max_reading_bytes, or max_body_bytes if that is larger.
    max_reading_bytes_per_account: int = 0

    def __post_init__(self) -> None:
        if not self.max_reading_bytes:
            object.__setattr__(self, "max_reading_bytes", max(256 * 1024 * 1024, self.max_body_bytes))
        limits = (self.max_body_bytes, self.max_json_values, self.max_gzip_ratio, self.max_gzip_members)
        if min(limits) < 1:
            raise ValueError("every limit must be 1 or more")
        if self.max_reading_bytes < self.max_body_bytes:
            raise ValueError("max_reading_bytes must be at least max_body_bytes (else the largest body is never read)")
        if not self.max_reading_bytes_per_account:
            share = max(self.max_reading_bytes // 4, self.max_body_bytes)
            object.__setattr__(self, "max_reading_bytes_per_account", share)
        if not self.max_body_bytes <= self.max_reading_bytes_per_account <= self.max_reading_bytes:
            raise ValueError(
                "max_reading_bytes_per_account must be from max_body_bytes to max_reading_bytes (else the largest "
                "body is never read, or one account may take more than all)"
            )


def single_ascii_headers(raw_headers: list[tuple[bytes, bytes]], names: frozenset[bytes]) -> dict[str, str]:
    """The signing headers named in ``names`` (lower case), each present at most once and printable ASCII."""
    found: dict[str, str] = {}
    for key, value in raw_headers:
        name = key.lower()
        if name not in names:
            continue
        text = name.decode("ascii")
        if text in found:
            raise RequestRejected(SIGNATURE_WRONG, f"incorrect signature: the {text} header is sent more than once")
        if not (value.isascii() and value.decode("ascii").isprintable()):  # printable ASCII, at C speed
            raise RequestRejected(SIGNATURE_WRONG, f"incorrect signature: the {text} header is not printable ASCII")
        found[text] = value.decode("ascii")
    return found


class ReadingBudget:
    """The bytes of request bodies being read right now, over all requests, against
    ``Limits.max_reading_bytes`` (``limit``), and by each account against its share (``per_account``; None:
    no share but the whole). Used from the event loop only (no lock)."""

    def __init__(self, limit: int, per_account: int | None = None) -> None:
        self.limit = limit
        self.per_account = limit if per_account is None else per_account
        self.in_use = 0
        #: Bytes being read by account (uuid); an account reading nothing has no entry.
        self.by_account: dict[str, int] = {}

    def take(self, owner: str, size: int) -> None:
        """Count ``size`` more bytes being read for ``owner``, or refuse (retCode 4) when the whole or the
        account's share would go over."""
        mine = self.by_account.get(owner, 0)
        if mine + size > self.per_account:
            raise RequestRejected(
                BAD_VALUE,
                f"your account has {mine} bytes of request bodies being read at once, and this one would take "
                f"it over its share of {self.per_account} (--max-reading-bytes-per-account): send it again later",
            )
        if self.in_use + size > self.limit:
            raise RequestRejected(
                BAD_VALUE,
                f"the sandbox is reading {self.in_use} bytes of request bodies at once, and this one "
                f"would take it over its limit of {self.limit} (--max-reading-bytes): send it again later",
            )
        self.in_use += size
        self.by_account[owner] = mine + size

    def give_back(self, owner: str, size: int) -> None:
        self.in_use -= size
        left = self.by_account.get(owner, 0) - size
        if left > 0:
            self.by_account[owner] = left
        else:
            self.by_account.pop(owner, None)


async def read_body(
    receive: Receive,
    content_length: str | None,
    limits: Limits,
    budget: ReadingBudget | None = None,
    owner: str = "",
) -> bytes:
    """The body, read from ASGI ``receive`` message by message and refused as soon as it is known to be over
    the limit (never buffered past it), or when the bodies being read at once would go over ``budget`` (for
    all, or for the account ``owner``); ClientDisconnect when the client goes away first. The budget is given
    back however the read ends."""
    limit = limits.max_body_bytes
    if content_length is not None:
        if not (content_length.isascii() and content_length.isdigit()):  # "²".isdigit() is True
            raise RequestRejected(BAD_VALUE, "the Content-Length header is not a number")
        if len(content_length) > 18 or int(content_length) > limit:
            raise RequestRejected(BAD_VALUE, f"the request body is over {limit} bytes (Content-Length)")
    parts: list[bytes] = []
    size = 0
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk: bytes = message.get("body", b"")
            if size + len(chunk) > limit:
                raise RequestRejected(BAD_VALUE, f"the request body is over {limit} bytes")
            if budget is not None:
                budget.take(owner, len(chunk))
            size += len(chunk)
            parts.append(chunk)
            if not message.get("more_body", False):
                return parts[0] if len(parts) == 1 else b"".join(parts)
    finally:
        if budget is not None:
            budget.give_back(owner, size)


#: A gzip body may expand to this many bytes whatever its ratio: a small, repetitive body (a list of alike
#: orders) compresses far beyond max_gzip_ratio, and is no bomb.
GZIP_FREE_BYTES = 1024 * 1024
#: gzip input is fed to the decompressor in slices of this size: what is left after a member ends is then
#: at most one slice (zlib's ``unused_data`` copies the rest of its input at every member's end).
_GZIP_SLICE = 64 * 1024


def gunzip(data: bytes, limits: Limits) -> bytes:
    """Decompress every gzip member of ``data``, stopping at the size, ratio and member limits (linear in
    the size of ``data``, however many members it holds)."""
    cap = min(limits.max_body_bytes, max(GZIP_FREE_BYTES, limits.max_gzip_ratio * len(data)))
    view = memoryview(data)
    out: list[bytes] = []
    size = position = members = 0
    pending = b""  # what the last slice held after a member ended
    inflater: Any = None
    try:
        while pending or position < len(data):
            if inflater is None:
                members += 1
                if members > limits.max_gzip_members:
                    raise RequestRejected(BAD_VALUE, f"the gzip body has more than {limits.max_gzip_members} members")
                inflater = zlib.decompressobj(wbits=31)
            piece: bytes | memoryview
            if pending:
                piece, pending = pending, b""
            else:
                piece = view[position : position + _GZIP_SLICE]
                position += len(piece)
            inflated = inflater.decompress(piece, cap - size + 1)
            size += len(inflated)
            out.append(inflated)
            if size > cap or inflater.unconsumed_tail:
                raise RequestRejected(
                    BAD_VALUE,
                    f"the gzip body expands past {cap} bytes (limits: {limits.max_gzip_ratio}x its size, "
                    f"{limits.max_body_bytes} bytes)",
                )
            if inflater.eof:
                pending, inflater = inflater.unused_data, None
        if inflater is not None:
            raise RequestRejected(WRONG_TYPE, "the request body is not valid gzip (cut short)")
    except zlib.error:
        raise RequestRejected(WRONG_TYPE, "the request body is not valid gzip") from None
    return b"".join(out)


class _OutOfRange(ValueError):
    """A number JSON can write but no range of the spec holds (retCode 4, not 3)."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _OutOfRange(text)
    return int(text)


def _number(text: str) -> int | float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: no double holds it
        raise _OutOfRange(text)
    # A whole number is an integer (1.0 is 1) where the sandbox may use it as one; beyond 64 bits it stays a
    # double, compared as one with the range of its field (a conversion would be exact but slow to compare).
    return int(value) if value.is_integer() and -(2**63) <= value < 2**63 else value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Decoders made once (json.loads with hooks would build one per call). The integer hook is a Python call
#: per integer, so it is used only when the body holds a run of more than MAX_NUMBER_DIGITS digits.
_DECODER = json.JSONDecoder(parse_float=_number, parse_constant=_constant)
_CHECKING_DECODER = json.JSONDecoder(parse_float=_number, parse_int=_integer, parse_constant=_constant)
_LONG_DIGITS = re.compile(rb"[0-9]{%d}" % (MAX_NUMBER_DIGITS + 1))

# Any \uD800-\uDFFF escape: a lone surrogate is possible only if one of these is in the raw body (which is
# UTF-8, so the escape is there as these ASCII bytes).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes, limits: Limits) -> dict[str, Any]:
    """The body as a JSON object, by the rules in the module docstring."""
    if not raw.strip():
        return {}  # most pages mark the body optional; the required fields then answer retCode 2
    values = raw.count(b",") + raw.count(b"{") + raw.count(b"[")  # at least one less than it holds
    if values >= limits.max_json_values:
        raise RequestRejected(
            BAD_VALUE, f"the request body may hold {values + 1:,} JSON values, more than {limits.max_json_values:,}"
        )
    try:
        decoder = _CHECKING_DECODER if _LONG_DIGITS.search(raw) else _DECODER
        body = decoder.decode(raw.decode("utf-8"))  # strict: UTF-8-encoded surrogates (ED A0 80) are not UTF-8
    except RecursionError:
        raise RequestRejected(BAD_VALUE, "the request body is nested too deeply") from None
    except _OutOfRange as exc:
        raise RequestRejected(
            BAD_VALUE,
            f"the number {str(exc)[:40]}{'...' if len(str(exc)) > 40 else ''} is beyond the range of a double "
            "(and of every integer and number field of the spec)",
        ) from None
    except (ValueError, UnicodeDecodeError):  # ValueError includes an integer of more than 4,300 digits
        raise RequestRejected(WRONG_TYPE, "the request body is not valid UTF-8 JSON") from None
    if not isinstance(body, dict):
        raise RequestRejected(WRONG_TYPE, "the request body must be a JSON object")
    if _SURROGATE_ESCAPE.search(raw) is not None:
        _check_strings(body)
    return body


def json_object(
    raw: bytes, content_type: str | None, content_encodings: list[str], limits: Limits, *, gzip_allowed: bool
) -> dict[str, Any]:
    """The request body as a JSON object: its Content-Type (if any) is application/json, its only
    Content-Encoding (if any) gzip where the operation allows it, then :func:`parse_json`."""
    if content_type is not None and content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise RequestRejected(WRONG_TYPE, f"the request body must be application/json, not {content_type[:100]}")
    encoding = content_encodings
    if encoding and (len(encoding) > 1 or encoding[0].lower() != "gzip" or not gzip_allowed):
        raise RequestRejected(BAD_VALUE, f"Content-Encoding {', '.join(encoding)[:100]} is not accepted here")
    if encoding:
        raw = gunzip(raw, limits)
    return parse_json(raw, limits)


def _check_strings(body: dict[str, Any]) -> None:
    """Every key and string of ``body`` encodes as UTF-8: its JSON, written by the C encoder with the
    strings as they are, must encode (one pass in C; a walk in Python would hold the event loop far longer)."""
    try:
        json.dumps(body, ensure_ascii=False, check_circular=False).encode("utf-8")
    except UnicodeEncodeError:
        raise RequestRejected(BAD_VALUE, "a string holds a lone UTF-16 surrogate: it cannot be UTF-8") from None
    except RecursionError:  # the encoder recurses a little deeper than the decoder allowed
        raise RequestRejected(BAD_VALUE, "the request body is nested too deeply") from None


#: A top-level list longer than this is encoded a slice at a time (see encode_json).
ENCODE_SLICE = 5_000


def _dumps(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")


def encode_json(payload: Any) -> bytes:
    """JSON bytes of ``payload``; a value UTF-8 cannot hold (a lone surrogate) is written as a \\u escape.

    A long list at the top of an object (a page of rows) is encoded ``ENCODE_SLICE`` items at a time and
    spliced in: the C encoder holds the interpreter for a whole call, and every other thread (the event
    loop's included) waits for it; slices keep each hold short.
    """
    long_lists = (
        [key for key, value in payload.items() if isinstance(value, list) and len(value) > ENCODE_SLICE]
        if (isinstance(payload, dict))
        else []
    )
    if not long_lists:
        return _dumps(payload)
    marks = {key: f"\x00{uuid4().hex}\x00" for key in long_lists}  # stands in for the list, spliced out below
    head = _dumps({key: marks.get(key, value) for key, value in payload.items()})
    for key in long_lists:
        items = payload[key]
        pieces = [_dumps(items[start : start + ENCODE_SLICE])[1:-1] for start in range(0, len(items), ENCODE_SLICE)]
        head = head.replace(_dumps(marks[key]), b"[" + b",".join(pieces) + b"]", 1)
    return head
