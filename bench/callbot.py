"""Sections 6 and 7 of `make bench`: a `Callbot` call against bare httpx, and a 10 MB listCall end to end.

Every comparison is interleaved: each round runs every contender once (a block of calls each, in an order
that rotates from round to round), and the ratio is quoted as the median of the per-round ratios of
medians, with the spread of those ratios (10th-90th percentile) and a bootstrap 95 % interval of their
median. The machine has two shared, noisy cores: only ratios measured this way mean much.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import json
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
from callbot_client.models import ListCallOptions, ListCallResponse, StopOrderRequest
from callbot_signing import AsyncCallbot, Callbot, sign, signature_headers, verify_response
from callbot_signing.wire import encode_body, schema_problem


class SAY(Protocol):
    def __call__(self, text: str = "", /) -> None: ...


STOP_ORDER = "/callcentre/api/v3/stopOrder"
LIST_CALL = "/callcentre/api/v3/listCall"


# --- statistics ------------------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio_summary(a: list[float], b: list[float]) -> str:
    """``a`` and ``b`` are per-round medians of the same rounds: the median of the per-round ratios, their
    10th-90th percentile and a bootstrap 95 % interval of that median."""
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    rng = random.Random(0)
    boot = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000))
    return (
        f"{statistics.median(ratios):.3f}× | {quantile(ratios, 0.1):.2f}-{quantile(ratios, 0.9):.2f} | "
        f"{quantile(boot, 0.025):.3f}-{quantile(boot, 0.975):.3f}"
    )


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def run_rounds(calls: dict[str, Callable[[], Any]], rounds: int, block: int) -> dict[str, list[list[float]]]:
    """Per contender, per round, the latency of each call; contenders alternate in a rotating order."""
    names = list(calls)
    out: dict[str, list[list[float]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, times = calls[name], []
            for _ in range(block):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            out[name].append(times)
    return out


async def arun_rounds(
    calls: dict[str, Callable[[], Awaitable[Any]]], rounds: int, block: int
) -> dict[str, list[list[float]]]:
    names = list(calls)
    out: dict[str, list[list[float]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, times = calls[name], []
            for _ in range(block):
                started = time.perf_counter()
                await call()
                times.append(time.perf_counter() - started)
            out[name].append(times)
    return out


def comparison_table(
    say: SAY, results: dict[str, list[list[float]]], pairs: list[tuple[str, str, str]], first_column: str
) -> None:
    medians = {name: [statistics.median(times) for times in rounds] for name, rounds in results.items()}
    say(f"| {first_column} | median (all calls) | p90 | per-round median |")
    say("|---|---|---|---|")
    for name, rounds in results.items():
        every = [t for times in rounds for t in times]
        say(
            f"| {name} | {fmt(statistics.median(every))} | {fmt(quantile(every, 0.9))} | "
            f"{fmt(statistics.median(medians[name]))} |"
        )
    say()
    say("| ratio | median of per-round ratios | 10th-90th pct of rounds | bootstrap 95 % CI | goal |")
    say("|---|---|---|---|---|")
    for a, b, goal in pairs:
        say(f"| {a} / {b} | {ratio_summary(medians[a], medians[b])} | {goal} |")
    say()


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


# --- 7. a 10 MB listCall end to end --------------------------------------------------------------------------


def call_record(n: int) -> dict[str, Any]:
    start = 1_700_000_000 + n * 37
    row: dict[str, Any] = {
        "callID": f"C{n:010d}-{n * 7919 % 1_000_003:07d}",
        "callingNumber": f"86021{n % 100_000_000:08d}",
        "lineAddress": f"10.{n % 250}.{n // 250 % 250}.{n % 7 + 1}",
        "callStatus": n % 5,
        "callStartTs": start,
        "callAnswerTs": start + 6,
        "callEndTs": start + 6 + n % 300,
        "callDuration": n % 300,
        "callAudioUrl": f"https://record.nxcloud.com/callbot/2026/11/{n % 28 + 1:02d}/{n:012d}.mp3",
        "hangupCause": ("NORMAL_CLEARING", "USER_BUSY", "NO_ANSWER")[n % 3],
        "termSipCode": ("200", "486", "480")[n % 3],
        "intents": [
            {
                "intentID": f"intent-{n % 40}",
                "intentTag": "ABCDE"[n % 5],
                "intentName": "interested",
                "intentLevel": n % 5,
            },
        ],
        "sms": [{"smsSendTs": start + 400, "sysMessageID": f"sms-{n:010d}", "smsContent": "Thanks for your time."}]
        if n % 4 == 0
        else [],
        "agent": {
            "agentName": None,
            "agentGroup": None,
            "agentCallStatus": None,
            "agentCallElapsed": None,
            "agentLabel": None,
            "manualCallStart": None,
            "manualCallAnswer": None,
            "manualCallEnd": None,
            "manualHangupBy": None,
        },
        "params": [{"name": "customerName", "value": f"Customer {n}"}, {"name": "amount", "value": str(n % 1000)}],
        "orderID": f"order-{n:010d}",
        "userPhone": f"86138{n % 100_000_000:08d}",
        "other": f"batch={n // 1000};source=crm",
    }
    if n % 2:
        row["intents"].append(
            {"intentID": "intent-callback", "intentTag": "B", "intentName": "call back", "intentLevel": 2}
        )
    return row


def listcall_body(target_bytes: int) -> tuple[bytes, int]:
    """A listCall answer of about ``target_bytes`` that fits the spec (checked), and its number of rows."""
    one = len(json.dumps(call_record(1), separators=(",", ":")))
    rows = target_bytes // (one + 1)
    payload = {
        "retCode": 0,
        "retMsg": "success",
        "responseID": "bench-response-id",
        "totalCount": rows,
        "callList": [call_record(n) for n in range(rows)],
    }
    problem = schema_problem(LIST_CALL, payload)
    assert problem is None, problem
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), rows


@contextmanager
def listcall_server(body: bytes) -> Iterator[str]:
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.listcall_server", file.name, UUID, SECRET],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parent.parent,
        )
        try:
            assert process.stdout is not None
            port = int(process.stdout.readline())
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def dict_copies(data: dict[str, Any]) -> int:
    """What the generated from_dict's ``d = dict(src_dict)`` costs for this answer: one copy per object."""
    copies = 1
    dict(data)
    for row in data["callList"]:
        dict(row)
        dict(row["agent"])
        copies += 2
        for key in ("intents", "sms", "params"):
            for item in row[key]:
                dict(item)
                copies += 1
    return copies


def gc_paused(call: Callable[[], Any]) -> Any:
    """``call()`` with the cyclic garbage collector off (what suggestion A in RESULTS.md would do)."""
    gc.disable()
    try:
        return call()
    finally:
        gc.enable()


def bench_listcall(say: SAY) -> None:
    say("## 7. A 10 MB listCall end to end")
    say()
    body, rows = listcall_body(10_000_000)
    say("`Callbot.list_call(...)` returning the `ListCallResponse` model, against a loopback server (its own")
    say(f"process, `bench/listcall_server.py`) answering a signed listCall of {len(body) / 1e6:.1f} MB: {rows:,} call")
    say("rows with every CallInfoDetail field, 1-2 intents, 0-1 sms, an all-null agent and 2 params, checked to")
    say("fit the spec. Baseline: httpx post (fresh signature headers) + `verify_response` + one `json.loads`.")
    say("The pieces are timed alone in the same rounds, on the same bytes; `gc.collect()` runs before every")
    say("timed item so that each starts from the same heap.")
    say()
    request_body = encode_body(
        {"productID": "callbot", "userTaskID": "bench", "options": {}, "page": 1, "size": rows}, "listCall"
    )
    with (
        listcall_server(body) as base_url,
        Callbot(base_url, UUID, SECRET, timeout=120) as bot,
        httpx.Client(timeout=120) as plain,
    ):
        url = base_url + LIST_CALL

        def baseline() -> Any:
            headers = handwritten_headers(request_body)
            return check_handwritten(plain.post(url, content=request_body, headers=headers), headers["requestID"])

        sample_headers = handwritten_headers(request_body)
        sample = plain.post(url, content=request_body, headers=sample_headers)
        assert sample.content == body
        data = json.loads(body)

        calls: dict[str, Callable[[], Any]] = {
            "Callbot.list_call": lambda: bot.list_call(
                user_task_id="bench", options=ListCallOptions(), page=1, size=rows
            ),
            "baseline (httpx + verify_response + json.loads)": baseline,
            "read: httpx post + .content": lambda: (
                plain.post(url, content=request_body, headers=handwritten_headers(request_body)).content
            ),
            "verify_response": lambda: verify_response(
                sample.headers, body, request_id=sample_headers["requestID"], uuid=UUID, secret_key=SECRET
            ),
            "json.loads": lambda: json.loads(body),
            "schema_problem (iter_errors)": lambda: schema_problem(LIST_CALL, data),
            "ListCallResponse.from_dict": lambda: ListCallResponse.from_dict(data),
            "idea: Callbot.list_call, GC paused": lambda: gc_paused(
                lambda: bot.list_call(user_task_id="bench", options=ListCallOptions(), page=1, size=rows)
            ),
            "idea: json.loads, GC paused": lambda: gc_paused(lambda: json.loads(body)),
            "idea: ListCallResponse.from_dict, GC paused": lambda: gc_paused(lambda: ListCallResponse.from_dict(data)),
            "idea: the dict copies of from_dict": lambda: dict_copies(data),
        }
        assert isinstance(calls["Callbot.list_call"](), ListCallResponse)
        for call in calls.values():  # warm-up
            call()
        results: dict[str, list[float]] = {name: [] for name in calls}
        rounds = 15
        names = list(calls)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                gc.collect()
                started = time.perf_counter()
                calls[name]()
                results[name].append(time.perf_counter() - started)

        with profiled() as profile:
            for _ in range(3):
                bot.list_call(user_task_id="bench", options=ListCallOptions(), page=1, size=rows)

    med = {name: statistics.median(values) for name, values in results.items()}
    callbot, base = "Callbot.list_call", "baseline (httpx + verify_response + json.loads)"
    paused = "idea: Callbot.list_call, GC paused"
    say(f"{rounds} rounds, one call of each per round in a rotating order.")
    say()
    say("| | median | ratio to baseline (median of per-round ratios) | 10th-90th pct | bootstrap 95 % CI | goal |")
    say("|---|---|---|---|---|---|")
    say(f"| {callbot} | {fmt(med[callbot])} | {ratio_summary(results[callbot], results[base])} | ≤ 2× |")
    say(f"| {base} | {fmt(med[base])} | 1× | | | |")
    say(
        f"| Callbot.list_call with the cyclic GC paused around it (suggestion A) | {fmt(med[paused])} | "
        f"{ratio_summary(results[paused], results[base])} | |"
    )
    say()
    pieces = [
        "read: httpx post + .content",
        "verify_response",
        "json.loads",
        "schema_problem (iter_errors)",
        "ListCallResponse.from_dict",
    ]
    accounted = sum(med[name] for name in pieces)
    rest = med[callbot] - accounted

    def row(label: str, seconds: float) -> None:
        say(f"| {label} | {fmt(seconds)} | {seconds / med[callbot]:.0%} |")

    say("Where the time goes (each piece alone, medians of the same rounds):")
    say()
    say("| piece | median | share of Callbot.list_call |")
    say("|---|---|---|")
    for name in pieces:
        row(name, med[name])
    row("sum of the pieces", accounted)
    row("rest: Callbot minus the pieces (transport, envelope; ± noise, so it can come out negative)", rest)
    say()
    say("The same pieces done differently (the suggestions in the report):")
    say()
    say("| alternative | median | share of Callbot.list_call |")
    say("|---|---|---|")
    row("json.loads with the cyclic GC paused", med["idea: json.loads, GC paused"])
    row("ListCallResponse.from_dict with the cyclic GC paused", med["idea: ListCallResponse.from_dict, GC paused"])
    row(
        f"the dict copies alone of from_dict ({dict_copies(data):,} `dict(...)`)",
        med["idea: the dict copies of from_dict"],
    )
    say()
    say("cProfile of 3 `Callbot.list_call` calls, the functions with the most own time:")
    say()
    top_functions(say, profile, 3, 12)


# --- profiling --------------------------------------------------------------------------------------------


@contextmanager
def profiled() -> Iterator[cProfile.Profile]:
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield profile
    finally:
        profile.disable()


def top_functions(say: SAY, profile: cProfile.Profile, calls: int, count: int) -> None:
    stats = pstats.Stats(profile, stream=io.StringIO())
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(value[2] for value in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:count]
    say("| function | own time per call | share | calls per call | cumulative per call |")
    say("|---|---|---|---|---|")
    for (filename, line, function), (_, ncalls, tottime, cumtime, _) in ranked:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "built-in"
        say(
            f"| `{function}` ({where}:{line}) | {fmt(tottime / calls)} | {tottime / total:.0%} | "
            f"{ncalls / calls:,.0f} | {fmt(cumtime / calls)} |"
        )
    say()
