"""Orders in bulk, as an application would add them: ``add_orders`` with a journal, from the library alone.

Needs no extra (``pip install nxcloud-callbot``: neither click nor rich) and imports only ``nxcloud_callbot``.
Configured from the environment (CALLBOT_BASE_URL, CALLBOT_UUID, CALLBOT_SECRET_KEY); the task's userTaskID
and a path for the journal are its arguments. It adds 25 orders to the task in batches of 10 with a journal,
runs the same import again from the journal (nothing is sent twice), looks the orders up, stops the first
one, and prints a JSON report on stdout.

    CALLBOT_BASE_URL=http://127.0.0.1:8080 CALLBOT_UUID=... CALLBOT_SECRET_KEY=... python callbot_bulk.py TASK JOURNAL
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from nxcloud_callbot import (
    MAX_ORDERS_PER_BATCH,
    Callbot,
    OrderJournal,
    OrderResult,
    add_orders,
    find_existing_orders,
    stop_orders,
)
from nxcloud_callbot.models import CallOrder, Param

ORDERS = 25
BATCH = min(10, MAX_ORDERS_PER_BATCH)
SOURCE = "callbot_bulk.py: 25 made-up contacts"


def contacts(task: str) -> list[CallOrder]:
    return [
        CallOrder(order_id=f"{task}-{n}", user_phone=f"86139000{n:05d}", params=[Param(name="name", value=f"N{n}")])
        for n in range(1, ORDERS + 1)
    ]


def counted(results: list[OrderResult]) -> dict[str, int]:
    return dict(Counter(result.status for result in results))


def run(task: str, journal_path: Path) -> dict[str, object]:
    orders = contacts(task)
    order_ids = [order.order_id for order in orders]
    settled: list[int] = []
    with Callbot() as client:
        with OrderJournal.create(journal_path, task=task, source=SOURCE) as journal:
            first = add_orders(client, task, orders, batch_size=BATCH, concurrency=2, journal=journal)
        with OrderJournal.resume(journal_path, task=task, source=SOURCE) as journal:
            again = add_orders(client, task, orders, batch_size=BATCH, journal=journal, progress=settled.append)
        found = find_existing_orders(client, task, order_ids)
        stopped = stop_orders(client, task, order_ids[:1])
    return {
        "added": counted(first),
        "again": counted(again),
        "settledFromJournal": sum(settled),
        "found": len(found),
        "stopped": counted(stopped),
    }


if __name__ == "__main__":
    json.dump(run(sys.argv[1], Path(sys.argv[2])), sys.stdout)
