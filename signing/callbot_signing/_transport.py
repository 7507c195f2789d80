"""CallbotTransport: every attempt of a call, from signing to a checked answer, within bounds.

Per attempt: sign (``CallbotAuth.sign_request``: fresh requestID and createTs), send through the client's
pool (``_pool.py``), read the answer within ``max_response_bytes`` and the attempt's deadline (``_read.py``),
then let ``_judge.judge_attempt`` decide what the answer, or the fault below HTTP (refused, reset, timed out,
invalid gzip), comes to: the answer, a wait before the next attempt, or a typed error.

One call of a ``Callbot`` method is told by three modules: ``_client.py`` (with ``_client_base.py``), this one,
and ``_judge.py``.
"""

from __future__ import annotations

import functools
import gzip
import platform
import threading
import time
from typing import Any

import httpx

from ._auth import CallbotAuth
from ._bounds import BOUNDS, AttemptBounds, WireLimitExceeded
from ._constants import DEFAULT_MAX_RESPONSE_BYTES, WIRE_OVERHEAD_BYTES
from ._decoders import narrow_accept_encoding
from ._httpx_private import set_request_body, set_response_body
from ._judge import judge_attempt
from ._pool import AsyncPool, SyncPool
from ._read import aread_bounded, read_bounded
from ._settings import check_count


@functools.cache
def user_agent() -> str:
    """Sent instead of httpx's own User-Agent. Built on first use: reading the installed version imports
    importlib.metadata, which a bare ``import`` of the client need not pay."""
    from ._version import __version__

    return f"nxcloud-callbot/{__version__} httpx/{httpx.__version__} Python/{platform.python_version()}"


_GZIP_MAGIC = b"\x1f\x8b"
#: The largest max_response_bytes taken (1 TiB): past it the bound means nothing, and the decompressor's
#: length argument (a C ssize_t) cannot hold it everywhere.
MAX_RESPONSE_BYTES = 2**40
CONTENT_ENCODING_EXTENSION = "callbot.content_encoding"


class CallbotTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps the real transports (httpx's, or the ones given); signs, bounds, judges and retries.

    The deadline of an attempt is the request's read timeout (``connect(timeout=...)``): it covers
    connecting, sending the request, the headers and the whole body, so a server that trickles a byte a
    second (or reads an upload a little at a time) ends in APITimeoutError close to it. Each network wait is
    also capped by the time left. On the connections it opens itself, an attempt may read at most
    ``max_response_bytes * 1.25 + WIRE_OVERHEAD_BYTES`` from the socket, transfer framing included.

    A transport given (``sync_transport``/``async_transport``) is used as given: those per-operation bounds and
    the interruption of calls by ``close()`` apply only to the connections this transport opens itself (the
    deadline and the size limit are still checked between chunks of the body). ``close()`` closes a given
    transport too, and a later request uses it again.
    """

    def __init__(
        self,
        auth: CallbotAuth,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        **transport_args: Any,
    ) -> None:
        self.auth = auth
        self.max_response_bytes = check_count("max_response_bytes", max_response_bytes, maximum=MAX_RESPONSE_BYTES)
        self._sync = sync_transport
        self._async = async_transport
        self._transport_args = transport_args
        self._given = {
            name for name, value in (("sync_transport", sync_transport), ("async_transport", async_transport)) if value
        }
        self._owner: CallbotTransport | None = None  # set on twins: whose pools they use
        self._sync_pool: SyncPool | None = None  # made by the first call, dropped by close()
        self._async_pool: AsyncPool | None = None
        self._lock = threading.Lock()
        # HTTP/2 reads frames of several requests on one socket: bytes read could be another's, so no budget.
        self._wire_limit = (
            None
            if transport_args.get("http2")
            else self.max_response_bytes + self.max_response_bytes // 4 + WIRE_OVERHEAD_BYTES
        )

    def with_auth(self, auth: CallbotAuth) -> CallbotTransport:
        """A transport with other settings over the same connection pools, which stay this one's to close."""
        twin = CallbotTransport(auth, max_response_bytes=self.max_response_bytes)
        twin._owner = self._owner or self
        twin._wire_limit = self._wire_limit
        return twin

    def check_serves(self, kind: str) -> None:
        """TypeError unless this transport can serve ``kind`` ("sync" or "async") requests: a transport given
        for one kind must not be replaced silently by a direct connection for the other."""
        owner = self._owner or self
        if owner._given and f"{kind}_transport" not in owner._given:
            other = "async" if kind == "sync" else "sync"
            raise TypeError(
                f"the transport given in httpx_args serves {other} requests only, and this is a {kind} client: "
                f"give a transport that implements httpx.{'BaseTransport' if kind == 'sync' else 'AsyncBaseTransport'}"
            )

    def _inner_sync(self) -> SyncPool:
        """The pool of this transport (its owner's, for a twin), made by the first call, once."""
        owner = self._owner or self
        pool = owner._sync_pool
        if pool is None:
            with owner._lock:  # threads making their first call at once: one pool, not one each
                pool = owner._sync_pool
                if pool is None:
                    owner.check_serves("sync")
                    given = owner._sync
                    pool = SyncPool.own(**owner._transport_args) if given is None else SyncPool.given(given)
                    owner._sync_pool = pool
        return pool

    def _inner_async(self) -> AsyncPool:
        owner = self._owner or self
        pool = owner._async_pool
        if pool is None:
            with owner._lock:
                pool = owner._async_pool
                if pool is None:
                    owner.check_serves("async")
                    given = owner._async
                    pool = AsyncPool.own(**owner._transport_args) if given is None else AsyncPool.given(given)
                    owner._async_pool = pool
        return pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner_sync()
        _prepare(request)
        while True:
            bounds = self._start_attempt(request)
            token = BOUNDS.set(bounds)
            outcome: httpx.Response | Exception
            try:
                raw = inner.handle_request(request)
                body = read_bounded(raw, request, max_bytes=self.max_response_bytes, deadline=bounds.deadline)
            except WireLimitExceeded as exc:  # the body's is refused by the read: this came before the headers ended
                outcome = _headers_overflow(request, exc)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                outcome = exc
            else:
                outcome = _answer(raw, body, request)
            finally:
                BOUNDS.reset(token)
            verdict = judge_attempt(self.auth, request, outcome)
            if isinstance(verdict, httpx.Response):
                return verdict
            self.auth.sleep(verdict)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner_async()
        _prepare(request)
        while True:
            bounds = self._start_attempt(request)
            token = BOUNDS.set(bounds)
            outcome: httpx.Response | Exception
            try:
                raw = await inner.handle_async_request(request)
                body = await aread_bounded(raw, request, max_bytes=self.max_response_bytes, deadline=bounds.deadline)
            except WireLimitExceeded as exc:  # the body's is refused by the read: this came before the headers ended
                outcome = _headers_overflow(request, exc)
            except (httpx.TransportError, httpx.DecodingError) as exc:
                outcome = exc
            else:
                outcome = _answer(raw, body, request)
            finally:
                BOUNDS.reset(token)
            verdict = judge_attempt(self.auth, request, outcome)
            if isinstance(verdict, httpx.Response):
                return verdict
            await self.auth.async_sleep(verdict)

    def _start_attempt(self, request: httpx.Request) -> AttemptBounds:
        """Sign the attempt and return its bounds: the deadline, now + the request's read timeout (none
        without one), and the wire budget."""
        self.auth.sign_request(request)
        total = (request.extensions.get("timeout") or {}).get("read")
        return AttemptBounds(float("inf") if total is None else time.monotonic() + total, self._wire_limit)

    def close(self) -> None:
        """Close the pool (a twin from ``with_auth`` leaves its owner's open); a later request opens a new one.
        Calls still in flight through it end at once with an APIConnectionError saying the client was closed."""
        with self._lock:
            pool, self._sync_pool = self._sync_pool, None
        if pool is not None:
            pool.close()
        elif self._sync is not None:  # a transport given and not used yet
            self._sync.close()

    async def aclose(self) -> None:
        with self._lock:
            pool, self._async_pool = self._async_pool, None
        if pool is not None:
            await pool.aclose()
        elif self._async is not None:
            await self._async.aclose()


def _headers_overflow(request: httpx.Request, exc: WireLimitExceeded) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(
        f"the server sent {exc} before the answer's headers ended (endless informational 1xx answers?)",
        request=request,
    )


def _prepare(request: httpx.Request) -> None:
    """Once per call: our User-Agent, an Accept-Encoding that names only what the client decodes, and a body
    compressed when the caller labelled it gzip."""
    sent_agent = content_encoding = b""
    accept_encoding: bytes | None = None
    for name, value in request.headers.raw:  # one pass; Headers.get() scans them all each time
        lowered = name.lower()
        if lowered == b"user-agent":
            sent_agent = value
        elif lowered == b"content-encoding":
            content_encoding = value.lower()
        elif lowered == b"accept-encoding":
            accept_encoding = value if accept_encoding is None else accept_encoding + b", " + value
    if sent_agent.startswith(b"python-httpx/"):
        request.headers["User-Agent"] = user_agent()
    narrowed = _accept_encoding(accept_encoding)
    if narrowed != accept_encoding:
        request.headers["Accept-Encoding"] = narrowed.decode("latin-1")
    content = request.read()
    if content_encoding == b"gzip" and not content.startswith(_GZIP_MAGIC):
        compressed = gzip.compress(content, mtime=0)
        set_request_body(request, compressed)
        request.headers["Content-Length"] = str(len(compressed))


@functools.lru_cache(maxsize=64)
def _accept_encoding(value: bytes | None) -> bytes:
    """What is sent for the Accept-Encoding ``value`` the request came with (httpx's default or the caller's)."""
    return narrow_accept_encoding(None if value is None else value.decode("latin-1")).encode("latin-1")


_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


def _answer(raw: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    """The response as the caller sees it: the decoded body, without the headers that described the wire
    (the Content-Encoding it came with stays readable as ``response.extensions["callbot.content_encoding"]``).

    ``raw`` is reused rather than copied (a second httpx.Response per call is not worth building): its stream
    is read and closed, so it gets the decoded body as its content, and its headers lose the wire's in place.
    """
    wire, encoding = [], None
    for name, value in raw.headers.raw:
        lowered = name.lower()
        if lowered in _WIRE_HEADERS:
            wire.append(lowered)
            if lowered == b"content-encoding":
                encoding = value.decode("latin-1")
    for lowered in dict.fromkeys(wire):  # each name once: del removes every item of it
        del raw.headers[lowered.decode("latin-1")]
    raw.extensions = {**raw.extensions, CONTENT_ENCODING_EXTENSION: encoding}
    set_response_body(raw, body)
    raw.request = request
    return raw
