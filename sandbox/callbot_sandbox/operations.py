"""What the sandbox does for the operations it keeps state for, given a body that already passed the spec's checks.

A method marked :func:`handler` serves the spec's operation of the same name in camelCase (``list_order`` is
listOrder); an operation of the spec without one is answered from the spec (app.py, spec.py). Every
operation sees only the calling account's store. Costs are page-sized: a list without filters (or
filtered by orderID or finish) reads only the page it returns, from indexes kept as orders change; a list
with other filters scans the task's rows, and a change to many orders works through them, a chunk at a
time (chunked.py), so that the server serves other requests in between.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from .accounts import Account
from .answers import Payload as Payload
from .answers import Result as Result
from .answers import complete as complete
from .answers import envelope, new_id
from .chunked import CHUNK as CHUNK
from .chunked import Prefix, build_rows, in_chunks, page_answer, scan
from .door import Limits
from .list_filters import enabled, for_lookup, in_range, matches_intents, page_slice, requested_page
from .spec import BUSY, RequestRejected
from .state import Call, Order, OrderState, SandboxState, Task


@dataclass(frozen=True)
class Handling:
    """How the server runs a handler: ``reads_only`` (a long one waits for a turn, see app.MAX_LONG_RUNNING),
    ``stateless`` (no state at all: neither the state lock nor the dialer)."""

    reads_only: bool = False
    stateless: bool = False


_Method = TypeVar("_Method", bound=Callable[..., Any])


def handler(*, reads_only: bool = False, stateless: bool = False) -> Callable[[_Method], _Method]:
    """Mark an :class:`Operations` method as the handler of the spec's operation named like it."""

    def mark(method: _Method) -> _Method:
        method.sandbox_handling = Handling(reads_only, stateless)  # type: ignore[attr-defined]
        return method

    return mark


def handler_name(operation_id: str) -> str:
    """The name of the method that would handle ``operation_id``: listOrderDetail -> list_order_detail."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _import_result(refused: list[tuple[str, str]], total: int) -> Payload:
    # The response sections were unreadable: the spec assumes stopOrder's counts and errList (AddOrdersResponse).
    errors = [{"orderID": order_id, "errMsg": reason} for order_id, reason in refused]
    return {**envelope(), "totalCount": total, "successCount": total - len(refused), "errList": errors}


_SCANNED_ORDER_OPTIONS = ("intentID", "intentName", "intentTag", "intentLevel", "callStatus")


class Operations:
    def __init__(
        self,
        state: SandboxState,
        clock: Callable[[], float],
        limits: Limits | None = None,
        account_clock: Callable[[str], float] | None = None,
    ) -> None:
        self.state = state
        self.clock = clock
        self.limits = limits or Limits()
        #: Each account's simulation time by uuid (None: ``clock`` for every account).
        self.account_clock = account_clock

    @classmethod
    def handling(cls, operation_id: str) -> Handling | None:
        """How the handler of ``operation_id`` runs; None when the sandbox keeps no state for it."""
        method = getattr(cls, handler_name(operation_id), None)
        found = getattr(method, "sandbox_handling", None)
        return found if isinstance(found, Handling) else None

    def now(self, account: Account | None = None) -> int:
        """The simulation time of ``account`` (None, or no account_clock: ``clock``)."""
        if account is None or self.account_clock is None:
            return int(self.clock())
        return int(self.account_clock(account.uuid))

    @handler(reads_only=True, stateless=True)
    def ping(self, body: Payload, account: Account) -> Payload:
        return {"data": body["data"], "timestamp": self.now(account), "code": 0, "msg": "success", "reqId": new_id()}

    @handler()
    def create_task(self, body: Payload, account: Account) -> Result:
        setting = body.get("taskCreateSetting") or {}
        self.state.create_task(
            body["userTaskID"],
            body["sceneID"],
            self.now(account),
            account.uuid,
            setting=dict(setting),
            func_flag=dict(body.get("funcFlag") or {}),
            task_callback_url=body.get("taskCallbackUrl") or setting.get("taskCallbackUrl", ""),
            order_callback_url=body.get("orderCallbackUrl", ""),
        )
        return envelope()

    @handler()
    def add_batch_call(self, body: Payload, account: Account) -> Result:
        return self._import(body, account, new_batch=False)

    @handler()
    def import_batch_call(self, body: Payload, account: Account) -> Result:
        return self._import(body, account, new_batch=True)

    def _writable(self, body: Payload, account: Account) -> Task:
        """The task a write names: 4 when the account has no such task, 7 while a chunked operation works
        through it (the writes to one task happen one after another, as they were answered)."""
        task = self.state.task(body["userTaskID"], account.uuid)
        if task.busy:
            raise RequestRejected(
                BUSY,
                f"system busy: task {task.user_task_id} is being changed by an earlier request; retry later",
                state=True,
            )
        return task

    def _import(self, body: Payload, account: Account, *, new_batch: bool) -> Result:
        task = self._writable(body, account)
        self.state.begin_batch(task, new_batch=new_batch)

        def add() -> Payload:
            refused = self.state.add_orders(task, body["callInfoList"])
            return _import_result(refused, len(body["callInfoList"]["callList"]))

        if not new_batch:
            return add()
        # The previous batches' undialed orders are dropped first, a chunk at a time.
        return in_chunks(task, self.state.take_queue(task), lambda ids: self.state.drop_undialed(task, ids), add)

    @handler()
    def create_and_call(self, body: Payload, account: Account) -> Result:
        # "Create and Start Call": the sandbox creates the task, imports the orders and starts it.
        setting = dict(body.get("taskCreateSetting") or {})
        task = self.state.create_task(
            body["userTaskID"],
            body["sceneID"],
            self.now(account),
            account.uuid,
            setting=setting,
            func_flag=dict(body.get("funcFlag") or {}),
            task_callback_url=setting.get("taskCallbackUrl", ""),
        )
        refused = self.state.import_orders(task, body["callInfoList"], new_batch=False)
        self.state.operate(task, 1, self.now(account))
        return _import_result(refused, len(body["callInfoList"]["callList"]))

    @handler()
    def mgr_task_status(self, body: Payload, account: Account) -> Result:
        task = self.state.operate(self._writable(body, account), body["taskOperate"], self.now(account))

        def answer() -> Payload:
            return {**envelope(), "taskID": task.task_id, "taskStatus": int(task.status)}

        if body.get("delCall") != 1:
            return answer()

        def stop(order_ids: list[str]) -> None:  # every undialed order is in the dial queue
            undialed = [i for i in order_ids if (o := task.orders.get(i)) and o.state is OrderState.UNDIALED]
            self.state.stop(task, undialed, delete_undialed=True)

        return in_chunks(task, self.state.take_queue(task), stop, answer)

    @handler()
    def update_task(self, body: Payload, account: Account) -> Result:
        task = self._writable(body, account)
        self.state.update_task(task, body.get("taskCreateSetting") or {}, body.get("funcFlag"))
        return envelope()

    def _task_row(self, task: Task) -> Payload:
        return {
            "userTaskID": task.user_task_id,
            "taskID": task.task_id,
            "sceneID": task.scene_id,
            "taskStatus": int(task.status),
            "createTs": task.created_ts,
            "taskStat": self.state.task_stat(task),
        }

    @handler(reads_only=True)
    def list_task(self, body: Payload, account: Account) -> Result:
        conditions = body["queryConditions"]
        offset, size = requested_page(body)
        tasks = self.state.account(account.uuid).tasks
        filtered = any(conditions.get(key) for key in ("taskStatus", "taskName", "sceneID", "userTaskID"))
        if not filtered and conditions.get("startTs") is None and conditions.get("endTs") is None:
            page = page_slice(tasks.values(), len(tasks), offset, size)
            return page_answer(envelope(), "taskData", page, self._task_row)
        return self._list_task_scan(conditions, list(tasks.values()), offset, size)

    def _list_task_scan(
        self, conditions: Payload, tasks: list[Task], offset: int, size: int
    ) -> Generator[None, None, Payload]:
        conditions = for_lookup(conditions)

        def wanted(task: Task) -> bool:
            return (
                (not conditions.get("taskStatus") or int(task.status) in conditions["taskStatus"])
                and (not conditions.get("taskName") or task.setting.get("taskName") in conditions["taskName"])
                and (not conditions.get("sceneID") or task.scene_id == conditions["sceneID"])
                and (not conditions.get("userTaskID") or task.user_task_id in conditions["userTaskID"])
                and (conditions.get("startTs") is None or task.created_ts >= conditions["startTs"])
                and (conditions.get("endTs") is None or task.created_ts <= conditions["endTs"])
            )

        found = yield from scan(tasks, wanted)
        rows = yield from build_rows(found[offset : offset + size], self._task_row)
        return {**envelope(), "taskData": rows}

    def _order_row(self, task: Task, order: Order) -> Payload:
        item = self.state.order_info(order, task)
        if order.calls:
            item["callInfoDetail"] = order.calls[-1].detail()
        return item

    @handler(reads_only=True)
    def list_order(self, body: Payload, account: Account) -> Result:
        options = body["options"]
        task = self.state.task(body["userTaskID"], account.uuid)
        offset, size = requested_page(body)
        finish = options.get("finish")
        if any(options.get(key) for key in _SCANNED_ORDER_OPTIONS) or enabled(options.get("callDuration")):
            return self._list_order_scan(task, options, offset, size)
        if options.get("orderID"):  # an index lookup per orderID asked for
            wanted = [task.listed[i] for i in dict.fromkeys(options["orderID"]) if i in task.listed]
            if finish is not None:
                wanted = [o for o in wanted if (o.state is OrderState.FINISHED) == bool(finish)]
            source: Iterable[Order] = wanted
            total = len(wanted)
        elif finish is None:
            source, total = task.listed.values(), len(task.listed)
        elif finish:  # finished orders are never deleted, so all of them are listed
            source, total = task.finished.values(), len(task.finished)
        else:
            source = (o for o in task.listed.values() if o.state is not OrderState.FINISHED)
            total = len(task.listed) - len(task.finished)
        page = page_slice(source, total, offset, size)
        return page_answer(
            {**envelope(), "totalCount": total}, "orderList", page, lambda order: self._order_row(task, order)
        )

    def _list_order_scan(self, task: Task, options: Payload, offset: int, size: int) -> Generator[None, None, Payload]:
        options = for_lookup(options)

        def wanted(order: Order) -> bool:
            last = order.calls[-1:]
            return (
                (not options.get("orderID") or order.order_id in options["orderID"])
                and (options.get("finish") is None or (order.state is OrderState.FINISHED) == bool(options["finish"]))
                and matches_intents(last, options)
                and (not options.get("callStatus") or any(c.status in options["callStatus"] for c in last))
                and in_range(last[0].duration if last else 0, options.get("callDuration"))
            )

        found = yield from scan(list(task.listed.values()), wanted)
        rows = yield from build_rows(found[offset : offset + size], lambda order: self._order_row(task, order))
        return {**envelope(), "totalCount": len(found), "orderList": rows}

    @staticmethod
    def _call_row(row: tuple[Order, Call]) -> Payload:
        order, call = row
        return {**call.detail(), "orderID": order.order_id, "userPhone": order.user_phone, "other": order.other}

    @handler(reads_only=True)
    def list_call(self, body: Payload, account: Account) -> Result:
        options = body["options"]
        task = self.state.task(body["userTaskID"], account.uuid)
        offset, size = requested_page(body)
        scanned = ("callID", "intentID", "intentName", "intentTag", "intentLevel", "callStatus")
        filtered = any(options.get(key) for key in scanned) or enabled(options.get("callDuration"))
        if not filtered and options.get("startTs") is None and options.get("endTs") is None:
            total = len(task.calls)
            page = task.calls[offset : offset + size] if offset < total else []
            return page_answer({**envelope(), "totalCount": total}, "callList", page, self._call_row)
        return self._list_call_scan(task, options, offset, size)

    def _list_call_scan(self, task: Task, options: Payload, offset: int, size: int) -> Generator[None, None, Payload]:
        options = for_lookup(options)

        def wanted(row: tuple[Order, Call]) -> bool:
            call = row[1]
            return (
                (not options.get("callID") or call.call_id in options["callID"])
                and matches_intents([call], options)
                and (not options.get("callStatus") or call.status in options["callStatus"])
                and in_range(call.duration, options.get("callDuration"))
                and (options.get("startTs") is None or call.start_ts >= options["startTs"])
                and (options.get("endTs") is None or call.start_ts <= options["endTs"])
            )

        # task.calls only grows: its first len() rows are a stable snapshot without a copy.
        found = yield from scan(Prefix(task.calls, len(task.calls)), wanted)
        rows = yield from build_rows(found[offset : offset + size], self._call_row)
        return {**envelope(), "totalCount": len(found), "callList": rows}

    @handler()
    def stop_order(self, body: Payload, account: Account) -> Result:
        order_ids = body["orderIDs"]
        task = self._writable(body, account)  # an unknown task: 4, as for every task operation
        refused = self.state.stop(task, order_ids, delete_undialed=body.get("delCall") == 1)
        errors = [{"orderID": order_id, "errMsg": reason} for order_id, reason in refused]
        return {
            **envelope(),
            "totalCount": len(order_ids),
            "successCount": len(order_ids) - len(refused),
            "errList": errors,
        }

    @handler(reads_only=True)
    def list_order_detail(self, body: Payload, account: Account) -> Result:
        details = []
        task = self.state.task(body["userTaskID"], account.uuid)
        for order_id in body["orderList"]:
            order = task.orders.get(order_id)
            if order is None:
                continue
            details.append(
                {**self.state.order_info(order, task), "callInfoDetailList": [call.detail() for call in order.calls]}
            )
        return {**envelope(), "orderDetailList": details}

    @handler(reads_only=True)
    def export_batch_call(self, body: Payload, account: Account) -> Result:
        task = self.state.task(body["userTaskID"], account.uuid)
        return self._export_scan(task)

    def _export_scan(self, task: Task) -> Generator[None, None, Payload]:
        batch = task.batch
        found = yield from scan(Prefix(task.calls, len(task.calls)), lambda row: row[0].batch == batch)
        calls = yield from build_rows(found, _export_row)
        return {**envelope(), "totalCount": len(calls), "batchID": str(batch), "callList": calls}


def _export_row(row: tuple[Order, Call]) -> Payload:
    order, call = row
    return {
        "orderID": order.order_id,
        "userPhone": order.user_phone,
        "other": order.other,
        "callID": call.call_id,
        "callStatus": call.status,
        "callStartTs": call.start_ts,
        "intents": call.intents,
    }
