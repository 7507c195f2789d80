"""Section 6 of `make bench`: a `Callbot` (and `AsyncCallbot`) call against a signed call with bare httpx
(bench/bare_signed.py), interleaved (bench/compare.py says how) against a fixed-answer server, and where
Callbot's client CPU goes. ``python -m bench.callbot`` runs it alone."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from callbot_client.models import StopOrderRequest
from callbot_signing import AsyncCallbot, Callbot, sign, signature_headers, verify_response
from callbot_signing.wire import encode_body

from .bare_signed import BareSigned
from .compare import (
    SAY,
    arun_rounds,
    comparison_table,
    cpu_rounds,
    cpu_table,
    fmt,
    profiled,
    run_rounds,
    top_functions,
)
from .fixed_answer_server import fixed_answer_server

STOP_ORDER = "/callcentre/api/v3/stopOrder"


# --- 6. a Callbot call against bare httpx -------------------------------------------------------------------

UUID, SECRET = "bench-uuid", "bench-secret-key-0123456789abcdef"
PING = "/callcentre/api/v3/ping"


def handwritten_headers(body: bytes) -> dict[str, str]:
    """Signed headers as a user of ``signature_headers`` sends them (bench/listcall_end_to_end.py's baseline)."""
    return {"Content-Type": "application/json", **signature_headers(SECRET, body, UUID)}


def check_handwritten(response: httpx.Response, request_id: str) -> Any:
    """The answer verified with ``verify_response`` and decoded once (bench/listcall_end_to_end.py's baseline)."""
    content = response.content
    verify_response(response.headers, content, request_id=request_id, uuid=UUID, secret_key=SECRET)
    return json.loads(content)


def bench_callbot_call(say: SAY) -> None:
    say("## 5. A `Callbot` call against bare httpx")
    say()
    say("`Callbot.stop_order(...)` and `Callbot.ping(...)` (and `AsyncCallbot`) against a fixed-answer server in its")
    say("own process (`bench/fixed_answer_server.py`: a bare asyncio protocol answering each operation with one")
    say("body, signed for the request's requestID, in a few tens of µs), interleaved with the baseline on its own")
    say("keep-alive connection: **bare httpx** (`bench/bare_signed.py`) is what a careful user writes without this")
    say("package: per call a fresh requestID and sign with hashlib, the POST of the same bytes, then the answer's")
    say("sign checked and one `json.loads`. Callbot adds on top of that: the request model and its encoding, the")
    say("transport (bounded read, deadline, retry loop), the full verification (echoes, clock window), the")
    say("envelope, the schema check and the response model; it saves what the baseline pays in httpx's default")
    say("client: cookie handling on every answer (Callbot keeps no cookies). **httpx alone** posts the same bytes")
    say("with headers signed once beforehand and reads `.content`, nothing more: the floor, for reference.")
    say()
    request = StopOrderRequest(user_task_id="bench-task", order_ids=["o-1", "o-2"])
    body = encode_body(request.to_dict(), "stopOrder")  # the bytes Callbot.stop_order posts
    ping_body = encode_body({"data": "hello"}, "ping")
    bare = BareSigned(UUID, SECRET)
    rounds, block = 120, 10

    with fixed_answer_server(UUID, SECRET) as base_url:
        url, ping_url = base_url + STOP_ORDER, base_url + PING
        presigned = bare.headers(body)
        with (
            Callbot(base_url, UUID, SECRET) as bot,
            httpx.Client() as plain,
            httpx.Client() as hand,
            httpx.Client() as hand_ping,
        ):
            calls: dict[str, Callable[[], Any]] = {
                "Callbot stopOrder": lambda: bot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"]),
                "bare httpx stopOrder": lambda: bare.call(hand, url, body),
                "Callbot ping": lambda: bot.ping(data="hello"),
                "bare httpx ping": lambda: bare.call(hand_ping, ping_url, ping_body),
                "httpx alone stopOrder": lambda: plain.post(url, content=body, headers=presigned).content,
            }
            run_rounds(calls, 1, 50)  # warm-up: connections, caches, the compiled validator
            sync = run_rounds(calls, rounds, block)
            cpu = cpu_rounds(calls, rounds // 2, block * 2)

        async def measure_async() -> dict[str, list[list[float]]]:
            async with AsyncCallbot(base_url, UUID, SECRET) as abot, httpx.AsyncClient() as ahand:

                async def handwritten() -> Any:
                    return await bare.acall(ahand, url, body)

                acalls: dict[str, Callable[[], Awaitable[Any]]] = {
                    "AsyncCallbot stopOrder": lambda: abot.stop_order(
                        user_task_id="bench-task", order_ids=["o-1", "o-2"]
                    ),
                    "bare AsyncClient stopOrder": handwritten,
                }
                await arun_rounds(acalls, 1, 50)
                return await arun_rounds(acalls, rounds, block)

        asynchronous = asyncio.run(measure_async())
    say(f"{rounds} rounds × {block} sequential calls per contender, contenders rotating within each round.")
    say()
    comparison_table(
        say,
        sync,
        [
            ("Callbot stopOrder", "bare httpx stopOrder", "≤ 1.03×"),
            ("Callbot ping", "bare httpx ping", "≤ 1.03×"),
            ("bare httpx stopOrder", "httpx alone stopOrder", ""),
        ],
        "sync",
    )
    say("The same contenders, the client's own CPU per call (this thread's time: what the server and the other")
    say("processes of a loaded machine cost is not in it), interleaved likewise:")
    say()
    cpu_table(
        say,
        cpu,
        [
            ("Callbot stopOrder", "bare httpx stopOrder", ""),
            ("Callbot ping", "bare httpx ping", ""),
            ("bare httpx stopOrder", "httpx alone stopOrder", ""),
        ],
    )
    comparison_table(
        say,
        asynchronous,
        [("AsyncCallbot stopOrder", "bare AsyncClient stopOrder", "")],
        "async (awaited one at a time)",
    )
    profile_small_call(say, request)


def profile_small_call(say: SAY, request: StopOrderRequest) -> None:
    """Where Callbot's client CPU goes, against httpx.MockTransport (no network, answers pre-built)."""
    answer = json.dumps(
        {"retCode": 0, "retMsg": "success", "responseID": "r", "totalCount": 2, "successCount": 2, "errList": []}
    ).encode()

    def reply(incoming: httpx.Request) -> httpx.Response:
        request_id, ts = incoming.headers["requestID"], str(int(time.time()))
        headers = {"requestID": request_id, "uuid": UUID, "createTs": ts, "algorithm": "MD5"}
        return httpx.Response(
            200, content=answer, headers={**headers, "sign": sign(SECRET, answer, ts, request_id, UUID)}
        )

    number = 3000
    with Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(reply)}) as bot:
        for _ in range(200):
            bot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"])
        started = time.perf_counter()
        for _ in range(number):
            bot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"])
        per_call = (time.perf_counter() - started) / number
        with profiled() as profile:
            for _ in range(number):
                bot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"])
    say("Client CPU of one `Callbot.stop_order` against `httpx.MockTransport` (which signs its pre-built answer):")
    say(f"{fmt(per_call)} per call unprofiled. cProfile of {number:,} calls, the functions with the most own time")
    say("(cProfile inflates small functions; read the shares, not the absolute figures):")
    say()
    top_functions(say, profile, number, 14)


if __name__ == "__main__":
    from .report import say

    bench_callbot_call(say)
