"""A total deadline for each callback delivery attempt of the sandbox's own sender (callbacks.py).

httpx's timeouts bound each read and write, not a request: a receiver that answers one byte every 2 s never
trips a 5 s read timeout, and its delivery (and the advance() that waits for it) would never end.
:class:`DeadlineTransport` is httpx over an httpcore pool whose every connect, read and write waits at most
until the attempt's deadline (``total`` seconds after it began), then raises ``httpcore.ReadTimeout``; it
keeps at most ``MAX_ANSWER_BYTES`` of an answer (only its status is used).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

#: Bytes of a receiver's answer kept; the rest is not read (the connection is then closed).
MAX_ANSWER_BYTES = 64 * 1024

_attempt = threading.local()  # .deadline: time.monotonic() the current thread's attempt must end by


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` cut to the time left until the current attempt's deadline (which must not have passed)."""
    deadline: float | None = getattr(_attempt, "deadline", None)
    if deadline is None:  # outside an attempt (never: handle_request sets one)
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the callback delivery's total deadline has passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._backend.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return DeadlineStream(self._backend.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.BaseTransport):
    """httpx's transport for one sender: each request ends within ``total`` seconds (httpcore.ReadTimeout)."""

    def __init__(self, total: float) -> None:
        self.total = total
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), keepalive_expiry=5.0, network_backend=DeadlineBackend()
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        _attempt.deadline = time.monotonic() + self.total
        try:
            answer = self._pool.handle_request(
                httpcore.Request(
                    method=request.method,
                    url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
                    headers=request.headers.raw,
                    content=request.stream,
                    extensions=request.extensions,
                )
            )
            try:
                kept = bytearray()
                for chunk in answer.iter_stream():
                    kept += chunk[: MAX_ANSWER_BYTES - len(kept)]
                    if len(kept) >= MAX_ANSWER_BYTES:
                        break
            finally:
                answer.close()
        finally:
            _attempt.deadline = None
        return httpx.Response(answer.status, headers=answer.headers, content=bytes(kept))

    def close(self) -> None:
        self._pool.close()
