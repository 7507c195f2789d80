"""One deadline and one reading budget per attempt, enforced on every network operation.

httpx's timeouts apply to each network operation: a server that sends a byte just before each read
timeout keeps a call alive without end, and a sync upload to a reader that takes a little at a time is
bounded by nothing at all. The transport sets the attempt's :class:`AttemptBounds` in a context variable;
the network streams below cap every wait by the time left and fail once it is gone, and count every byte
read from the socket (status line, headers, chunk framing and extensions, trailers, body) against the
attempt's wire budget. They wrap httpcore's own backends in the pools of the httpx transports
``CallbotTransport`` creates (a pool's backend is httpcore's ``_network_backend``; when a future httpcore
lacks it, :func:`install` reports False and the per-chunk checks of ``_read.py`` remain).
"""

from __future__ import annotations

import contextvars
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

try:  # the plain socket stream of httpcore's sync backend, written to directly (see _Stream.write)
    from httpcore._backends.sync import SyncStream as _SocketStream
except ImportError:  # pragma: no cover - a future httpcore: uploads are cut into pieces instead
    _SocketStream = None  # type: ignore[assignment,misc]

#: Bytes a sync upload hands to a stream other than a plain socket at a time, each with the time left.
_WRITE_PIECE = 64 * 1024


class WireLimitExceeded(Exception):
    """More bytes came from the socket during one attempt than its wire budget (see ``CallbotTransport``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} bytes came from the socket")
        self.limit = limit


class AttemptBounds:
    """The monotonic time by which an attempt must end (inf: none), and the bytes it may still read from
    the socket (None: no wire budget)."""

    __slots__ = ("deadline", "wire_left", "wire_limit")

    def __init__(self, deadline: float, wire_limit: int | None = None) -> None:
        self.deadline = deadline
        self.wire_limit = wire_limit
        self.wire_left = wire_limit

    def charge(self, count: int) -> None:
        """Count ``count`` bytes read from the socket; WireLimitExceeded once the budget is spent."""
        if self.wire_left is not None:
            self.wire_left -= count
            if self.wire_left < 0:
                assert self.wire_limit is not None
                raise WireLimitExceeded(self.wire_limit)


#: The current attempt's bounds; None outside an attempt.
BOUNDS: contextvars.ContextVar[AttemptBounds | None] = contextvars.ContextVar("callbot_bounds", default=None)

SocketOptions = Iterable[Any] | None


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    bounds = BOUNDS.get()
    if bounds is None or bounds.deadline == float("inf"):
        return timeout
    left = bounds.deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's deadline (the timeout) has passed")
    return left if timeout is None else min(timeout, left)


def _charge(data: bytes) -> bytes:
    bounds = BOUNDS.get()
    if bounds is not None:
        bounds.charge(len(data))
    return data


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _charge(self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send ``buffer`` within the time left. httpcore's own write gives *each* socket send the whole
        timeout (and copies the rest of the buffer after each one): a reader that takes a little at a time
        kept a 40 MB upload going for 27 s past a 2 s timeout. Here every send waits at most the time left."""
        if type(self._inner) is _SocketStream:
            _send_within_deadline(self._inner.get_extra_info("socket"), buffer, timeout)
            return
        view = memoryview(buffer)  # TLS in TLS, or another stream: piece by piece, each with the time left
        for start in range(0, len(view), _WRITE_PIECE):
            self._inner.write(bytes(view[start : start + _WRITE_PIECE]), _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _send_within_deadline(sock: socket.socket, buffer: bytes, timeout: float | None) -> None:
    """httpcore's SyncStream.write, with the time left recomputed before each send and no copying."""
    view = memoryview(buffer)
    try:
        while view:
            sock.settimeout(_left(timeout, httpcore.WriteTimeout))
            view = view[sock.send(view) :]
    except TimeoutError as exc:  # socket.timeout
        raise httpcore.WriteTimeout(exc) from exc
    except OSError as exc:
        raise httpcore.WriteError(exc) from exc


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _charge(await self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout)))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_tcp(host, port, left, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.connect_unix_socket(path, left, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> bool:
    """Make ``transport``'s pool enforce the attempt deadline on every network wait; False if it cannot."""
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend):
        pool._network_backend = _Backend(inner)  # type: ignore[union-attr]
        return True
    if isinstance(inner, httpcore.AsyncNetworkBackend):
        pool._network_backend = _AsyncBackend(inner)  # type: ignore[union-attr]
        return True
    return False
