"""What the sandbox does for the operations it keeps state for, given a body that already passed the spec's checks.

A method marked :func:`handler` serves the spec's operation of the same name in camelCase (``list_order`` is
listOrder); an operation of the spec without one is answered from the spec (app.py, spec.py). Every
operation sees only the calling account's store. Costs are page-sized: a list without filters (or
filtered by orderID or finish) reads only the page it returns, from indexes kept as orders change; a list
with other filters scans the task's rows in chunks of ``CHUNK``, and such an operation is a generator that
yields between chunks so that the server can serve other requests meanwhile (see ``app.py``).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .accounts import Account
from .door import Limits
from .spec import BAD_VALUE, BUSY, RequestRejected
from .state import Call, Order, OrderState, SandboxState, Task

# Sandbox: limits of its own (the wiki documents only listOrderDetail's 500); the spec has them as
# maxItems with an x-assumption, so the request check answers 4001.
MAX_ORDERS_PER_IMPORT = 10_000
MAX_ORDER_IDS = 1_000
#: Rows looked at between two yields of a scanning list operation.
CHUNK = 5_000

Payload = dict[str, Any]
#: An operation's answer, or a generator that yields between chunks of work and returns the answer.
Result = Payload | Generator[None, None, Payload]


_ids = random.Random()


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


def new_id() -> str:
    """A fresh responseID (Ping: reqId): 32 hex characters, like the service's. Not a secret, so drawn from
    ``random``: uuid4's os.urandom is a system call, a few per cent of a ping's whole cost."""
    return f"{_ids.getrandbits(128):032x}"


def envelope(code: int = 0, msg: str = "success") -> Payload:
    return {"retCode": code, "retMsg": msg, "responseID": new_id()}


def _page(body: Payload) -> tuple[int, int]:
    """(offset, size) of the requested page; the spec's schema makes page and size integers >= 1."""
    page, size = body.get("page", 1), body.get("size", 100)
    if page < 1 or size < 1:
        raise RequestRejected(BAD_VALUE, "page and size must be 1 or more")
    return (page - 1) * size, size


def _slice(items: Iterable[Any], total: int, offset: int, size: int) -> list[Any]:
    if offset >= total:
        return []
    return list(itertools.islice(items, offset, min(total, offset + size)))


def _enabled(condition: Payload | None) -> bool:
    return bool(condition and condition.get("enable"))


def _in_range(value: int, condition: Payload | None) -> bool:
    if not condition or not condition.get("enable"):
        return True
    return ("gt" not in condition or value > condition["gt"]) and ("lt" not in condition or value < condition["lt"])


def complete(result: Result) -> Payload:
    """An operation's answer, its chunks run one after another (tests and benchmarks; the server yields
    between them)."""
    if isinstance(result, dict):
        return result
    while True:
        try:
            next(result)
        except StopIteration as done:
            answer: Payload = done.value
            return answer


def _build_rows(items: Sequence[Any], row: Callable[[Any], Payload]) -> Generator[None, None, list[Payload]]:
    """The answer rows of ``items``, a chunk at a time."""
    rows: list[Payload] = []
    for start in range(0, len(items), CHUNK):
        rows.extend(row(item) for item in items[start : start + CHUNK])
        if start + CHUNK < len(items):
            yield
    return rows


def _page_answer(head: Payload, key: str, items: Sequence[Any], row: Callable[[Any], Payload]) -> Result:
    """``head`` plus ``key``: the rows of ``items``; at once for at most ``CHUNK`` rows, else as a generator
    that builds them a chunk at a time (a page of a million rows held the event loop for a second)."""
    if len(items) <= CHUNK:
        return {**head, key: [row(item) for item in items]}

    def steps() -> Generator[None, None, Payload]:
        rows = yield from _build_rows(items, row)
        return {**head, key: rows}

    return steps()


def _for_lookup(options: Payload) -> Payload:
    """``options`` with every list of IDs, names or codes as a frozenset: a scan tests each row against them
    (a list of 100,000 IDs, tested row by row, held the event loop for seconds)."""
    lookup: Payload = {}
    for key, value in options.items():
        try:
            lookup[key] = frozenset(value) if isinstance(value, list) else value
        except TypeError:  # a list of objects: kept as it is
            lookup[key] = value
    return lookup


def _matches_intents(calls: Iterable[Call], options: Payload) -> bool:
    intents = [intent for call in calls for intent in call.intents]
    for option, key in (("intentID", "intentID"), ("intentName", "intentName"), ("intentTag", "intentTag")):
        wanted = options.get(option)
        if wanted and not any(intent.get(key) in wanted for intent in intents):
            return False
    levels = options.get("intentLevel")
    return not levels or any(intent.get("intentLevel") in levels for intent in intents)


def _import_result(refused: list[tuple[str, str]], total: int) -> Payload:
    # The response sections were unreadable: the spec assumes stopOrder's counts and errList (AddOrdersResponse).
    errors = [{"orderID": order_id, "errMsg": reason} for order_id, reason in refused]
    return {**envelope(), "totalCount": total, "successCount": total - len(refused), "errList": errors}


def _scan(rows: Sequence[Any], wanted: Callable[[Any], bool]) -> Generator[None, None, list[Any]]:
    """The rows of ``rows`` (a snapshot) that are ``wanted``, a chunk at a time."""
    found: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        found.extend(row for row in rows[start : start + CHUNK] if wanted(row))
        if start + CHUNK < len(rows):
            yield
    return found


def _in_chunks(
    task: Task, items: Iterable[str], work: Callable[[list[str]], None], then: Callable[[], Payload]
) -> Result:
    """``work`` over ``items`` (taken off the task's dial queue) a chunk at a time, then the answer ``then``
    gives: at once when there is at most one chunk, else as a generator that yields between chunks (its
    first chunk done before this returns), the task marked busy until the end. Closed early (its request
    cancelled), the generator does the rest at once: a change is never left half made. A chunk that raises
    (a bug) puts what it did not do back on the dial queue."""
    todo = list(items)
    if len(todo) <= CHUNK:
        work(todo)
        return then()

    def steps() -> Generator[None, None, Payload]:
        done = 0
        try:
            while done < len(todo):
                work(todo[done : done + CHUNK])
                done += CHUNK
                yield
            return then()
        except GeneratorExit:
            work(todo[done:])
            then()
            raise
        except Exception:
            task.queue.extendleft(reversed(todo[done:]))
            raise
        finally:
            task.busy = False

    task.busy = True
    chunked = steps()
    next(chunked)
    return chunked


_SCANNED_ORDER_OPTIONS = ("intentID", "intentName", "intentTag", "intentLevel", "callStatus")


class Operations:
    def __init__(self, state: SandboxState, clock: Callable[[], float], limits: Limits | None = None) -> None:
        self.state = state
        self.clock = clock
        self.limits = limits or Limits()

    @classmethod
    def handling(cls, operation_id: str) -> Handling | None:
        """How the handler of ``operation_id`` runs; None when the sandbox keeps no state for it."""
        method = getattr(cls, handler_name(operation_id), None)
        found = getattr(method, "sandbox_handling", None)
        return found if isinstance(found, Handling) else None

    def now(self) -> int:
        return int(self.clock())

    @handler(reads_only=True, stateless=True)
    def ping(self, body: Payload, account: Account) -> Payload:
        return {"data": body["data"], "timestamp": self.now(), "code": 0, "msg": "success", "reqId": new_id()}

    @handler()
    def create_task(self, body: Payload, account: Account) -> Result:
        setting = body.get("taskCreateSetting") or {}
        self.state.create_task(
            body["userTaskID"],
            body["sceneID"],
            self.now(),
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
        return _in_chunks(task, self.state.take_queue(task), lambda ids: self.state.drop_undialed(task, ids), add)

    @handler()
    def create_and_call(self, body: Payload, account: Account) -> Result:
        # "Create and Start Call": the sandbox creates the task, imports the orders and starts it.
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

    @handler()
    def mgr_task_status(self, body: Payload, account: Account) -> Result:
        task = self.state.operate(self._writable(body, account), body["taskOperate"], self.now())

        def answer() -> Payload:
            return {**envelope(), "taskID": task.task_id, "taskStatus": int(task.status)}

        if body.get("delCall") != 1:
            return answer()

        def stop(order_ids: list[str]) -> None:  # every undialed order is in the dial queue
            undialed = [i for i in order_ids if (o := task.orders.get(i)) and o.state is OrderState.UNDIALED]
            self.state.stop(task, undialed, delete_undialed=True)

        return _in_chunks(task, self.state.take_queue(task), stop, answer)

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
        offset, size = _page(body)
        tasks = self.state.account(account.uuid).tasks
        filtered = any(conditions.get(key) for key in ("taskStatus", "taskName", "sceneID", "userTaskID"))
        if not filtered and conditions.get("startTs") is None and conditions.get("endTs") is None:
            page = _slice(tasks.values(), len(tasks), offset, size)
            return _page_answer(envelope(), "taskData", page, self._task_row)
        return self._list_task_scan(conditions, list(tasks.values()), offset, size)

    def _list_task_scan(
        self, conditions: Payload, tasks: list[Task], offset: int, size: int
    ) -> Generator[None, None, Payload]:
        conditions = _for_lookup(conditions)

        def wanted(task: Task) -> bool:
            return (
                (not conditions.get("taskStatus") or int(task.status) in conditions["taskStatus"])
                and (not conditions.get("taskName") or task.setting.get("taskName") in conditions["taskName"])
                and (not conditions.get("sceneID") or task.scene_id == conditions["sceneID"])
                and (not conditions.get("userTaskID") or task.user_task_id in conditions["userTaskID"])
                and (conditions.get("startTs") is None or task.created_ts >= conditions["startTs"])
                and (conditions.get("endTs") is None or task.created_ts <= conditions["endTs"])
            )

        found = yield from _scan(tasks, wanted)
        rows = yield from _build_rows(found[offset : offset + size], self._task_row)
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
        offset, size = _page(body)
        finish = options.get("finish")
        if any(options.get(key) for key in _SCANNED_ORDER_OPTIONS) or _enabled(options.get("callDuration")):
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
        page = _slice(source, total, offset, size)
        return _page_answer(
            {**envelope(), "totalCount": total}, "orderList", page, lambda order: self._order_row(task, order)
        )

    def _list_order_scan(self, task: Task, options: Payload, offset: int, size: int) -> Generator[None, None, Payload]:
        options = _for_lookup(options)

        def wanted(order: Order) -> bool:
            last = order.calls[-1:]
            return (
                (not options.get("orderID") or order.order_id in options["orderID"])
                and (options.get("finish") is None or (order.state is OrderState.FINISHED) == bool(options["finish"]))
                and _matches_intents(last, options)
                and (not options.get("callStatus") or any(c.status in options["callStatus"] for c in last))
                and _in_range(last[0].duration if last else 0, options.get("callDuration"))
            )

        found = yield from _scan(list(task.listed.values()), wanted)
        rows = yield from _build_rows(found[offset : offset + size], lambda order: self._order_row(task, order))
        return {**envelope(), "totalCount": len(found), "orderList": rows}

    @staticmethod
    def _call_row(row: tuple[Order, Call]) -> Payload:
        order, call = row
        return {**call.detail(), "orderID": order.order_id, "userPhone": order.user_phone, "other": order.other}

    @handler(reads_only=True)
    def list_call(self, body: Payload, account: Account) -> Result:
        options = body["options"]
        task = self.state.task(body["userTaskID"], account.uuid)
        offset, size = _page(body)
        scanned = ("callID", "intentID", "intentName", "intentTag", "intentLevel", "callStatus")
        filtered = any(options.get(key) for key in scanned) or _enabled(options.get("callDuration"))
        if not filtered and options.get("startTs") is None and options.get("endTs") is None:
            total = len(task.calls)
            page = task.calls[offset : offset + size] if offset < total else []
            return _page_answer({**envelope(), "totalCount": total}, "callList", page, self._call_row)
        return self._list_call_scan(task, options, offset, size)

    def _list_call_scan(self, task: Task, options: Payload, offset: int, size: int) -> Generator[None, None, Payload]:
        options = _for_lookup(options)

        def wanted(row: tuple[Order, Call]) -> bool:
            call = row[1]
            return (
                (not options.get("callID") or call.call_id in options["callID"])
                and _matches_intents([call], options)
                and (not options.get("callStatus") or call.status in options["callStatus"])
                and _in_range(call.duration, options.get("callDuration"))
                and (options.get("startTs") is None or call.start_ts >= options["startTs"])
                and (options.get("endTs") is None or call.start_ts <= options["endTs"])
            )

        # task.calls only grows: its first len() rows are a stable snapshot without a copy.
        found = yield from _scan(_Prefix(task.calls, len(task.calls)), wanted)
        rows = yield from _build_rows(found[offset : offset + size], self._call_row)
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
        found = yield from _scan(_Prefix(task.calls, len(task.calls)), lambda row: row[0].batch == batch)
        calls = yield from _build_rows(found, _export_row)
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


class _Prefix(Sequence[Any]):
    """The first ``length`` items of a list that only grows (slicing copies only the slice)."""

    def __init__(self, items: list[Any], length: int) -> None:
        self._items, self._length = items, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            return self._items[start:stop:step]
        return self._items[index]
