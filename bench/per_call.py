"""Section 2 of `make bench`: the generated client through `connect()` against a signed call with bare httpx
(bench/bare_signed.py) on the fixed-answer server of section 5, sequential and concurrent, and where its client
CPU goes. ``python -m bench.per_call`` runs it alone."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from callbot_client.api.orders import stop_order
from callbot_client.models import StopOrderRequest
from callbot_signing import connect, signature_headers
from callbot_signing.wire import encode_body

from .bare_signed import BareSigned
from .compare import comparison_table, cpu_rounds, cpu_table, fmt, per_op, run_rounds
from .fixed_answer_server import fixed_answer_server
from .report import SECRET, UUID, say

STOP_ORDER = "/callcentre/api/v3/stopOrder"
#: Calls started at once in the concurrent comparison (twice httpx's default pool of 100 connections).
CONCURRENT = 200

# --- 2. per-call overhead -------------------------------------------------------------------------------------


def bench_per_call() -> None:
    say("## 2. Per-call overhead of `connect()` against bare httpx")
    say()
    say("A generated function through `connect()` (`stop_order.sync(client=connect(...), body=...)`) against the")
    say("baseline of section 5, **bare httpx** (`bench/bare_signed.py`: per call a fresh requestID and sign with")
    say("hashlib, the POST of the same bytes, the answer's sign checked and one `json.loads`), interleaved, each on")
    say("its own keep-alive connection to the fixed-answer server of section 5 (its own process: the server costs")
    say("the same for both). The generated function adds the request model and its encoding, the transport")
    say("(bounded read, deadline, retry loop), the full verification, the envelope, the schema check and the")
    say("response model; like `Callbot`, it keeps no cookies unless asked (`httpx_args={'cookies': ...}`), which")
    say("saves what the baseline's httpx client pays on every answer.")
    say()
    request = StopOrderRequest(user_task_id="bench-task", order_ids=["o-1", "o-2"])
    body = encode_body(request.to_dict(), "stopOrder")  # the bytes stop_order.sync posts
    bare = BareSigned(UUID, SECRET)
    rounds, block = 120, 10
    with fixed_answer_server(UUID, SECRET) as base_url:
        url = base_url + STOP_ORDER
        with connect(base_url, UUID, SECRET) as client, httpx.Client() as plain:
            calls: dict[str, Callable[[], Any]] = {
                "connect() + stop_order.sync": lambda: stop_order.sync(client=client, body=request),
                "bare httpx": lambda: bare.call(plain, url, body),
            }
            run_rounds(calls, 1, 50)  # warm-up: connections, caches, the compiled validator
            results = run_rounds(calls, rounds, block)
            cpu = cpu_rounds(calls, rounds // 2, block * 2)
        say(f"{rounds} rounds × {block} sequential calls per contender, contenders rotating within each round.")
        say()
        comparison_table(say, results, [("connect() + stop_order.sync", "bare httpx", "≤ 1.10×")], "stopOrder")
        say("The client's own CPU per call (this thread's time), interleaved likewise:")
        say()
        cpu_table(say, cpu, [("connect() + stop_order.sync", "bare httpx", "")])
        bench_client_cpu(request, body)
        asyncio.run(bench_concurrent(base_url, request, body, url, bare))


def bench_client_cpu(request: StopOrderRequest, body: bytes) -> None:
    """Where the extra time goes: the same three clients against httpx.MockTransport (no network)."""
    from callbot_client import Client

    answer = json.dumps(
        {"retCode": 0, "retMsg": "success", "responseID": "r", "totalCount": 2, "successCount": 2, "errList": []}
    ).encode()

    def reply(incoming: httpx.Request) -> httpx.Response:
        signed = signature_headers(SECRET, answer, UUID, request_id=incoming.headers.get("requestID", "r"))
        return httpx.Response(200, content=answer, headers={"Content-Type": "application/json", **signed})

    mock = httpx.MockTransport(reply)
    full = connect("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": mock})
    unsigned = Client(base_url="http://127.0.0.1:9", httpx_args={"transport": mock})
    plain = httpx.Client(transport=mock)
    bare = BareSigned(UUID, SECRET)
    url = "http://127.0.0.1:9" + STOP_ORDER
    runs: dict[str, list[float]] = {"generated + connect()": [], "generated, no auth": [], "bare httpx": []}
    calls: dict[str, Callable[[], Any]] = {
        "generated + connect()": lambda: stop_order.sync(client=full, body=request),
        "generated, no auth": lambda: stop_order.sync(client=unsigned, body=request),
        "bare httpx": lambda: bare.call(plain, url, body),
    }
    for _ in range(9):
        for name, call in calls.items():
            runs[name].append(per_op(call, 500))
    base = statistics.median(runs["bare httpx"])
    say("Where the difference goes: the same calls against `httpx.MockTransport` (no network; the mock signs")
    say("each answer, which all three pay), client CPU per call. `generated, no auth` is the generated client on a")
    say("plain httpx client: no signing, no verification, httpx's cookie handling:")
    say()
    say("| client | per call | over bare |")
    say("|---|---|---|")
    for name, values in runs.items():
        say(f"| {name} | {fmt(statistics.median(values))} | +{fmt(statistics.median(values) - base)} |")
    say()
    say()


async def bench_concurrent(base_url: str, request: StopOrderRequest, body: bytes, url: str, bare: BareSigned) -> None:
    async def timed(call: Callable[[], Any], out: list[float]) -> None:
        started = time.perf_counter()
        await call()
        out.append(time.perf_counter() - started)

    walls: dict[str, list[float]] = {"generated": [], "bare": []}
    medians: dict[str, list[float]] = {"generated": [], "bare": []}
    client = connect(base_url, UUID, SECRET, timeout=120)
    async with client, httpx.AsyncClient(timeout=120) as plain:

        async def gen() -> None:
            await stop_order.asyncio(client=client, body=request)

        async def raw() -> None:
            await bare.acall(plain, url, body)

        for fn in (gen, raw):  # warm up the connection pools
            await asyncio.gather(*(fn() for _ in range(100)))
        for _ in range(3):
            for name, fn in (("generated", gen), ("bare", raw)):
                latencies: list[float] = []
                started = time.perf_counter()
                await asyncio.gather(*(timed(fn, latencies) for _ in range(CONCURRENT)))
                walls[name].append(time.perf_counter() - started)
                medians[name].append(statistics.median(latencies))
    gw, bw = statistics.median(walls["generated"]), statistics.median(walls["bare"])
    gm, bm = statistics.median(medians["generated"]), statistics.median(medians["bare"])
    say(
        f"| {CONCURRENT} calls at once (async, median of 3 rounds) | generated + connect() | bare AsyncClient | ratio |"
    )
    say("|---|---|---|---|")
    say(f"| wall time for all {CONCURRENT} | {fmt(gw)} | {fmt(bw)} | {gw / bw:.2f}× |")
    say(f"| median latency of one call | {fmt(gm)} | {fmt(bm)} | {gm / bm:.2f}× |")
    say()
    say("Both sides spend most of their time here in httpx's async connection pool (default limits: 100")
    say("connections, the rest of the calls queued; httpcore scans the queue on every release, so the time grows")
    say("faster than the number of calls: 1,000 at once took minutes on a loaded machine), the bare client as much")
    say("as ours; this figure varies a lot between runs while the ratio stays near 1. To send many calls at once,")
    say("bound the concurrency yourself (an asyncio.Semaphore of a few dozen).")
    say()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


if __name__ == "__main__":
    bench_per_call()
