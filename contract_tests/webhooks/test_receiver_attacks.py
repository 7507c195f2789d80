"""WebhookReceiver under attack: what a forger, a slow sender, a failing Redis and a chunked WSGI request do
to it (an adversarial review of issue 22). Each test names the behaviour that must hold."""

from __future__ import annotations

import asyncio
import io
import time
import tracemalloc
from collections import Counter
from collections.abc import MutableMapping
from typing import Any

import pytest
from callbot_client.models import OrderCallback
from callbot_signing import Delivery, MemoryReplayStore, RedisReplayStore, WebhookReceiver

from ._deliveries import ACCOUNTS, delivery, post
from .conftest import RedisServer


def http_scope(path: str, headers: dict[str, str], *, content_length: bool = True) -> dict[str, Any]:
    pairs = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
    if not content_length:
        pairs = [(name, value) for name, value in pairs if name != b"content-length"]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "path": path,
            "raw_path": path.encode(), "query_string": b"", "headers": pairs}  # fmt: skip


class Sent:
    """The messages an ASGI app sent; raises OSError like a server whose client has gone, if told to."""

    def __init__(self, closed: bool = False) -> None:
        self.messages: list[MutableMapping[str, Any]] = []
        self.closed = closed

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        if self.closed:
            raise OSError("the connection is closed")
        self.messages.append(message)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])


# -- a slow or disconnecting sender (ASGI) -------------------------------------------------------------------


async def test_a_body_trickling_past_the_body_timeout_is_answered_not_waited_for_forever() -> None:
    receiver = WebhookReceiver(ACCOUNTS, body_timeout=0.2)
    headers, body = delivery("order")
    first = True

    async def receive() -> dict[str, Any]:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": body[:5], "more_body": True}
        await asyncio.Event().wait()  # the rest never comes (a slowloris sender)
        raise AssertionError("unreachable")

    sent = Sent()
    await asyncio.wait_for(receiver.asgi_app()(http_scope("/order", headers), receive, sent), 5)
    assert sent.status == 408 and b"0.2" in sent.messages[1]["body"]


async def test_a_body_in_tiny_chunks_costs_about_its_size_in_memory_not_a_python_object_per_chunk() -> None:
    limit = 100_000
    receiver = WebhookReceiver(ACCOUNTS, max_body_bytes=limit)
    headers, _ = delivery("order")
    chunks = iter(range(0, limit, 2))

    async def receive() -> dict[str, Any]:
        start = next(chunks, None)
        if start is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": bytes((65 + start % 26, 66)), "more_body": True}  # a new object

    sent = Sent()
    tracemalloc.start()
    try:
        await receiver.asgi_app()(http_scope("/order", headers, content_length=False), receive, sent)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sent.status == 400
    assert peak < 5 * limit, f"{peak:,} bytes held for a {limit:,}-byte body in 2-byte chunks"


async def test_a_sender_that_disconnects_mid_body_is_sent_nothing() -> None:
    receiver, runs = WebhookReceiver(ACCOUNTS), []
    receiver.on("order")(lambda d: runs.append(d))
    headers, body = delivery("order")
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": body[:10], "more_body": True}]
    messages.append({"type": "http.disconnect"})
    stream = iter(messages)

    async def receive() -> dict[str, Any]:
        return next(stream)

    sent = Sent(closed=True)  # ASGI: send() on a closed connection may raise OSError
    await receiver.asgi_app()(http_scope("/order", headers), receive, sent)
    assert sent.messages == [] and runs == []


# -- Redis failing after the handler ran ----------------------------------------------------------------------


async def test_redis_lost_after_the_handler_returned_answers_200_so_the_platform_does_not_run_it_again(
    own_redis: RedisServer,
) -> None:
    runs: Counter[str] = Counter()
    receiver = WebhookReceiver(ACCOUNTS, store=RedisReplayStore(own_redis.client(retries=False)), lease=0.2)

    @receiver.on("order")
    def handle(delivery: Delivery[OrderCallback]) -> None:
        runs[delivery.request_id] += 1
        if runs[delivery.request_id] == 1:
            own_redis.stop()  # Redis goes away mid-handler: the done mark cannot be stored

    app = receiver.asgi_app()
    headers, body = delivery("order")
    answer = await post(app, "/order", headers, body)
    own_redis.start()
    for _attempt in range(20):  # the platform retries whatever is not a 200 (bounded)
        if answer.status_code == 200:
            break
        await asyncio.sleep(0.05)
        answer = await post(app, "/order", headers, body)
    assert answer.status_code == 200 and answer.text.startswith("handled")
    assert runs[headers["requestID"]] == 1  # the side effect happened once


# -- WSGI without Content-Length (chunked) ------------------------------------------------------------------


class BoundedInput(io.BytesIO):
    """wsgi.input that insists on a size for each read (an unbounded read of a chunked body is a bomb)."""

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None and size >= 0, "an unbounded read of wsgi.input"
        return super().read(size)


def chunked_environ(path: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "wsgi.input": BoundedInput(body),
                               "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}  # fmt: skip
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[int, str]:
    status: list[str] = []
    chunks = app(environ, lambda line, _headers: status.append(line))
    return int(status[0].split()[0]), b"".join(chunks).decode()


def test_a_chunked_delivery_under_a_wsgi_server_that_terminates_the_input_is_handled() -> None:
    receiver, runs = WebhookReceiver(ACCOUNTS), []
    receiver.on("order")(lambda d: runs.append(d))
    headers, body = delivery("order")
    assert call_wsgi(receiver.wsgi_app(), chunked_environ("/order", headers, body)) == (200, "handled")
    assert len(runs) == 1


def test_a_chunked_body_over_max_body_bytes_is_refused_after_a_bounded_read() -> None:
    receiver = WebhookReceiver(ACCOUNTS, max_body_bytes=1000)
    headers, body = delivery("order", payload={"callbackType": "1", "pad": "x" * 5000})
    status, text = call_wsgi(receiver.wsgi_app(), chunked_environ("/order", headers, body))
    assert status == 400 and "max_body_bytes=1,000" in text


@pytest.mark.parametrize("terminated", [False, True])
def test_a_wsgi_request_without_content_length_is_refused_as_a_payload_not_a_crash(terminated: bool) -> None:
    receiver = WebhookReceiver(ACCOUNTS)
    environ = chunked_environ("/order", *delivery("order"))
    environ["wsgi.input"], environ["wsgi.input_terminated"] = BoundedInput(b""), terminated
    status, text = call_wsgi(receiver.wsgi_app(), environ)
    assert status == 400 and text.startswith("refused (")


async def test_a_handler_slower_than_the_body_timeout_is_not_cut_short() -> None:
    receiver, runs = WebhookReceiver(ACCOUNTS, body_timeout=0.05), []

    @receiver.on("order")
    async def slow(delivery: Delivery[OrderCallback]) -> None:
        await asyncio.sleep(0.3)
        runs.append(delivery.request_id)

    answer = await post(receiver.asgi_app(), "/order", *delivery("order"))
    assert (answer.status_code, answer.text) == (200, "handled") and len(runs) == 1


def test_a_wrong_body_timeout_is_refused_when_the_receiver_is_made() -> None:
    for wrong in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="body_timeout"):
            WebhookReceiver(ACCOUNTS, body_timeout=wrong)


# -- a duplicate at the edge of the window ------------------------------------------------------------------


async def test_a_duplicate_waiting_past_the_end_of_the_window_does_not_run_the_handler_again() -> None:
    store, runs = MemoryReplayStore(), Counter[str]()  # two replicas sharing one store
    first = WebhookReceiver(ACCOUNTS, store=store, max_clock_skew=2)
    second = WebhookReceiver(ACCOUNTS, store=store, max_clock_skew=2, busy_wait=5)
    create_ts = int(time.time()) - 1  # verifiable until create_ts + 2, i.e. for at most 1 s more
    ends = create_ts + 2

    async def handle(delivery: Delivery[OrderCallback]) -> None:
        runs[delivery.request_id] += 1
        for _ in range(100):  # the first run lasts until the window has ended (bounded)
            if time.time() > ends + 0.2:
                break
            await asyncio.sleep(0.02)

    first.on("order")(handle)
    second.on("order")(handle)
    headers, body = delivery("order", create_ts=create_ts)
    running = asyncio.create_task(post(first.asgi_app(), "/order", headers, body))
    for _ in range(200):  # until the first has claimed it (bounded)
        if runs:
            break
        await asyncio.sleep(0.005)
    duplicate = await asyncio.wait_for(post(second.asgi_app(), "/order", headers, body), 10)  # verified in time
    assert (await asyncio.wait_for(running, 10)).text == "handled"
    assert duplicate.status_code == 503 and duplicate.text.startswith("busy")  # it stopped waiting at the edge
    retry = await post(second.asgi_app(), "/order", headers, body)
    assert retry.status_code == 400 and retry.text.startswith("refused (clock_skew)")
    assert runs[headers["requestID"]] == 1
