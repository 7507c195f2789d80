"""The sandbox's in-memory world, one store per account: tasks keyed by userTaskID, orders keyed by orderID,
and their calls, with the indexes that keep every list page-sized.

What the wiki documents: the task statuses 1-5 and the operations start/pause/finish; updateTask only on
a paused or pending task; orderIDs globally unique; a new import batch drops the previous batch's undialed
orders; stopOrder stops undialed orders irreversibly. The sandbox's own choices are marked "sandbox:".

Sandbox: every account has its own namespace of userTaskIDs, orderIDs, taskIDs and callIDs, so nothing one
account does can be seen, changed or inferred by another; the same ID may exist in two accounts.
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .spec import BAD_VALUE, RequestRejected


class TaskStatus(enum.IntEnum):
    PENDING = 1
    RUNNING = 2
    COMPLETED = 3
    FINISHED = 4
    PAUSED = 5


class OrderState(enum.Enum):
    UNDIALED = "undialed"  # waiting for its first call
    DIALED = "dialed"  # called, waiting for a redial; can no longer be stopped
    FINISHED = "finished"  # no more calls will be made
    STOPPED = "stopped"  # stopped by stopOrder before any call: irreversible


@dataclass(slots=True)
class Call:
    call_id: str
    status: int  # sandbox: 1 answered, 2 no answer, 3 busy (the wiki does not list the codes)
    start_ts: int
    answer_ts: int
    end_ts: int
    intents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.status == 1

    @property
    def duration(self) -> int:
        return max(0, self.end_ts - self.answer_ts) if self.answered else 0

    def detail(self) -> dict[str, Any]:
        """As a CallInfoDetail."""
        return {
            "callID": self.call_id,
            "callStatus": self.status,
            "callStartTs": self.start_ts,
            "callAnswerTs": self.answer_ts,
            "callEndTs": self.end_ts,
            "callDuration": self.duration,
            "callAudioUrl": "",
            "hangupCause": "NORMAL_CLEARING" if self.answered else "NO_ANSWER",
            "termSipCode": "200" if self.answered else "480",
            "intents": self.intents,
            "sms": [],
            "params": [],
        }


@dataclass(eq=False, slots=True)  # slots: less memory per order, of which there may be millions
class Order:
    order_id: str
    user_task_id: str
    user_phone: str = ""
    user_name: str = ""
    customer_name: str = ""
    other: str = ""
    params: list[dict[str, Any]] = field(default_factory=list)
    batch: int = 1
    order_callback_url: str = ""
    call_callback_url: str = ""
    state: OrderState = OrderState.UNDIALED
    data_deleted: bool = False
    calls: list[Call] = field(default_factory=list)


@dataclass(eq=False)
class Task:
    user_task_id: str
    task_id: str
    scene_id: str
    created_ts: int
    owner: str = ""  # the uuid of the account that created it
    status: TaskStatus = TaskStatus.PENDING
    setting: dict[str, Any] = field(default_factory=dict)
    func_flag: dict[str, Any] = field(default_factory=dict)
    task_callback_url: str = ""
    order_callback_url: str = ""
    batch: int = 0
    #: Every order of the task, in import order; ``listed`` are those whose data is not deleted.
    orders: dict[str, Order] = field(default_factory=dict)
    listed: dict[str, Order] = field(default_factory=dict)
    finished: dict[str, Order] = field(default_factory=dict)
    #: Every call of the task's orders, in the order they were made (calls are never removed).
    calls: list[tuple[Order, Call]] = field(default_factory=list)
    #: Statistics kept as orders and calls change (listTask, the task callback).
    answered_orders: int = 0
    answered_calls: int = 0
    #: Dialer bookkeeping: undialed orders in import order, redials as (due time, sequence, orderID).
    queue: deque[str] = field(default_factory=deque)
    redials: list[tuple[float, int, str]] = field(default_factory=list)
    next_dial_ts: float = 0.0
    #: Set while an operation works through the task in chunks (deleting or dropping undialed orders):
    #: other writes to the task are refused with 7 (busy), and the dialer does not complete it meanwhile.
    busy: bool = False

    @property
    def order_ids(self) -> list[str]:
        return list(self.orders)


# Which mgrTaskStatus operation moves a task from which statuses to which. Sandbox: a manual finish gives
# 4 (finished); 3 (completed) is what a task reaches when every order is done.
TRANSITIONS: dict[int, tuple[frozenset[TaskStatus], TaskStatus]] = {
    1: (frozenset({TaskStatus.PENDING, TaskStatus.PAUSED}), TaskStatus.RUNNING),
    2: (frozenset({TaskStatus.RUNNING}), TaskStatus.PAUSED),
    3: (frozenset({TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.PAUSED}), TaskStatus.FINISHED),
}
_OPERATION_NAMES = {1: "start", 2: "pause", 3: "finish"}


class AccountState:
    """One account's tasks and orders: nothing here refers to another account."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.tasks: dict[str, Task] = {}
        self.orders: dict[str, Order] = {}
        self.task_numbers = itertools.count(100001)


class _MergedView(Mapping[str, Any]):
    """Read-only view of one kind of object over every account (inspection in tests and tools): the first
    account holding a key wins. Requests never use it; they see only their own account's store."""

    def __init__(self, state: SandboxState, attribute: str) -> None:
        self._state, self._attribute = state, attribute

    def _maps(self) -> Iterator[dict[str, Any]]:
        for account in self._state.accounts.values():
            yield getattr(account, self._attribute)

    def __getitem__(self, key: str) -> Any:
        for mapping in self._maps():
            if key in mapping:
                return mapping[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for mapping in self._maps():
            for key in mapping:
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


class SandboxState:
    def __init__(self) -> None:
        self.accounts: dict[str, AccountState] = {}
        #: Running tasks of every account: the dialer visits only these.
        self.running: dict[int, Task] = {}
        self._sequence = itertools.count()
        #: Status changes since the last look, in order (a task status callback is sent for each).
        self.status_changes: list[tuple[Task, TaskStatus]] = []
        #: Inspection only (tests, tools): every account's tasks and orders, see _MergedView.
        self.tasks: Mapping[str, Task] = _MergedView(self, "tasks")
        self.orders: Mapping[str, Order] = _MergedView(self, "orders")

    def account(self, owner: str) -> AccountState:
        store = self.accounts.get(owner)
        if store is None:
            store = self.accounts[owner] = AccountState(owner)
        return store

    def _orders_of_task(self, task: Task) -> dict[str, Order]:
        return self.account(task.owner).orders

    # --- tasks -------------------------------------------------------------------------------------

    def create_task(self, user_task_id: str, scene_id: str, now: int, owner: str = "", **details: Any) -> Task:
        store = self.account(owner)
        if user_task_id in store.tasks:
            raise RequestRejected(BAD_VALUE, f"userTaskID {user_task_id} already exists: choose a new one", state=True)
        task = Task(user_task_id, f"T{next(store.task_numbers)}", scene_id, now, owner, **details)
        store.tasks[user_task_id] = task
        return task

    def task(self, user_task_id: str, owner: str | None = None) -> Task:
        """The task ``user_task_id`` of ``owner`` (None: of any account, for inspection)."""
        task = self.tasks.get(user_task_id) if owner is None else self.account(owner).tasks.get(user_task_id)
        if task is None:  # another account's task is not there: the same answer as a missing one
            raise RequestRejected(BAD_VALUE, f"task {user_task_id} does not exist", state=True)
        return task

    def set_status(self, task: Task, status: TaskStatus) -> None:
        if task.status is not status:
            task.status = status
            if status is TaskStatus.RUNNING:
                self.running[id(task)] = task
            else:
                self.running.pop(id(task), None)
            self.status_changes.append((task, status))

    def operate(self, task: Task, operation: int, now: float) -> Task:
        allowed_from, target = TRANSITIONS[operation]
        if task.status not in allowed_from:
            name = _OPERATION_NAMES[operation]
            raise RequestRejected(
                BAD_VALUE, f"cannot {name} task {task.user_task_id}: it is {task.status.name.lower()}", state=True
            )
        if target is TaskStatus.RUNNING:
            task.next_dial_ts = max(task.next_dial_ts, now)
        self.set_status(task, target)
        return task

    def update_task(self, task: Task, setting: dict[str, Any] | None, func_flag: dict[str, Any] | None) -> Task:
        if task.status not in (TaskStatus.PENDING, TaskStatus.PAUSED):
            status = task.status.name.lower()
            raise RequestRejected(
                BAD_VALUE, f"task {task.user_task_id} is {status}: only a paused or pending task can change", state=True
            )
        task.setting.update(setting or {})
        task.func_flag.update(func_flag or {})
        return task

    def orders_of(self, user_task_id: str, owner: str | None = None) -> list[Order]:
        """Every order of the task, in import order (``owner`` None: the first account that has the task)."""
        try:
            return list(self.task(user_task_id, owner).orders.values())
        except RequestRejected:
            return []

    def task_stat(self, task: Task) -> dict[str, Any]:
        """As a TaskStat; O(1), from counters kept as orders and calls change."""
        total, finished, calls = len(task.orders), len(task.finished), len(task.calls)
        return {
            "answerOrderCount": task.answered_orders,
            "finishOrderCount": finished,
            "totalOrderCount": total,
            "finishRate": round(finished / total, 2) if total else 0.0,
            "totalAnswerCall": task.answered_calls,
            "totalCall": calls,
            "answerRate": round(task.answered_calls / calls, 2) if calls else 0.0,
        }

    # --- orders ------------------------------------------------------------------------------------

    def import_orders(self, task: Task, call_info_list: dict[str, Any], *, new_batch: bool) -> list[tuple[str, str]]:
        """Add the orders of ``call_info_list`` to ``task``; return (orderID, reason) of those refused.

        A new batch (importBatchCall) first drops the undialed orders of the task's previous batches. (The
        importBatchCall operation does the same in steps: begin_batch, take_queue, drop_undialed, add_orders.)
        """
        self.begin_batch(task, new_batch=new_batch)
        if new_batch:
            self.drop_undialed(task, self.take_queue(task))
        return self.add_orders(task, call_info_list)

    def begin_batch(self, task: Task, *, new_batch: bool) -> None:
        """Refuse an import into a completed or finished task; count a new batch."""
        if task.status in (TaskStatus.COMPLETED, TaskStatus.FINISHED):
            status = task.status.name.lower()
            raise RequestRejected(
                BAD_VALUE, f"task {task.user_task_id} is {status}: create a new task for more orders", state=True
            )
        if new_batch or task.batch == 0:
            task.batch += 1

    @staticmethod
    def take_queue(task: Task) -> deque[str]:
        """The dial queue, taken off the task (every undialed order is in it, in import order; the dialer
        skips the others): what the caller stops or drops is dialed no more."""
        queue, task.queue = task.queue, deque()
        return queue

    def drop_undialed(self, task: Task, order_ids: Iterable[str]) -> None:
        """Forget the undialed orders among ``order_ids`` (a new batch replaces them)."""
        orders = self._orders_of_task(task)
        for order_id in order_ids:
            order = task.orders.get(order_id)
            if order is not None and order.state is OrderState.UNDIALED:
                del orders[order_id], task.orders[order_id]
                task.listed.pop(order_id, None)

    def add_orders(self, task: Task, call_info_list: dict[str, Any]) -> list[tuple[str, str]]:
        """Add the orders of ``call_info_list`` to the task's current batch; return those refused."""
        orders = self._orders_of_task(task)
        refused: list[tuple[str, str]] = []
        order_callback_url, call_callback_url = call_info_list["orderCallbackUrl"], call_info_list["callCallbackUrl"]
        batch = task.batch
        for item in call_info_list["callList"]:
            order_id = item["orderID"]
            if order_id in orders:
                refused.append((order_id, "orderID already exists"))
                continue
            order = Order(
                order_id,
                task.user_task_id,
                item["userPhone"],
                item.get("userName") or "",
                item.get("customerName") or "",
                item.get("other") or "",
                item.get("params") or [],
                batch,
                order_callback_url,
                call_callback_url,
            )
            orders[order_id] = task.orders[order_id] = task.listed[order_id] = order
            task.queue.append(order_id)
        return refused

    def stop(self, task: Task, order_ids: list[str], delete_undialed: bool) -> list[tuple[str, str]]:
        """Stop the undialed orders among ``order_ids`` for good; return (orderID, reason) of the others."""
        refused: list[tuple[str, str]] = []
        for order_id in order_ids:
            order = task.orders.get(order_id)
            if order is None:
                refused.append((order_id, f"order not found in task {task.user_task_id}"))
            elif order.state is OrderState.STOPPED:
                refused.append((order_id, "order already stopped"))
            elif order.state is not OrderState.UNDIALED:
                refused.append((order_id, f"order already {order.state.value}, it can no longer be stopped"))
            else:
                order.state = OrderState.STOPPED
                if delete_undialed:
                    order.data_deleted = True
                    task.listed.pop(order_id, None)
        return refused

    def record_call(self, task: Task, order: Order, call: Call, *, finished: bool) -> None:
        """Add ``call`` to ``order`` and keep the task's indexes and counters in step."""
        if call.answered and not any(c.answered for c in order.calls):
            task.answered_orders += 1
        task.answered_calls += call.answered
        order.calls.append(call)
        task.calls.append((order, call))
        if finished:
            order.state = OrderState.FINISHED
            task.finished[order.order_id] = order
        else:
            order.state = OrderState.DIALED

    def schedule_redial(self, task: Task, order: Order, due: float) -> None:
        heapq.heappush(task.redials, (due, next(self._sequence), order.order_id))

    def order_info(self, order: Order, task: Task | None = None) -> dict[str, Any]:
        """As an OrderInfo (``task``: the order's task, looked up when not given)."""
        if task is None:
            task = self.tasks.get(order.user_task_id)
        return {
            "orderID": order.order_id,
            "userPhone": order.user_phone,
            "userName": order.user_name,
            "sceneID": task.scene_id if task else "",
            "userTaskID": order.user_task_id,
            "taskID": task.task_id if task else "",
            "finish": order.state is OrderState.FINISHED,
            "other": order.other,
        }
