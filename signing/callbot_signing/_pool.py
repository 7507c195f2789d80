"""The connections of one client, and what closing them does to the calls still in flight.

``CallbotTransport`` wraps the httpx transport that holds its pool in a :class:`SyncPool` or :class:`AsyncPool`,
made once per client. ``close()``/``aclose()`` closes that wrapper for good (the next call makes a new one):
an attempt that was still running, waiting for its answer, or about to retry through it ends at once with an
``APIConnectionError`` saying that the client was closed, instead of a ``RuntimeError`` from httpx or a wait
for the whole timeout.

Closing a socket does not wake a read blocked on it in another thread (Linux keeps the call waiting until the
timeout); shutting it down does. So the sockets of the pools this package creates are tracked (through the
pool's network backend, the seam ``_deadline.install`` uses too) and shut down when their pool is closed.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpcore
import httpx

from ._deadline import SocketOptions
from ._errors import APIConnectionError
from ._retry import operation_of


def closed_error(operation: str) -> APIConnectionError:
    """The error of a call whose client was closed while it was in flight."""
    return APIConnectionError(
        f"{operation} was cut short: the client was closed (close() or aclose(), perhaps from another thread) "
        f"while the call was in flight, so it may or may not have been carried out. Use an open client to send "
        "it again, after checking its effect if it is not idempotent.",
        operation=operation,
    )


class _Sockets:
    """The sockets of a pool's open connections; ``shut_all`` shuts them down and refuses new ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.closed = False

    def add(self, stream: httpcore.NetworkStream | httpcore.AsyncNetworkStream) -> None:
        sock = stream.get_extra_info("socket")
        with self._lock:
            if self.closed:
                raise httpcore.ConnectError("the client was closed")
            if isinstance(sock, socket.socket):
                self._open.add(sock)

    def discard(self, stream: httpcore.NetworkStream | httpcore.AsyncNetworkStream) -> None:
        sock = stream.get_extra_info("socket")
        with self._lock:
            self._open.discard(sock)

    def shut_all(self) -> None:
        with self._lock:
            self.closed = True
            sockets, self._open = self._open, set()
        for sock in sockets:
            # socket.socket's own shutdown: an SSLSocket's would also drop its TLS state under a reader. OSError:
            # already closed, or never connected.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, sockets: _Sockets) -> None:
        self._inner = inner
        self._sockets = sockets

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._sockets.discard(self._inner)
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        self._sockets.discard(self._inner)
        tls = self._inner.start_tls(ssl_context, server_hostname, timeout)
        self._sockets.add(tls)
        return _Stream(tls, self._sockets)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, sockets: _Sockets) -> None:
        self._inner = inner
        self._sockets = sockets

    def _tracked(self, stream: httpcore.NetworkStream) -> httpcore.NetworkStream:
        try:
            self._sockets.add(stream)
        except httpcore.ConnectError:
            stream.close()
            raise
        return _Stream(stream, self._sockets)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.NetworkStream:
        return self._tracked(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.NetworkStream:
        return self._tracked(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream, sockets: _Sockets) -> None:
        self._inner = inner
        self._sockets = sockets

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        self._sockets.discard(self._inner)
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        self._sockets.discard(self._inner)
        tls = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        self._sockets.add(tls)
        return _AsyncStream(tls, self._sockets)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend, sockets: _Sockets) -> None:
        self._inner = inner
        self._sockets = sockets

    async def _tracked(self, stream: httpcore.AsyncNetworkStream) -> httpcore.AsyncNetworkStream:
        try:
            self._sockets.add(stream)
        except httpcore.ConnectError:
            await stream.aclose()
            raise
        return _AsyncStream(stream, self._sockets)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._tracked(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._tracked(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _track_sockets(transport: object, sockets: _Sockets) -> None:
    """Route the connections of ``transport``'s pool through ``sockets`` (nothing when it has no such pool)."""
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if isinstance(inner, httpcore.NetworkBackend):
        pool._network_backend = _Backend(inner, sockets)  # type: ignore[union-attr]
    elif isinstance(inner, httpcore.AsyncNetworkBackend):
        pool._network_backend = _AsyncBackend(inner, sockets)  # type: ignore[union-attr]


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, pool: SyncPool, request: httpx.Request) -> None:
        self._inner = inner
        self._pool = pool
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except Exception as exc:
            if self._pool.closed:
                raise closed_error(operation_of(self._request)) from exc
            raise

    def close(self) -> None:
        self._inner.close()


class SyncPool(httpx.BaseTransport):
    """``inner`` (an httpx transport) until :meth:`close`; then every call through it ends with ``closed_error``."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self._sockets = _Sockets()
        _track_sockets(inner, self._sockets)

    @property
    def closed(self) -> bool:
        return self._sockets.closed

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.closed:
            raise closed_error(operation_of(request))
        try:
            response = self._inner.handle_request(request)
        except Exception as exc:  # whatever a pool closed under the request raises
            if self.closed:
                raise closed_error(operation_of(request)) from exc
            raise
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _Body(response.stream, self, request)
        return response

    def close(self) -> None:
        self._sockets.shut_all()
        self._inner.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, pool: AsyncPool, request: httpx.Request) -> None:
        self._inner = inner
        self._pool = pool
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except Exception as exc:
            if self._pool.closed:
                raise closed_error(operation_of(self._request)) from exc
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()


class AsyncPool(httpx.AsyncBaseTransport):
    """The async twin of :class:`SyncPool`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self._sockets = _Sockets()
        _track_sockets(inner, self._sockets)

    @property
    def closed(self) -> bool:
        return self._sockets.closed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.closed:
            raise closed_error(operation_of(request))
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as exc:
            if self.closed:
                raise closed_error(operation_of(request)) from exc
            raise
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _AsyncBody(response.stream, self, request)
        return response

    async def aclose(self) -> None:
        self._sockets.shut_all()
        await self._inner.aclose()
