"""A consumer of the Callbot v3 API, as an application would write one: every operation through ``Callbot``.

Configured from the environment only: CALLBOT_BASE_URL (e.g. a sandbox, ``make sandbox``), CALLBOT_UUID and
CALLBOT_SECRET_KEY. It creates two tasks, fills, stops, imports and starts them, reads everything back and
prints a JSON report on stdout. Results are used with their exact types: optional fields are narrowed with
``isinstance(..., Unset)``, as mypy --strict wants them.

    CALLBOT_BASE_URL=http://127.0.0.1:8080 CALLBOT_UUID=... CALLBOT_SECRET_KEY=... python callbot_sync.py
"""

from __future__ import annotations

import json
import sys
import uuid

from nxcloud_callbot import Callbot
from nxcloud_callbot.models import (
    CallInfoList,
    CallOrder,
    DelCall,
    ImportBatchCallContentEncoding,
    ListCallOptions,
    ListOrderOptions,
    ListTaskConditions,
    OrderWithLastCall,
    TaskCreateSetting,
    TaskOperate,
)
from nxcloud_callbot.types import UNSET, Unset


def contacts(prefix: str, count: int) -> CallInfoList:
    """``count`` orders named ``<prefix>-1`` ... with made-up phone numbers."""
    orders = [CallOrder(order_id=f"{prefix}-{n}", user_phone=f"86138000{n:05d}") for n in range(1, count + 1)]
    return CallInfoList(order_callback_url="", call_callback_url="", call_list=orders)


def order_row(row: OrderWithLastCall) -> dict[str, object]:
    order_id: str | None = None if isinstance(row.order_id, Unset) else row.order_id
    finished: bool = False if isinstance(row.finish, Unset) else row.finish
    return {"orderID": order_id, "finish": finished}


def run() -> dict[str, object]:
    run_id = uuid.uuid4().hex[:12]
    task = f"sync-{run_id}"
    other_task = f"sync-{run_id}-second"
    report: dict[str, object] = {"task": task, "otherTask": other_task}

    with Callbot() as client:
        pong = client.ping(data=f"hello {run_id}")
        echoed: str = pong.data
        pong_code: int = pong.code
        server_time: int = pong.timestamp
        report["ping"] = {"data": echoed, "code": pong_code, "timestamp": server_time}

        created = client.create_task(
            user_task_id=task, scene_id="scene-1", task_create_setting=TaskCreateSetting(task_name="draft", max_call=1)
        )
        created_code: int = created.ret_code
        updated = client.update_task(user_task_id=task, task_create_setting=TaskCreateSetting(task_name="sync run"))
        updated_code: int = updated.ret_code
        added = client.add_batch_call(user_task_id=task, call_info_list=contacts(f"{task}-a", 2))
        added_code: int = added.ret_code
        report["codes"] = {"createTask": created_code, "updateTask": updated_code, "addBatchCall": added_code}

        stopped = client.stop_order(user_task_id=task, order_ids=[f"{task}-a-1", f"{task}-none"], del_call=DelCall.KEEP)
        total: int = stopped.total_count
        success: int = stopped.success_count
        refused: dict[str, str] = {error.order_id: error.err_msg for error in stopped.err_list}
        report["stopOrder"] = {"totalCount": total, "successCount": success, "refused": sorted(refused)}

        imported = client.import_batch_call(
            user_task_id=task,
            call_info_list=contacts(f"{task}-b", 3),
            content_encoding=ImportBatchCallContentEncoding.GZIP,
        )
        imported_code: int = imported.ret_code
        started = client.mgr_task_status(user_task_id=task, task_operate=TaskOperate.START)
        status: int | None = None if isinstance(started.task_status, Unset) else started.task_status
        platform_task_id: str | None = None if isinstance(started.task_id, Unset) else started.task_id
        report["importBatchCall"] = imported_code
        report["mgrTaskStatus"] = {"taskStatus": status, "taskID": platform_task_id}

        both = client.create_and_call(
            user_task_id=other_task, scene_id="scene-2", call_info_list=contacts(other_task, 2)
        )
        both_code: int = both.ret_code
        report["createAndCall"] = both_code

        listed = client.list_task(page=1, size=10, query_conditions=ListTaskConditions(user_task_id=[task, other_task]))
        tasks: dict[str, int] = {}
        for info in [] if isinstance(listed.task_data, Unset) else listed.task_data:
            name: str = "" if isinstance(info.user_task_id, Unset) else info.user_task_id
            stat = info.task_stat
            counted = UNSET if isinstance(stat, Unset) else stat.total_order_count  # each field optional in listTask
            orders_in_task: int = 0 if isinstance(counted, Unset) else counted
            tasks[name] = orders_in_task
        report["listTask"] = tasks

        page = client.list_order(user_task_id=task, options=ListOrderOptions(), page=1, size=100)
        order_count: int | None = None if isinstance(page.total_count, Unset) else page.total_count
        rows = [] if isinstance(page.order_list, Unset) else page.order_list
        report["listOrder"] = {"totalCount": order_count, "orders": [order_row(row) for row in rows]}
        report["iterListOrder"] = [
            order_row(row) for row in client.iter_list_order(user_task_id=task, options=ListOrderOptions(), size=2)
        ]

        details = client.list_order_detail(user_task_id=task, order_list=[f"{task}-b-1", f"{task}-a-1"])
        detailed: dict[str, int] = {}
        for detail in [] if isinstance(details.order_detail_list, Unset) else details.order_detail_list:
            calls = [] if isinstance(detail.call_info_detail_list, Unset) else detail.call_info_detail_list
            detailed["" if isinstance(detail.order_id, Unset) else detail.order_id] = len(calls)
        report["listOrderDetail"] = detailed

        calls_page = client.list_call(user_task_id=task, options=ListCallOptions(), page=1, size=50)
        call_ids: list[str] = []
        for record in [] if isinstance(calls_page.call_list, Unset) else calls_page.call_list:
            call_ids.append("" if isinstance(record.call_id, Unset) else record.call_id)
        call_count: int | None = None if isinstance(calls_page.total_count, Unset) else calls_page.total_count
        report["listCall"] = {"totalCount": call_count, "callIDs": call_ids}

        exported = client.export_batch_call(user_task_id=task, accept_encoding="gzip")
        batch: str | None = None if isinstance(exported.batch_id, Unset) else exported.batch_id
        exported_calls: int = 0 if isinstance(exported.call_list, Unset) else len(exported.call_list)
        report["exportBatchCall"] = {"batchID": batch, "calls": exported_calls}
    return report


if __name__ == "__main__":
    json.dump(run(), sys.stdout)
