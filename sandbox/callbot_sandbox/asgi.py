"""The sandbox's HTTP plumbing on plain ASGI: the Callbot operations are served without a framework in the way.

A request to an operation's exact path goes straight to its endpoint (a dict lookup; a method the spec does
not give that path, for the Callbot operations anything but POST, is answered 405); everything else
(``/_sandbox/advance``, unknown paths) goes to a Starlette app.
Starlette's routing, ``Request``, ``Response`` and gzip middleware cost about as much per request as the
sandbox's own work on a ping; this module does only what the sandbox needs of them (door.py reads the body):

- read the headers it needs in one pass: :class:`RequestHead`;
- compress an answer of 500 bytes or more when the request accepts gzip (the sign covers the
  uncompressed bytes, as on the service): :func:`wire_reply`; send it: :func:`send_reply`.
"""

from __future__ import annotations

import zlib
from collections.abc import Awaitable, Callable, Mapping

from starlette.types import ASGIApp, Receive, Scope, Send

#: Answers shorter than this go out uncompressed even when the request accepts gzip (Starlette's default).
GZIP_MINIMUM_SIZE = 500
#: zlib's default level: a large page compresses much faster than at level 9, and nearly as small.
GZIP_LEVEL = 6

Endpoint = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]


class RequestHead:
    """The request headers the sandbox reads, from ASGI's raw pairs in one pass: the pairs named in
    ``keep`` (lower case; the signing headers, whose rule is the door's) and a few others.

    ``content_encodings`` keeps every Content-Encoding line (the door refuses more than one)."""

    __slots__ = ("accepts_gzip", "content_encodings", "content_length", "content_type", "kept")

    def __init__(self, raw_headers: Headers, keep: frozenset[bytes]) -> None:
        self.kept: Headers = []
        self.content_length: str | None = None
        self.content_type: str | None = None
        self.content_encodings: list[str] = []
        accept_encoding: list[bytes] = []
        for key, value in raw_headers:
            name = key.lower()
            if name in keep:
                self.kept.append((name, value))
            elif name == b"content-length":
                self.content_length = value.decode("latin-1")
            elif name == b"content-type":
                self.content_type = value.decode("latin-1")
            elif name == b"content-encoding":
                self.content_encodings.append(value.decode("latin-1"))
            elif name == b"accept-encoding":
                accept_encoding.append(value)
        # Several lines are one comma-separated list (RFC 9110 5.3): "gzip;q=0" on one line outweighs "*".
        self.accepts_gzip = bool(accept_encoding) and accepts_gzip(b",".join(accept_encoding))


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether an Accept-Encoding value admits gzip (RFC 9110 12.5.3): its q-value, else that of ``*``,
    is above 0."""
    gzip_q: float | None = None
    star_q: float | None = None
    for item in accept_encoding.lower().split(b","):
        coding, _, params = item.partition(b";")
        coding = coding.strip()
        if coding in (b"gzip", b"x-gzip"):
            gzip_q = max(gzip_q or 0.0, _q_value(params))
        elif coding == b"*":
            star_q = _q_value(params)
    chosen = gzip_q if gzip_q is not None else star_q
    return chosen is not None and chosen > 0


def _q_value(params: bytes) -> float:
    for param in params.split(b";"):
        name, _, value = param.strip().partition(b"=")
        if name == b"q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def wire_reply(body: bytes, headers: Mapping[str, str], *, accepts_gzip: bool) -> tuple[bytes, Headers]:
    """The bytes to send and the response headers: JSON, gzip-compressed when accepted and worth it."""
    out: Headers = [(b"content-type", b"application/json")]
    out.extend((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items())
    if accepts_gzip and len(body) >= GZIP_MINIMUM_SIZE:
        packer = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # wbits 31: a gzip member
        body = packer.compress(body) + packer.flush()
        out.extend(((b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")))
    out.append((b"content-length", str(len(body)).encode("latin-1")))
    return body, out


async def send_reply(send: Send, body: bytes, headers: Headers, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def operations_first(endpoints: Mapping[str, Mapping[str, Endpoint]], fallback: ASGIApp) -> ASGIApp:
    """An ASGI app that serves a request to one of ``endpoints``' paths (path -> method -> endpoint, the
    spec's operations) directly, answers 405 to a method the path does not have, and hands any other
    request to ``fallback``."""
    not_allowed = b"Method Not Allowed"

    def refusal(methods: Mapping[str, Endpoint]) -> Headers:
        return [
            (b"allow", ", ".join(sorted(methods)).encode("latin-1")),
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(not_allowed)).encode("latin-1")),
        ]

    not_allowed_headers = {path: refusal(methods) for path, methods in endpoints.items()}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            methods = endpoints.get(scope["path"])
            if methods is not None:
                endpoint = methods.get(scope["method"])
                if endpoint is not None:
                    await endpoint(scope, receive, send)
                else:
                    await send_reply(send, not_allowed, not_allowed_headers[scope["path"]], status=405)
                return
        await fallback(scope, receive, send)

    return app
