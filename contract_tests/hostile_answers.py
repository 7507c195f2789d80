"""What the tests of hostile and trickling servers share: a client over a mock transport that retries nothing,
a streamed answer in chunks, and a bound on time and memory around a call."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from callbot_client.api.orders import stop_order
from callbot_client.models import StopOrderRequest
from callbot_signing import (
    RetryPolicy,
    connect,
)

UUID = "hostile-uuid"
SECRET = "hostile-secret"
LIMIT = 4 * 1024 * 1024  # max_response_bytes in these tests
NO_RETRY = RetryPolicy(max_retries=0)
STOP = StopOrderRequest.from_dict({"productID": "callbot", "userTaskID": "t", "orderIDs": ["o-1"]})
Handler = Callable[[httpx.Request], httpx.Response]


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body stream made of ``chunks`` (any iterable, endless ones included), ``pause`` seconds apart."""

    def __init__(self, chunks: Callable[[], Iterator[bytes]], pause: float = 0.0) -> None:
        self.chunks = chunks
        self.pause = pause

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks():
            if self.pause:
                time.sleep(self.pause)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks():
            yield chunk


def endless() -> Iterator[bytes]:
    block = b" " * 65536
    while True:
        yield block


def client(handler: Handler, *, timeout: float = 5.0, **options: Any) -> Any:
    return connect(
        "http://127.0.0.1:9",
        UUID,
        SECRET,
        timeout=timeout,
        max_response_bytes=LIMIT,
        retry_policy=NO_RETRY,
        httpx_args={"transport": httpx.MockTransport(handler)},
        **options,
    )


@contextmanager
def bounded(seconds: float, memory: int) -> Iterator[None]:
    """Fails unless the block ends within ``seconds`` with a Python allocation peak under ``memory`` bytes."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < memory, f"peak allocation {peak:,} bytes"


def call(handler: Handler, **options: Any) -> Any:
    with client(handler, **options) as c:
        return stop_order.sync(client=c, body=STOP)
