"""Section 7 of `make bench`: a 1 MB and a 10 MB listCall end to end (`Callbot.list_call` to the model) against
httpx + `verify_response` + one `json.loads`, with each piece timed alone in the same rounds, and what stays alive
after the call with the collector off."""

from __future__ import annotations

import gc
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from callbot_client.models import ListCallOptions, ListCallResponse
from callbot_client.types import Unset
from callbot_signing import Callbot, verify_response
from callbot_signing.wire import encode_body, json_object, schema_problem

from .callbot import SECRET, UUID, check_handwritten, handwritten_headers
from .compare import SAY, fmt, profiled, ratio_summary, top_functions
from .fixed_answer_server import server_process

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
def listcall_server(*bodies: bytes) -> Iterator[str]:
    """A loopback server of its own process answering with ``bodies`` (page N with body N-1 modulo their number)."""
    with tempfile.TemporaryDirectory() as folder:
        names = []
        for n, body in enumerate(bodies):
            path = Path(folder) / f"body-{n}.json"
            path.write_bytes(body)
            names.append(str(path))
        with server_process("bench.listcall_server", names[0], UUID, SECRET, *names[1:]) as url:
            yield url


def read_rows(result: ListCallResponse) -> int:
    """What a caller reading one field of every row does (each row's model is built on that first read)."""
    rows = result.call_list
    assert not isinstance(rows, Unset)
    return sum(1 for row in rows if row.call_id)


def build_all(result: ListCallResponse) -> int:
    """Every model of the answer built (to_dict reads every field of every nested model)."""
    return len(result.to_dict()["callList"])


def alive_after_call(bot: Callbot, rows: int) -> tuple[int, int, int]:
    """With the collector off: the bytes allocated by a list_call still alive when it returns, when its rows have
    been read, and once its result is dropped (what nothing but the cyclic collector would free)."""
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = bot.list_call(user_task_id="bench", options=ListCallOptions(), page=1, size=rows)
        returned = tracemalloc.get_traced_memory()[0] - before
        read_rows(result)
        read = tracemalloc.get_traced_memory()[0] - before
        del result
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        gc.enable()
    return returned, read, left


GOALS = {1_000_000: "≤ 1.5×", 10_000_000: "≤ 1.3×"}


def bench_listcall(say: SAY) -> None:
    say("## 6. A 1 MB and a 10 MB listCall end to end")
    say()
    say("`Callbot.list_call(...)` returning the `ListCallResponse` model (then `len(call_list)`), against a loopback")
    say("server (its own process, `bench/listcall_server.py`) answering a signed listCall: call rows with every")
    say("CallInfoDetail field, 1-2 intents, 0-1 sms, an all-null agent and 2 params, checked to fit the spec.")
    say("Baseline: httpx post (fresh signature headers) + `verify_response` + one `json.loads`. The models are")
    say("built lazily (each row's fields when one of them is first read), so two more rows say what reading costs:")
    say("one field of every row, and every model built (`to_dict()`). The pieces are timed alone in the same")
    say("rounds, on the same bytes; `gc.collect()` runs before every timed item so that each starts from the same")
    say("heap (the collector is otherwise on, as in an application).")
    say()
    for target in (1_000_000, 10_000_000):
        bench_one_size(say, target)


def bench_one_size(say: SAY, target: int) -> None:
    body, rows = listcall_body(target)
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

        def list_call() -> ListCallResponse:
            return bot.list_call(user_task_id="bench", options=ListCallOptions(), page=1, size=rows)

        sample_headers = handwritten_headers(request_body)
        sample = plain.post(url, content=request_body, headers=sample_headers)
        assert sample.content == body
        data = json.loads(body)

        calls: dict[str, Callable[[], Any]] = {
            "Callbot.list_call": lambda: len(list_call().call_list),  # type: ignore[arg-type]
            "baseline (httpx + verify_response + json.loads)": baseline,
            "Callbot.list_call + one field of every row": lambda: read_rows(list_call()),
            "Callbot.list_call + every model built": lambda: build_all(list_call()),
            "read: httpx post + .content": lambda: (
                plain.post(url, content=request_body, headers=handwritten_headers(request_body)).content
            ),
            "verify_response": lambda: verify_response(
                sample.headers, body, request_id=sample_headers["requestID"], uuid=UUID, secret_key=SECRET
            ),
            "json.loads": lambda: json.loads(body),
            "json_object (the client's decode: msgspec)": lambda: json_object(body),
            "schema_problem": lambda: schema_problem(LIST_CALL, data),
            "ListCallResponse.from_dict (eager)": lambda: ListCallResponse.from_dict(data),
        }
        assert isinstance(list_call(), ListCallResponse)
        for call in calls.values():  # warm-up
            call()
        results: dict[str, list[float]] = {name: [] for name in calls}
        rounds = 15 if target < 5_000_000 else 11
        names = list(calls)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                gc.collect()
                started = time.perf_counter()
                calls[name]()
                results[name].append(time.perf_counter() - started)
        returned, read, left = alive_after_call(bot, rows)

        with profiled() as profile:
            for _ in range(3):
                list_call()

    med = {name: statistics.median(values) for name, values in results.items()}
    callbot, base = "Callbot.list_call", "baseline (httpx + verify_response + json.loads)"
    say(f"### {len(body) / 1e6:.1f} MB, {rows:,} rows")
    say()
    say(f"{rounds} rounds, one call of each per round in a rotating order.")
    say()
    say("| | median | ratio to baseline (median of per-round ratios) | 10th-90th pct | bootstrap 95 % CI | goal |")
    say("|---|---|---|---|---|---|")
    say(f"| {callbot} | {fmt(med[callbot])} | {ratio_summary(results[callbot], results[base])} | {GOALS[target]} |")
    say(f"| {base} | {fmt(med[base])} | 1× | | | |")
    for name in ("Callbot.list_call + one field of every row", "Callbot.list_call + every model built"):
        say(f"| {name} | {fmt(med[name])} | {ratio_summary(results[name], results[base])} | |")
    say()
    pieces = [
        "read: httpx post + .content",
        "verify_response",
        "json_object (the client's decode: msgspec)",
        "schema_problem",
    ]
    accounted = sum(med[name] for name in pieces)

    def row(label: str, seconds: float) -> None:
        say(f"| {label} | {fmt(seconds)} | {seconds / med[callbot]:.0%} |")

    say("Where the time goes (each piece alone, medians of the same rounds):")
    say()
    say("| piece | median | share of Callbot.list_call |")
    say("|---|---|---|")
    for name in pieces:
        row(name, med[name])
    row("sum of the pieces", accounted)
    row("rest: Callbot minus the pieces (transport, envelope, lazy models; ± noise)", med[callbot] - accounted)
    row("for comparison: json.loads", med["json.loads"])
    row(
        "for comparison: ListCallResponse.from_dict, every model built eagerly",
        med["ListCallResponse.from_dict (eager)"],
    )
    say()
    say(
        f"Alive with the collector off (tracemalloc): {returned / 1e6:.1f} MB when `list_call` returns (the "
        f"result: the decoded rows its models read from), {read / 1e6:.1f} MB once one field of every row is read, "
        f"{left / 1e3:.0f} KB once the result is dropped (the {len(body) / 1e6:.1f} MB body and the decoded tree "
        "are not kept by the response)."
    )
    say()
    say("cProfile of 3 `Callbot.list_call` calls, the functions with the most own time:")
    say()
    top_functions(say, profile, 3, 12)
