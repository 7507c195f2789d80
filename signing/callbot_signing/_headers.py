"""The signature headers and the raw body of a message, read from whatever a framework gives.

Headers come as a mapping, a multi-dict or a list of (name, value) pairs (:data:`HeadersLike`); each signature
header is read with every value it was given, so that the verification can refuse one given twice with
different values. A body is any bytes-like object, read as its exact bytes; a str is refused, since the sign
covers bytes that a decoded and re-encoded text need not reproduce.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, cast

import httpx

from ._constants import ALGORITHM_HEADER, CREATE_TS_HEADER, REQUEST_ID_HEADER, SIGN_HEADER, UUID_HEADER


class HeaderItems(Protocol):
    """Any header container with ``items()`` giving (name, value) pairs: ``email.message.Message`` (the
    ``self.headers`` of ``http.server``), ``wsgiref.headers.Headers``, Django's ``request.headers``."""

    def items(self) -> Iterable[tuple[Any, Any]]: ...


#: Headers as a framework gives them: any mapping (httpx.Headers, starlette Headers, Django's
#: ``request.headers``, a dict), a multi-dict (``get_all``/``getlist``/``getall``: ``http.server``'s
#: ``self.headers``, ``email.message.EmailMessage``, ``wsgiref.headers.Headers``, werkzeug/Flask
#: ``request.headers``, aiohttp), or a list of (name, value) pairs such as ASGI's raw headers (bytes are
#: read as latin-1).
HeadersLike = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]] | HeaderItems
#: A body as received: the exact bytes, in any bytes-like object.
BodyBytes = bytes | bytearray | memoryview

SIGNED_HEADERS = (REQUEST_ID_HEADER, UUID_HEADER, CREATE_TS_HEADER, SIGN_HEADER)
_WANTED = tuple(name.lower() for name in (*SIGNED_HEADERS, ALGORITHM_HEADER))
#: Each wanted header as the pages spell it and in lower case, for a container that only has ``get``.
_SPELLINGS = {name.lower(): (name, name.lower()) for name in (*SIGNED_HEADERS, ALGORITHM_HEADER)}
#: The methods of multi-dicts that give every value of a name: httpx, starlette/werkzeug, aiohttp, and
#: ``email.message.Message``/``wsgiref.headers.Headers`` (whose ``get_all`` may give None for none).
_MULTI_GETTERS = ("get_list", "getlist", "getall", "get_all")


def _text(value: object, what: str) -> str | None:
    """A header's name or value as text (bytes as latin-1); None for a None value (absent)."""
    if isinstance(value, str):
        return value if type(value) is str else str(value)  # str subclasses: email's header objects
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if value is None:
        return None
    email_header = getattr(sys.modules.get("email.header"), "Header", None)  # no import: none exist without it
    if email_header is not None and isinstance(value, email_header):  # compat32 Message may give these
        return str(value)
    raise TypeError(f"headers: {what} is a {type(value).__name__}; header names and values are str or bytes")


def _pairs_of(headers: object) -> Iterable[Any] | None:
    """The (name, value) pairs of a container that has no multi-value getter, or None if it has none."""
    if isinstance(headers, Mapping) or callable(getattr(headers, "items", None)):
        return cast(HeaderItems, headers).items()
    if isinstance(headers, str | bytes | bytearray | memoryview):
        return None
    if isinstance(headers, Iterable):
        return headers
    return None


class _ReadHeaders(list[tuple[str, str]]):
    """The signature headers of a container, read once: (lower-case name, value) pairs, and by name."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        super().__init__((name, value) for name, got in values.items() for value in got)
        self.values = values


def header_values(headers: HeadersLike) -> dict[str, list[str]]:
    """Every value of each signature header, by lower-case name.

    A multi-dict (httpx ``get_list``, starlette/werkzeug ``getlist``, aiohttp ``getall``, ``email`` and
    ``wsgiref`` ``get_all``) is asked for all values of a name; a plain mapping is single-valued per key, but
    two keys differing only in case count as two values; a list of pairs gives every pair. Anything else is
    a TypeError naming ``headers``.
    """
    if type(headers) is _ReadHeaders:  # read already (parse_webhook reads once, then checks and verifies)
        return headers.values
    found: dict[str, list[str]] = {name: [] for name in _WANTED}
    if isinstance(headers, httpx.Headers):  # the common case: one pass over its raw pairs
        for raw_key, raw_value in headers.raw:
            name = raw_key.decode("latin-1").lower()
            if name in found:
                found[name].append(raw_value.decode("latin-1"))
        return found
    pairs: Iterable[Any] | None
    if type(headers) is dict:  # a plain dict (the sandbox's): no multi-dict methods to look for
        pairs = headers.items()
    elif type(headers) is list or type(headers) is tuple:
        pairs = headers
    else:
        for method in _MULTI_GETTERS:
            get_all = getattr(headers, method, None)
            if callable(get_all):
                for name in _WANTED:
                    values: Any = get_all(name, []) if method == "getall" else get_all(name)
                    if isinstance(values, str | bytes):  # a getter that gives one value
                        values = [values]
                    texts = (_text(value, f"the value of {name!r}") for value in values or ())
                    found[name] = [text for text in texts if text is not None]
                return found
        pairs = _pairs_of(headers)
        if pairs is None:
            get = getattr(headers, "get", None)
            if not callable(get):
                raise TypeError(
                    "headers must be the request's header container (a mapping, a multi-dict with get_all/getlist, "
                    f"or a list of (name, value) pairs), got {type(headers).__name__}"
                )
            for name, spellings in _SPELLINGS.items():
                value = next((got for got in map(get, spellings) if got is not None), None)
                text = _text(value, f"the value of {name!r}")
                if text is not None:
                    found[name].append(text)
            return found
    for pair in pairs:
        try:
            key, value = pair
        except (TypeError, ValueError):
            raise TypeError(
                f"headers must give (name, value) pairs, got an item of type {type(pair).__name__}"
            ) from None
        if type(key) is not str:
            key = _text(key, "a header name")
            if key is None:
                raise TypeError("headers: a header name is None; header names and values are str or bytes")
        name = key.lower()
        if name in found:
            if type(value) is str:
                found[name].append(value)
            elif (text := _text(value, f"the value of {name!r}")) is not None:
                found[name].append(text)
    return found


def signed_header_pairs(headers: HeadersLike) -> list[tuple[str, str]]:
    """The signature headers (every value of each) of any container, as a list of (lower-case name, value)
    pairs: read the container once, then check and verify the list (which is not read again)."""
    return _ReadHeaders(header_values(headers))


def _buffer(body: object) -> memoryview:
    if isinstance(body, str):
        raise TypeError(
            "body must be the raw bytes of the request as received (Django request.body, Starlette "
            "await request.body(), Flask request.get_data(), WSGI environ['wsgi.input'].read(n)), not str: the "
            "sign covers the exact bytes, which a decoded and re-encoded text need not reproduce"
        )
    try:
        return memoryview(cast(bytes, body))
    except TypeError:
        raise TypeError(
            f"body must be the raw bytes of the request (bytes, bytearray or memoryview), got {type(body).__name__}"
        ) from None


def body_size(body: object) -> int:
    """The size in bytes of a bytes-like ``body``, copying nothing; a TypeError for a str or a non-buffer."""
    if isinstance(body, bytes):
        return len(body)
    with _buffer(body) as view:
        return view.nbytes


def body_bytes(body: object) -> bytes:
    """The exact bytes of a bytes-like ``body`` (bytes, bytearray, memoryview or any buffer, read as its raw
    bytes); a str is a TypeError saying to pass the raw bytes, anything else a TypeError too."""
    if isinstance(body, bytes):
        return body
    with _buffer(body) as view:
        return view.tobytes()


def request_id_of(headers: HeadersLike) -> str:
    """The requestID header, whatever its casing ("" when absent or given twice with different values)."""
    values = set(header_values(headers)[REQUEST_ID_HEADER.lower()])
    return values.pop() if len(values) == 1 else ""
