"""A server that trickles its answer (headers or body) or never stops sending ends in a timeout near the configured
one, or at the size limit, for the sync and the async client; over mock transports and real sockets on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

import httpx
import pytest
from callbot_client.api.orders import stop_order
from callbot_signing import (
    APITimeoutError,
    ResponseTooLargeError,
    connect,
)

from ..hostile_answers import LIMIT, NO_RETRY, SECRET, STOP, UUID, Chunks, bounded, call, client, endless

# --- time ----------------------------------------------------------------------------------------------


def test_a_trickling_body_ends_in_a_timeout_close_to_the_configured_one() -> None:
    handler = lambda r: httpx.Response(200, stream=Chunks(lambda: iter([b" "] * 10_000), pause=0.05))  # noqa: E731
    with bounded(seconds=0.5 + 1.0, memory=LIMIT), pytest.raises(APITimeoutError, match="within the timeout"):
        call(handler, timeout=0.5)


@contextmanager
def raw_server(respond: Callable[[socket.socket, bytes], None]) -> Iterator[str]:
    """A one-connection-at-a-time HTTP server on 127.0.0.1 that lets ``respond`` write whatever it likes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                with suppress(OSError):  # the client hung up: what these tests want
                    respond(conn, data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def trickle(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(600):  # at most a minute, a byte every 0.1 s
        conn.sendall(b" ")
        time.sleep(0.1)


def header_trickle(conn: socket.socket, request: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(600):  # at most a minute, a header byte every 0.1 s: each read gets one before its timeout
        conn.sendall(b"a")
        time.sleep(0.1)


def endless_socket(conn: socket.socket, _: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"[" * 65536 + b"\r\n"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conn.sendall(chunk)


def test_a_real_socket_trickle_ends_near_the_timeout() -> None:
    with raw_server(trickle) as url:
        c = connect(url, UUID, SECRET, timeout=0.6, retry_policy=NO_RETRY)
        with c, bounded(seconds=0.6 + 1.5, memory=LIMIT), pytest.raises(APITimeoutError):
            stop_order.sync(client=c, body=STOP)


def test_trickled_headers_end_near_the_timeout_too() -> None:
    """The deadline covers every network wait of the attempt, not only the body's."""
    with raw_server(header_trickle) as url:
        c = connect(url, UUID, SECRET, timeout=0.6, retry_policy=NO_RETRY)
        with c, bounded(seconds=0.6 + 1.5, memory=LIMIT), pytest.raises(APITimeoutError):
            stop_order.sync(client=c, body=STOP)


async def test_trickled_headers_end_near_the_timeout_for_the_async_client() -> None:
    with raw_server(header_trickle) as url:
        c = connect(url, UUID, SECRET, timeout=0.6, retry_policy=NO_RETRY)
        started = time.monotonic()
        async with c:
            with pytest.raises(APITimeoutError):
                await stop_order.asyncio(client=c, body=STOP)
        assert time.monotonic() - started < 0.6 + 1.5


def test_a_real_socket_endless_chunked_body_stops_at_the_limit() -> None:
    with raw_server(endless_socket) as url:
        c = connect(url, UUID, SECRET, retry_policy=NO_RETRY, max_response_bytes=LIMIT)
        with c, bounded(seconds=10, memory=4 * LIMIT), pytest.raises(ResponseTooLargeError):
            stop_order.sync(client=c, body=STOP)


async def test_the_async_client_is_bounded_too() -> None:
    handler = lambda r: httpx.Response(200, stream=Chunks(endless))  # noqa: E731
    async with client(handler) as c:
        with pytest.raises(ResponseTooLargeError):
            await stop_order.asyncio(client=c, body=STOP)
