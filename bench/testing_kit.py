"""Section 11 of `make bench`: the testing kit (callbot_sandbox.kit, the pytest fixtures' body). Two figures,
each interleaved against the same thing over loopback HTTP (``transport="http"``: the sandbox served by
uvicorn on a free port, as a user would otherwise run it):

- the fixture's setup and teardown: ``running()`` entered, a ``Callbot`` made for its first account (what the
  ``callbot_sandbox`` and ``callbot`` fixtures do), and closed; goal ≤ 20 ms, median, in process;
- a campaign test: create a task, add 1,000 orders in one addBatchCall, start it, advance the virtual clock 2
  hours, and check that every order callback reached the user's receiver (``WebhookReceiver.asgi_app()``
  mounted in Starlette, a coroutine handler, delivered in process); goal ≤ 1 s, in process.

``python -m bench.testing_kit`` runs this section alone and prints it.
"""

from __future__ import annotations

import logging
import os
import statistics
import time
from collections.abc import Callable

from callbot_sandbox import running
from callbot_sandbox.kit import Transport
from nxcloud_callbot import Delivery, WebhookReceiver
from nxcloud_callbot.models import CallInfoList, CallOrder, OrderCallback, TaskOperate
from starlette.applications import Starlette
from starlette.routing import Mount

from .compare import SAY, comparison_table, fmt, run_rounds

ORDERS = [CallOrder(order_id=f"order-{n:04d}", user_phone=f"86138{n:08d}") for n in range(1000)]
RECEIVER = "http://receiver.test/callbot"


def fixture_cycle(transport: Transport) -> Callable[[], None]:
    def cycle() -> None:
        with running(transport=transport) as sb:
            sb.client()

    return cycle


def campaign(transport: Transport, *, sync_handler: bool = False) -> Callable[[], None]:
    """The campaign test of the module docstring; AssertionError unless every order callback was handled."""

    def run() -> None:
        with running(transport=transport) as sb:
            account = sb.accounts[0]
            receiver = WebhookReceiver({account.uuid: (account.secret_key, account.algorithm)})
            received: list[str] = []
            if sync_handler:

                @receiver.on("order")
                def order_done(delivery: Delivery[OrderCallback]) -> None:
                    received.append(delivery.event.order_id)
            else:

                @receiver.on("order")
                async def order_finished(delivery: Delivery[OrderCallback]) -> None:
                    received.append(delivery.event.order_id)

            sb.deliver_to(Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())]))
            callbot = sb.client()
            callbot.create_task(user_task_id="campaign", scene_id="scene-1")
            info = CallInfoList(call_list=ORDERS, call_callback_url="", order_callback_url=f"{RECEIVER}/order")
            callbot.add_batch_call(user_task_id="campaign", call_info_list=info)
            callbot.mgr_task_status(user_task_id="campaign", task_operate=TaskOperate.START)
            sb.advance(2 * 3600)
            assert sorted(received) == [order.order_id for order in ORDERS], "an order callback did not arrive"

    return run


def bench_testing_kit(say: SAY) -> None:
    say("## 11. The testing kit: the fixture and a campaign test")
    say()
    logging.getLogger("callbot_sandbox").setLevel(logging.ERROR)
    fixtures = {"in process (default)": fixture_cycle("inprocess"), "loopback HTTP": fixture_cycle("http")}
    run_rounds(fixtures, 1, 5)  # warm-up: imports, the spec's validators
    results = run_rounds(fixtures, 15, 10)
    say("The fixture's setup and teardown (`running()` entered, a `Callbot` for its first account, closed):")
    say("15 rounds × 10 cycles per contender, rotating.")
    say()
    comparison_table(say, results, [("in process (default)", "loopback HTTP", "")], "fixture setup + teardown")
    median = statistics.median(t for rounds in results["in process (default)"] for t in rounds)
    say(f"In process: **{fmt(median)}** median per test (goal ≤ 20 ms).")
    say()
    tests = {
        "in process (default)": campaign("inprocess"),
        "loopback HTTP": campaign("http"),
        "in process, sync handler (worker thread)": campaign("inprocess", sync_handler=True),
    }
    run_rounds(tests, 1, 1)
    results = run_rounds(tests, 5, 1)
    say("A campaign test: 1,000 orders added, the task started, 2 hours advanced, every order callback handled")
    say("by a Starlette app with `WebhookReceiver` (delivered in process); 5 rounds, rotating.")
    say()
    comparison_table(
        say,
        results,
        [
            ("in process (default)", "loopback HTTP", ""),
            ("in process, sync handler (worker thread)", "in process (default)", ""),
        ],
        "campaign test",
    )
    median = statistics.median(t for rounds in results["in process (default)"] for t in rounds)
    cpu = statistics.median(cpu_seconds(tests["in process (default)"]) for _ in range(5))
    say(
        f"In process, a coroutine handler: **{fmt(median)}** median per test (goal ≤ 1 s); the CPU time it takes "
        f"(every thread of this process, 5 runs, median): {fmt(cpu)}. On a loaded machine the wall time is the "
        f"CPU time plus the waits for a core (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "at the end of this section)."
    )
    say()


def cpu_seconds(test: Callable[[], None]) -> float:
    started = time.process_time()
    test()
    return time.process_time() - started


if __name__ == "__main__":
    from .report import say

    bench_testing_kit(say)
