"""The baseline of `callbot orders add` in `make bench`: the minimal script a user would write instead, reading
the CSV into ``CallOrder`` objects and calling ``add_batch_call`` in batches of 10,000, one after another; no
checks, no journal, no result file. ``python -m bench.bulk_script CSV TASK`` (the account from CALLBOT_*)."""

from __future__ import annotations

import csv
import sys

from nxcloud_callbot import Callbot
from nxcloud_callbot.models import CallInfoList, CallOrder, Param

BATCH = 10_000


def main() -> None:
    path, task = sys.argv[1:3]
    with open(path, newline="", encoding="utf-8") as handle:
        orders = [
            CallOrder(
                order_id=row["orderID"],
                user_phone=row["userPhone"],
                user_name=row["userName"],
                params=[Param(name="name", value=row["param.name"])],
            )
            for row in csv.DictReader(handle)
        ]
    with Callbot() as callbot:
        for start in range(0, len(orders), BATCH):
            callbot.add_batch_call(
                user_task_id=task,
                call_info_list=CallInfoList(
                    call_list=orders[start : start + BATCH], call_callback_url="", order_callback_url=""
                ),
            )
    print(len(orders))


if __name__ == "__main__":
    main()
