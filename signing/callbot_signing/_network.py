"""The network under the pools this package creates: one wrapper around httpcore's network backend that
bounds every network operation of an attempt and keeps track of the pool's sockets.

- **The deadline.** httpx's timeouts apply to each network operation: a server that sends a byte just before
  each read timeout keeps a call alive without end, and a sync upload to a reader that takes a little at a
  time is bounded by nothing at all. The transport sets the attempt's bounds (``_bounds.py``) in a context
  variable; every wait below is capped by the time left and fails once it is gone.
- **The wire budget.** Every byte read from the socket (status line, headers, chunk framing and extensions,
  trailers, body) is counted against the attempt's budget.
- **The sockets.** A pool's :class:`Connections` holds the sockets of its open connections (sync) and the
  async streams in a TLS handshake; :meth:`Connections.close` shuts the sockets down, hands the streams back to
  be closed, and refuses every connection made afterwards. Closing a socket does not wake a read blocked on it
  in another thread (Linux keeps the call waiting until the timeout); shutting it down does. The other async
  streams need no such help: closing the pool closes them, and that wakes their readers in the event loop; but
  a connection still in its handshake is not the pool's yet, so the pool would not close it.

:func:`install` puts the wrapper in the pool of an httpx transport, once, when ``_pool.py`` makes that transport.
A transport the caller gives is used as given: nothing is installed in it. The seam is httpcore's pool's
network backend, reached through ``_httpx_private.py``; when an httpcore lacks it, :func:`install` returns False
and the per-chunk checks of ``_read.py`` remain.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

from ._bounds import charge, time_left
from ._httpx_private import is_socket_stream, pool_network_backend, set_pool_network_backend

#: Bytes a sync upload hands to a stream other than a plain socket at a time, each with the time left.
_WRITE_PIECE = 64 * 1024


SocketOptions = Iterable[Any] | None


class Connections:
    """One pool's open sockets (sync connections), its async streams in a TLS handshake, and whether the pool
    is closed.

    :meth:`close` shuts the sockets down, so that reads and writes blocked on them in other threads end at
    once, and from then on :meth:`admit` refuses every connection (ConnectError), so that a connection that was
    being made meanwhile does not stay open in a closed pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._handshaking: set[httpcore.AsyncNetworkStream] = set()
        self.closed = False

    def admit(self, sock: socket.socket | None) -> None:
        """Track ``sock`` (None: nothing to track); ConnectError once the pool is closed."""
        with self._lock:
            if self.closed:
                raise httpcore.ConnectError("the client was closed")
            if sock is not None:
                self._open.add(sock)

    def discard(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._open.discard(sock)

    def admit_handshake(self, stream: httpcore.AsyncNetworkStream) -> None:
        """Track an async stream during its TLS handshake; ConnectError once the pool is closed."""
        with self._lock:
            if self.closed:
                raise httpcore.ConnectError("the client was closed")
            self._handshaking.add(stream)

    def handshake_ended(self, stream: httpcore.AsyncNetworkStream) -> None:
        with self._lock:
            self._handshaking.discard(stream)

    def close(self) -> list[httpcore.AsyncNetworkStream]:
        """Shut the sockets down and refuse new connections; return the async streams in a handshake, for the
        caller to close (``aclose`` is a coroutine)."""
        with self._lock:
            self.closed = True
            sockets, self._open = self._open, set()
            streams, self._handshaking = list(self._handshaking), set()
        for sock in sockets:
            # socket.socket's own shutdown: an SSLSocket's would also drop its TLS state under a reader. OSError:
            # already closed, or never connected.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
        return streams


def _admitted(stream: httpcore.NetworkStream, connections: Connections) -> _Stream:
    """``stream`` wrapped, its socket tracked; closed, and ConnectError, when the pool was closed meanwhile."""
    sock = stream.get_extra_info("socket")
    tracked = sock if isinstance(sock, socket.socket) else None
    try:
        connections.admit(tracked)
    except httpcore.ConnectError:
        stream.close()
        raise
    return _Stream(stream, connections, tracked)


def _handshake_guard(sock: socket.socket | None) -> socket.socket | None:
    """A duplicate of a plain socket, tracked during its TLS handshake: ``ssl.wrap_socket`` detaches the
    socket object before the handshake starts, so only a duplicate of it can still shut the connection down."""
    if type(sock) is not socket.socket:
        return None  # an SSLSocket (TLS in TLS) is not detached: it stays tracked itself
    try:
        return sock.dup()
    except OSError:  # no file descriptor left: the handshake is bounded by the deadline alone
        return None


class _Stream(httpcore.NetworkStream):
    """A sync connection's stream: bounded reads and writes, its socket tracked, and a close that never frees
    the socket's file descriptor under a read or write of another thread.

    ``close()`` of a closing pool runs in the thread that closes it, while a call may be about to wait on the
    socket in another: had the descriptor been closed then, the number could be taken by a new socket at once,
    and that wait would watch the wrong socket until the timeout. So while a read or write is in progress, close
    only shuts the socket down (which ends that wait) and leaves closing it to the read or write as it ends."""

    def __init__(self, inner: httpcore.NetworkStream, connections: Connections, sock: socket.socket | None) -> None:
        self._inner = inner
        self._connections = connections
        self._socket = sock
        self._lock = threading.Lock()
        self._users = 0  # reads and writes in progress
        self._closing = False

    @contextlib.contextmanager
    def _in_use(self, error: type[Exception]) -> Iterator[None]:
        with self._lock:
            if self._closing:
                raise error("the connection was closed")
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                last = self._closing and self._users == 0
            if last:
                self._inner.close()

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with self._in_use(httpcore.ReadError):
            return charge(self._inner.read(max_bytes, time_left(timeout, httpcore.ReadTimeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send ``buffer`` within the time left. httpcore's own write gives *each* socket send the whole
        timeout (and copies the rest of the buffer after each one), so a reader that takes a little at a time
        could keep an upload going long past it; here every send waits at most the time left."""
        with self._in_use(httpcore.WriteError):
            if is_socket_stream(self._inner):
                _send_within_deadline(self._inner.get_extra_info("socket"), buffer, timeout)
                return
            view = memoryview(buffer)  # TLS in TLS, or another stream: piece by piece, each with the time left
            for start in range(0, len(view), _WRITE_PIECE):
                self._inner.write(bytes(view[start : start + _WRITE_PIECE]), time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._connections.discard(self._socket)
        with self._lock:
            if self._closing:
                return
            self._closing = True
            busy = self._users > 0
        if not busy:
            self._inner.close()
        elif self._socket is not None:  # the read or write in progress closes it as it ends
            with contextlib.suppress(OSError):
                socket.socket.shutdown(self._socket, socket.SHUT_RDWR)

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        guard = _handshake_guard(self._socket)
        try:
            self._connections.admit(guard)
        except httpcore.ConnectError:  # closed before the handshake
            if guard is not None:
                guard.close()
            self.close()
            raise
        try:
            tls = self._inner.start_tls(ssl_context, server_hostname, time_left(timeout, httpcore.ConnectTimeout))
        except Exception as exc:
            if self._connections.closed:  # the handshake was cut short by close(): nothing was sent
                raise httpcore.ConnectError("the client was closed") from exc
            raise
        finally:
            if guard is not None:
                self._connections.discard(guard)
                guard.close()
        self._connections.discard(self._socket)
        return _admitted(tls, self._connections)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def _send_within_deadline(sock: socket.socket, buffer: bytes, timeout: float | None) -> None:
    """httpcore's SyncStream.write, with the time left recomputed before each send and no copying."""
    view = memoryview(buffer)
    try:
        while view:
            sock.settimeout(time_left(timeout, httpcore.WriteTimeout))
            view = view[sock.send(view) :]
    except TimeoutError as exc:  # socket.timeout
        raise httpcore.WriteTimeout(exc) from exc
    except OSError as exc:
        raise httpcore.WriteError(exc) from exc


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend, connections: Connections) -> None:
        self._inner = inner
        self._connections = connections

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.NetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        return _admitted(self._inner.connect_tcp(host, port, left, local_address, socket_options), self._connections)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.NetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        return _admitted(self._inner.connect_unix_socket(path, left, socket_options), self._connections)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


async def _async_admitted(stream: httpcore.AsyncNetworkStream, connections: Connections) -> _AsyncStream:
    """``stream`` wrapped; closed, and ConnectError, when the pool was closed meanwhile."""
    try:
        connections.admit(None)
    except httpcore.ConnectError:
        await stream.aclose()
        raise
    return _AsyncStream(stream, connections)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream, connections: Connections) -> None:
        self._inner = inner
        self._connections = connections

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return charge(await self._inner.read(max_bytes, time_left(timeout, httpcore.ReadTimeout)))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, time_left(timeout, httpcore.WriteTimeout))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        try:
            self._connections.admit_handshake(self._inner)
        except httpcore.ConnectError:
            await self._inner.aclose()
            raise
        try:
            tls = await self._inner.start_tls(ssl_context, server_hostname, left)
        except Exception as exc:
            if self._connections.closed:  # the pool closed this stream under the handshake: nothing was sent
                raise httpcore.ConnectError("the client was closed") from exc
            raise
        finally:
            self._connections.handshake_ended(self._inner)
        return await _async_admitted(tls, self._connections)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, inner: httpcore.AsyncNetworkBackend, connections: Connections) -> None:
        self._inner = inner
        self._connections = connections

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_tcp(host, port, left, local_address, socket_options)
        return await _async_admitted(stream, self._connections)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:
        left = time_left(timeout, httpcore.ConnectTimeout)
        stream = await self._inner.connect_unix_socket(path, left, socket_options)
        return await _async_admitted(stream, self._connections)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def install(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, connections: Connections) -> bool:
    """Route the connections of ``transport``'s pool through the wrapper (deadline, wire budget, ``connections``);
    False if its pool has no network backend to wrap. Called once, on a transport just made."""
    inner = pool_network_backend(transport)
    if isinstance(inner, httpcore.NetworkBackend):
        set_pool_network_backend(transport, _Backend(inner, connections))
        return True
    if isinstance(inner, httpcore.AsyncNetworkBackend):
        set_pool_network_backend(transport, _AsyncBackend(inner, connections))
        return True
    return False
