"""The connections of one client, and what closing them does to the calls still in flight.

``CallbotTransport`` makes one :class:`SyncPool` or :class:`AsyncPool` per client, and a new one after each
close: over an httpx transport it makes itself (:meth:`SyncPool.own`), whose network ``_network.install``
wraps once (the attempt's deadline, its wire budget, the sockets), or over the transport the caller gave
(:meth:`SyncPool.given`), used as given: nothing is installed in it, its sockets are not tracked, and its
calls end when it returns. Closing the pool closes that transport too; the next pool uses it again.

``close()``/``aclose()`` closes a pool for good: an attempt that was still running, waiting for its answer, or
about to retry through it ends at once with the APIConnectionError of :func:`closed_error`, instead of a
``RuntimeError`` from httpx or a wait for the whole timeout.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import APIConnectionError, mark_outcome_unknown, may_be_carried_out
from ._retry import operation_of, transport_fault_of

if TYPE_CHECKING:  # imported by the first pool made: it brings httpcore, which importing the client does not need
    from ._network import Connections


def closed_error(operation: str, *, sent: bool = False) -> APIConnectionError:
    """The error of a call whose client was closed: before its request went out, or (``sent``) while it was in
    flight, when an operation that is not idempotent may have been carried out (``outcome_unknown``)."""
    closed = "the client was closed (close() or aclose(), perhaps from another thread)"
    if not sent:
        return APIConnectionError(
            f"{operation} was not sent: {closed} before it went out. It can be sent again (a closed Callbot "
            "opens new connections when it is used again).",
            operation=operation,
        )
    error = APIConnectionError(f"{operation} was cut short: {closed} while it was in flight.", operation=operation)
    if may_be_carried_out(operation):
        mark_outcome_unknown(error, " before the client was closed")
    else:
        error.message += f" {operation} can be called again safely."
        error.args = (error.message,)
    return error


def _in_flight_error(request: httpx.Request, exc: Exception) -> APIConnectionError:
    """The error for ``exc``, raised by a call whose pool was closed under it: a fault of the connect phase
    means the request never went out."""
    sent = not isinstance(exc, httpx.HTTPError) or transport_fault_of(exc) == "read"
    return closed_error(operation_of(request), sent=sent)


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
                raise closed_error(operation_of(self._request), sent=True) from exc
            raise

    def close(self) -> None:
        self._inner.close()


class SyncPool(httpx.BaseTransport):
    """``inner`` (an httpx transport) until :meth:`close`; then every call through it ends with ``closed_error``."""

    def __init__(self, inner: httpx.BaseTransport, connections: Connections) -> None:
        self._inner = inner
        self._connections = connections

    @classmethod
    def own(cls, **transport_args: Any) -> SyncPool:
        """A pool over a new ``httpx.HTTPTransport(**transport_args)``, its network wrapped."""
        from ._network import Connections, install

        connections = Connections()
        inner = httpx.HTTPTransport(**transport_args)
        install(inner, connections)
        return cls(inner, connections)

    @classmethod
    def given(cls, transport: httpx.BaseTransport) -> SyncPool:
        """A pool over the caller's ``transport``, used as given."""
        from ._network import Connections

        return cls(transport, Connections())

    @property
    def closed(self) -> bool:
        return self._connections.closed

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.closed:
            raise closed_error(operation_of(request))
        try:
            response = self._inner.handle_request(request)
        except Exception as exc:  # whatever a pool closed under the request raises
            if self.closed:
                raise _in_flight_error(request, exc) from exc
            raise
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _Body(response.stream, self, request)
        return response

    def close(self) -> None:
        self._connections.close()
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
                raise closed_error(operation_of(self._request), sent=True) from exc
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()


class AsyncPool(httpx.AsyncBaseTransport):
    """The async twin of :class:`SyncPool`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, connections: Connections) -> None:
        self._inner = inner
        self._connections = connections

    @classmethod
    def own(cls, **transport_args: Any) -> AsyncPool:
        from ._network import Connections, install

        connections = Connections()
        inner = httpx.AsyncHTTPTransport(**transport_args)
        install(inner, connections)
        return cls(inner, connections)

    @classmethod
    def given(cls, transport: httpx.AsyncBaseTransport) -> AsyncPool:
        from ._network import Connections

        return cls(transport, Connections())

    @property
    def closed(self) -> bool:
        return self._connections.closed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.closed:
            raise closed_error(operation_of(request))
        try:
            response = await self._inner.handle_async_request(request)
        except Exception as exc:
            if self.closed:
                raise _in_flight_error(request, exc) from exc
            raise
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _AsyncBody(response.stream, self, request)
        return response

    async def aclose(self) -> None:
        for stream in self._connections.close():  # in a TLS handshake: not among the connections of the pool yet
            with contextlib.suppress(Exception):  # whatever a stream closed twice, or broken, raises
                await stream.aclose()
        await self._inner.aclose()
