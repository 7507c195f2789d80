"""Section 7 of `make bench`: a 10 MB listCall end to end (`Callbot.list_call` to the model) against httpx +
`verify_response` + one `json.loads`, with each piece timed alone in the same rounds."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from callbot_client.models import ListCallOptions, ListCallResponse
from callbot_signing import Callbot, verify_response
from callbot_signing.wire import encode_body, schema_problem

from .callbot import SECRET, UUID, check_handwritten, handwritten_headers
from .compare import SAY, fmt, profiled, ratio_summary, top_functions

LIST_CALL = "/callcentre/api/v3/listCall"


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
