"""Section 6 of `make bench`: a `Callbot` (and `AsyncCallbot`) call against bare httpx and a hand-written
signed call, interleaved (bench/compare.py says how), and where Callbot's client CPU goes."""

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

from .compare import SAY, arun_rounds, comparison_table, fmt, profiled, run_rounds, top_functions

STOP_ORDER = "/callcentre/api/v3/stopOrder"


# --- 6. a Callbot call against bare httpx -------------------------------------------------------------------


def handwritten_headers(body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", **signature_headers(SECRET, body, UUID)}


def check_handwritten(response: httpx.Response, request_id: str) -> Any:
    content = response.content
    verify_response(response.headers, content, request_id=request_id, uuid=UUID, secret_key=SECRET)
    return json.loads(content)


UUID, SECRET = "bench-uuid", "bench-secret-key-0123456789abcdef"


def bench_callbot_call(say: SAY, base_url: str) -> None:
    say("## 6. A `Callbot` call against bare httpx")
    say()
    say("`Callbot.stop_order(...)` (and `AsyncCallbot`) against the same sandbox as section 2, interleaved with")
    say("two baselines on their own keep-alive connection: **bare httpx** posts the same bytes with headers")
    say("signed once beforehand and reads the answer (`.content`), nothing more; **hand-written** is what a")
    say("careful user would write without this package: fresh `signature_headers`, post, `verify_response`,")
    say("one `json.loads`. Callbot adds on top of that: the request model and its encoding, the transport")
    say("(bounded read, deadline, retry loop), the envelope, the schema check and the response model; it")
    say("saves what both baselines pay in httpx's default client: cookie handling on every answer (Callbot")
    say("keeps no cookies) and a User-Agent set per request.")
    say()
    request = StopOrderRequest(user_task_id="bench-task", order_ids=["o-1", "o-2"])
    body = encode_body(request.to_dict(), "stopOrder")  # the bytes Callbot.stop_order posts
    url = base_url + STOP_ORDER
    presigned = handwritten_headers(body)
    rounds, block = 30, 40

    with Callbot(base_url, UUID, SECRET) as bot, httpx.Client() as plain, httpx.Client() as hand:

        def handwritten() -> Any:
            headers = handwritten_headers(body)
            return check_handwritten(hand.post(url, content=body, headers=headers), headers["requestID"])

        calls: dict[str, Callable[[], Any]] = {
            "Callbot": lambda: bot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"]),
            "hand-written": handwritten,
            "bare httpx": lambda: plain.post(url, content=body, headers=presigned).content,
        }
        run_rounds(calls, 1, 50)  # warm-up: connections, caches, the compiled validator
        sync = run_rounds(calls, rounds, block)

    async def measure_async() -> dict[str, list[list[float]]]:
        async with (
            AsyncCallbot(base_url, UUID, SECRET) as abot,
            httpx.AsyncClient() as aplain,
            httpx.AsyncClient() as ahand,
        ):

            async def handwritten() -> Any:
                headers = handwritten_headers(body)
                return check_handwritten(await ahand.post(url, content=body, headers=headers), headers["requestID"])

            async def bare() -> bytes:
                return (await aplain.post(url, content=body, headers=presigned)).content

            acalls: dict[str, Callable[[], Awaitable[Any]]] = {
                "AsyncCallbot": lambda: abot.stop_order(user_task_id="bench-task", order_ids=["o-1", "o-2"]),
                "hand-written (async)": handwritten,
                "bare AsyncClient": bare,
            }
            await arun_rounds(acalls, 1, 50)
            return await arun_rounds(acalls, rounds, block)

    asynchronous = asyncio.run(measure_async())
    say(f"{rounds} rounds × {block} sequential calls per contender, contenders rotating within each round.")
    say()
    comparison_table(
        say,
        sync,
        [("Callbot", "bare httpx", "≤ 1.08×"), ("hand-written", "bare httpx", ""), ("Callbot", "hand-written", "")],
        "sync, stopOrder",
    )
    comparison_table(
        say,
        asynchronous,
        [
            ("AsyncCallbot", "bare AsyncClient", ""),
            ("hand-written (async)", "bare AsyncClient", ""),
            ("AsyncCallbot", "hand-written (async)", ""),
        ],
        "async, stopOrder (awaited one at a time)",
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
    with Callbot("http://sandbox.local", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(reply)}) as bot:
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
