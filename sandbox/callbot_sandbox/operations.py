"""What the sandbox does for each operation, given a body that already passed the spec's checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import uuid4

from .accounts import Account
from .spec import BAD_VALUE, TOO_MANY_ELEMENTS, RequestRejected
from .state import Call, Order, OrderState, SandboxState, Task

# Sandbox: limits of its own (the wiki documents only listOrderDetail's 500), answered with retCode 4001.
MAX_ORDERS_PER_IMPORT = 10_000
MAX_ORDER_IDS = 1_000

Payload = dict[str, Any]


def envelope(code: int = 0, msg: str = "success") -> Payload:
    return {"retCode": code, "retMsg": msg, "responseID": uuid4().hex}


def _paged(items: list[Any], body: Payload) -> list[Any]:
    page, size = body.get("page", 1), body.get("size", 100)
    if page < 1 or size < 1:
        raise RequestRejected(BAD_VALUE, "page and size must be 1 or more")
    return items[(page - 1) * size : page * size]


def _in_range(value: int, condition: Payload | None) -> bool:
    if not condition or not condition.get("enable"):
        return True
    return ("gt" not in condition or value > condition["gt"]) and ("lt" not in condition or value < condition["lt"])


def _matches_intents(calls: Iterable[Call], options: Payload) -> bool:
    intents = [intent for call in calls for intent in call.intents]
    for option, key in (("intentID", "intentID"), ("intentName", "intentName"), ("intentTag", "intentTag")):
        wanted = options.get(option)
        if wanted and not any(intent.get(key) in wanted for intent in intents):
            return False
    levels = options.get("intentLevel")
    return not levels or any(intent.get("intentLevel") in levels for intent in intents)


def _limit(items: list[Any], limit: int, name: str) -> None:
    if len(items) > limit:
        raise RequestRejected(TOO_MANY_ELEMENTS, f"parameter {name} has {len(items)} elements, more than {limit}")


def _import_result(refused: list[tuple[str, str]], total: int) -> Payload:
    # Not documented (the response section was unreadable): the sandbox reports refused orders as stopOrder does.
    errors = [{"orderID": order_id, "errMsg": reason} for order_id, reason in refused]
    return {**envelope(), "totalCount": total, "successCount": total - len(refused), "errList": errors}


class Operations:
    def __init__(self, state: SandboxState, clock: Callable[[], float]) -> None:
        self.state = state
        self.clock = clock

    def now(self) -> int:
        return int(self.clock())

    def ping(self, body: Payload, account: Account) -> Payload:
        return {"data": body["data"], "timestamp": self.now(), "code": 0, "msg": "success", "reqId": uuid4().hex}

    def create_task(self, body: Payload, account: Account) -> Payload:
        self.state.create_task(
            body["userTaskID"],
            body["sceneID"],
            self.now(),
            account.uuid,
            setting=dict(body.get("taskCreateSetting") or {}),
            func_flag=dict(body.get("funcFlag") or {}),
            task_callback_url=body.get("taskCallbackUrl")
            or (body.get("taskCreateSetting") or {}).get("taskCallbackUrl", ""),
            order_callback_url=body.get("orderCallbackUrl", ""),
        )
        return envelope()

    def add_batch_call(self, body: Payload, account: Account) -> Payload:
        return self._import(body, account, new_batch=False)

    def import_batch_call(self, body: Payload, account: Account) -> Payload:
        return self._import(body, account, new_batch=True)

    def _import(self, body: Payload, account: Account, *, new_batch: bool) -> Payload:
        _limit(body["callInfoList"]["callList"], MAX_ORDERS_PER_IMPORT, "callInfoList.callList")
        task = self.state.task(body["userTaskID"], account.uuid)
        refused = self.state.import_orders(task, body["callInfoList"], new_batch=new_batch)
        return _import_result(refused, len(body["callInfoList"]["callList"]))

    def create_and_call(self, body: Payload, account: Account) -> Payload:
        # "Create and Start Call": the sandbox creates the task, imports the orders and starts it.
        _limit(body["callInfoList"]["callList"], MAX_ORDERS_PER_IMPORT, "callInfoList.callList")
        setting = dict(body.get("taskCreateSetting") or {})
        task = self.state.create_task(
            body["userTaskID"],
            body["sceneID"],
            self.now(),
            account.uuid,
            setting=setting,
            func_flag=dict(body.get("funcFlag") or {}),
            task_callback_url=setting.get("taskCallbackUrl", ""),
        )
        refused = self.state.import_orders(task, body["callInfoList"], new_batch=False)
        self.state.operate(task, 1, self.now())
        return _import_result(refused, len(body["callInfoList"]["callList"]))

    def mgr_task_status(self, body: Payload, account: Account) -> Payload:
        task = self.state.operate(self.state.task(body["userTaskID"], account.uuid), body["taskOperate"], self.now())
        if body.get("delCall") == 1:
            undialed = [o.order_id for o in self.state.orders_of(task.user_task_id) if o.state is OrderState.UNDIALED]
            self.state.stop(task, undialed, delete_undialed=True)
        return {**envelope(), "taskID": task.task_id, "taskStatus": int(task.status)}

    def update_task(self, body: Payload, account: Account) -> Payload:
        task = self.state.task(body["userTaskID"], account.uuid)
        self.state.update_task(task, body.get("taskCreateSetting"), body.get("funcFlag"))
        return envelope()

    def list_task(self, body: Payload, account: Account) -> Payload:
        conditions = body["queryConditions"]

        def wanted(task: Task) -> bool:
            checks = [
                not conditions.get("taskStatus") or int(task.status) in conditions["taskStatus"],
                not conditions.get("taskName") or task.setting.get("taskName") in conditions["taskName"],
                not conditions.get("sceneID") or task.scene_id == conditions["sceneID"],
                not conditions.get("userTaskID") or task.user_task_id in conditions["userTaskID"],
                "startTs" not in conditions or task.created_ts >= conditions["startTs"],
                "endTs" not in conditions or task.created_ts <= conditions["endTs"],
            ]
            return all(checks)

        tasks = [task for task in self.state.tasks.values() if task.owner == account.uuid and wanted(task)]
        data = [
            {
                "userTaskID": task.user_task_id,
                "taskID": task.task_id,
                "sceneID": task.scene_id,
                "taskStatus": int(task.status),
                "createTs": task.created_ts,
                "taskStat": self.state.task_stat(task),
            }
            for task in _paged(tasks, body)
        ]
        return {**envelope(), "taskData": data}

    def list_order(self, body: Payload, account: Account) -> Payload:
        options = body["options"]

        def wanted(order: Order) -> bool:
            last = order.calls[-1:]
            checks = [
                not options.get("orderID") or order.order_id in options["orderID"],
                options.get("finish") is None or (order.state is OrderState.FINISHED) == bool(options["finish"]),
                _matches_intents(last, options),
                not options.get("callStatus") or any(c.status in options["callStatus"] for c in last),
                _in_range(last[0].detail()["callDuration"] if last else 0, options.get("callDuration")),
            ]
            return all(checks)

        task = self.state.task(body["userTaskID"], account.uuid)
        orders = [o for o in self.state.orders_of(task.user_task_id) if not o.data_deleted and wanted(o)]
        listed = []
        for order in _paged(orders, body):
            item = self.state.order_info(order)
            if order.calls:
                item["callInfoDetail"] = order.calls[-1].detail()
            listed.append(item)
        return {**envelope(), "totalCount": len(orders), "orderList": listed}

    def list_call(self, body: Payload, account: Account) -> Payload:
        options = body["options"]
        calls = []
        task = self.state.task(body["userTaskID"], account.uuid)
        for order in self.state.orders_of(task.user_task_id):
            for call in order.calls:
                checks = [
                    not options.get("callID") or call.call_id in options["callID"],
                    _matches_intents([call], options),
                    not options.get("callStatus") or call.status in options["callStatus"],
                    _in_range(call.detail()["callDuration"], options.get("callDuration")),
                    "startTs" not in options or call.start_ts >= options["startTs"],
                    "endTs" not in options or call.start_ts <= options["endTs"],
                ]
                if all(checks):
                    calls.append(
                        {
                            **call.detail(),
                            "orderID": order.order_id,
                            "userPhone": order.user_phone,
                            "other": order.other,
                        }
                    )
        return {**envelope(), "totalCount": len(calls), "callList": _paged(calls, body)}

    def stop_order(self, body: Payload, account: Account) -> Payload:
        order_ids = body["orderIDs"]
        _limit(order_ids, MAX_ORDER_IDS, "orderIDs")
        task = self.state.tasks.get(body["userTaskID"])
        if task is None or task.owner != account.uuid:  # every order is then unknown: listed in errList
            task = Task(body["userTaskID"], "", "", 0, account.uuid)
        refused = self.state.stop(task, order_ids, delete_undialed=body.get("delCall") == 1)
        errors = [{"orderID": order_id, "errMsg": reason} for order_id, reason in refused]
        return {
            **envelope(),
            "totalCount": len(order_ids),
            "successCount": len(order_ids) - len(refused),
            "errList": errors,
        }

    def list_order_detail(self, body: Payload, account: Account) -> Payload:
        details = []
        self.state.task(body["userTaskID"], account.uuid)
        for order_id in body["orderList"]:
            order = self.state.orders.get(order_id)
            if order is None or order.user_task_id != body["userTaskID"]:
                continue
            details.append(
                {**self.state.order_info(order), "callInfoDetailList": [call.detail() for call in order.calls]}
            )
        return {**envelope(), "orderDetailList": details}

    def export_batch_call(self, body: Payload, account: Account) -> Payload:
        task = self.state.task(body["userTaskID"], account.uuid)
        calls = [
            {
                "orderID": order.order_id,
                "userPhone": order.user_phone,
                "other": order.other,
                "callID": call.call_id,
                "callStatus": call.status,
                "callStartTs": call.start_ts,
                "intents": call.intents,
            }
            for order in self.state.orders_of(task.user_task_id)
            if order.batch == task.batch
            for call in order.calls
        ]
        return {**envelope(), "totalCount": len(calls), "batchID": str(task.batch), "callList": calls}
