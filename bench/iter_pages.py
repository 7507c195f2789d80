"""Section 8 of `make bench`: `Callbot.iter_list_order` over many pages, its client CPU against bare signed pages
(httpx post + `verify_response` + one `json.loads` per page, the rows iterated), both against the same loopback
server of their own process (`bench/listcall_server.py`, serving pages), interleaved in one run."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from callbot_client.models import ListOrderOptions
from callbot_signing import Callbot
from callbot_signing.wire import encode_body, schema_problem

from .callbot import SECRET, UUID, check_handwritten, handwritten_headers
from .compare import SAY, fmt, ratio_summary
from .listcall_end_to_end import call_record, listcall_server

LIST_ORDER = "/callcentre/api/v3/listOrder"
PAGE_ROWS = 100
PAGES = 40
#: Distinct answers the server cycles through (iter_ stops when a page repeats the page before).
BODIES = 2


def order_row(n: int) -> dict[str, Any]:
    return {
        "orderID": f"order-{n:010d}",
        "userPhone": f"86138{n % 100_000_000:08d}",
        "userName": f"Customer {n}",
        "sceneID": "scene-1",
        "userTaskID": "bench",
        "taskID": "task-1",
        "finish": n % 3 == 0,
        "other": f"batch={n // 1000}",
        "callInfoDetail": call_record(n),
    }


def page_body(page: int) -> bytes:
    rows = [order_row(page * PAGE_ROWS + n) for n in range(PAGE_ROWS)]
    payload = {"retCode": 0, "retMsg": "", "responseID": f"page-{page}", "totalCount": PAGE_ROWS * PAGES}
    payload["orderList"] = rows
    problem = schema_problem(LIST_ORDER, payload)
    assert problem is None, problem
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def cpu(call: Callable[[], Any]) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


def bench_iter_pages(say: SAY) -> None:
    say("## 7. `iter_list_order`: client CPU against bare signed pages")
    say()
    bodies = [page_body(page) for page in range(BODIES)]
    say(f"{PAGES} pages of {PAGE_ROWS} orders ({len(bodies[0]) / 1e3:.0f} KB each, every order with its last call's")
    say("CallInfoDetail), from a loopback server of its own process. `Callbot.iter_list_order(...)` iterated to")
    say("the end, against bare signed pages: for each page an httpx post (fresh signature headers), `verify_response`")
    say("and one `json.loads`, its rows iterated. Client CPU (`time.process_time`, the server is another process),")
    say("interleaved rounds; the rows of `iter_` are models built when first read, so a second pair reads one field")
    say("of every row on both sides.")
    say()
    with (
        listcall_server(*bodies) as base_url,
        Callbot(base_url, UUID, SECRET, timeout=60) as bot,
        httpx.Client(timeout=60) as plain,
    ):
        url = base_url + LIST_ORDER

        def bare(read: bool) -> int:
            seen = 0
            for page in range(1, PAGES + 1):
                body = encode_body(
                    {"productID": "callbot", "userTaskID": "bench", "options": {}, "page": page, "size": PAGE_ROWS},
                    "listOrder",
                )
                headers = handwritten_headers(body)
                data = check_handwritten(plain.post(url, content=body, headers=headers), headers["requestID"])
                for row in data["orderList"]:
                    seen += 1 if not read or row["orderID"] else 0
            return seen

        def client(read: bool) -> int:
            seen = 0
            for row in bot.iter_list_order(user_task_id="bench", options=ListOrderOptions(), size=PAGE_ROWS):
                seen += 1 if not read or row.order_id else 0
            return seen

        calls: dict[str, Callable[[], Any]] = {
            "Callbot.iter_list_order": lambda: client(False),
            "bare signed pages": lambda: bare(False),
            "Callbot.iter_list_order, one field of every row read": lambda: client(True),
            "bare signed pages, one field of every row read": lambda: bare(True),
        }
        for call in calls.values():  # warm-up, and each side sees every row
            assert call() == PAGES * PAGE_ROWS
        rounds = 15
        results: dict[str, list[float]] = {name: [] for name in calls}
        names = list(calls)
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                results[name].append(cpu(calls[name]))

    rows = PAGES * PAGE_ROWS
    say(f"{rounds} rounds, one full iteration of each per round in a rotating order.")
    say()
    say(
        "| | client CPU per row (median) | ratio (median of per-round ratios) | 10th-90th pct | bootstrap 95 % CI |"
        " goal |"
    )
    say("|---|---|---|---|---|---|")
    for name, base, goal in (
        ("Callbot.iter_list_order", "bare signed pages", "≤ 1.5×"),
        ("Callbot.iter_list_order, one field of every row read", "bare signed pages, one field of every row read", ""),
    ):
        say(
            f"| {name} | {fmt(statistics.median(results[name]) / rows)} | "
            f"{ratio_summary(results[name], results[base])} | {goal} |"
        )
        say(f"| {base} | {fmt(statistics.median(results[base]) / rows)} | 1× | | | |")
    say()
