"""RetryTransport: retries faults below HTTP (refused, reset, timed out), re-signing every attempt."""

from __future__ import annotations

from typing import Any

import httpx

from ._auth import CallbotAuth


class RetryTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps the real transports; on a transport error asks ``auth`` whether and when to retry.

    httpx does not pass transport errors to an ``httpx.Auth``, so this is where they are handled; every
    retry gets a fresh requestID and createTs from ``auth.sign_request``.
    """

    def __init__(
        self,
        auth: CallbotAuth,
        *,
        sync_transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        **transport_args: Any,
    ) -> None:
        self._auth = auth
        self._sync = sync_transport
        self._async = async_transport
        self._transport_args = transport_args

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._sync is None:
            self._sync = httpx.HTTPTransport(**self._transport_args)
        while True:
            try:
                response = self._sync.handle_request(request)
                response.read()  # a reset or a timeout while reading the body is retried here too
                return response
            except httpx.TransportError as exc:
                self._auth.sleep(self._auth.transport_error(request, exc))
                self._auth.sign_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._async is None:
            self._async = httpx.AsyncHTTPTransport(**self._transport_args)
        while True:
            try:
                response = await self._async.handle_async_request(request)
                await response.aread()
                return response
            except httpx.TransportError as exc:
                await self._auth.async_sleep(self._auth.transport_error(request, exc))
                self._auth.sign_request(request)

    def close(self) -> None:
        if self._sync is not None:
            self._sync.close()

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
