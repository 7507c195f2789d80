"""The sandbox's in-memory world: tasks keyed by userTaskID, orders keyed by orderID, and their calls.

What the wiki documents: the task statuses 1-5 and the operations start/pause/finish; updateTask only on
a paused or pending task; orderIDs globally unique; a new import batch drops the previous batch's undialed
orders; stopOrder stops undialed orders irreversibly. The sandbox's own choices are marked "sandbox:".
"""

from __future__ import annotations

import enum
import heapq
import itertools
from collections import deque
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

    def detail(self) -> dict[str, Any]:
        """As a CallInfoDetail."""
        return {
            "callID": self.call_id,
            "callStatus": self.status,
            "callStartTs": self.start_ts,
            "callAnswerTs": self.answer_ts,
            "callEndTs": self.end_ts,
            "callDuration": max(0, self.end_ts - self.answer_ts) if self.answered else 0,
            "callAudioUrl": "",
            "hangupCause": "NORMAL_CLEARING" if self.answered else "NO_ANSWER",
            "termSipCode": "200" if self.answered else "480",
            "intents": self.intents,
            "sms": [],
            "params": [],
        }


@dataclass(eq=False, slots=True)  # slots: about 10 % less memory per order
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
    order_ids: list[str] = field(default_factory=list)
    #: Dialer bookkeeping: undialed orders in import order, redials as (due time, sequence, orderID).
    queue: deque[str] = field(default_factory=deque)
    redials: list[tuple[float, int, str]] = field(default_factory=list)
    next_dial_ts: float = 0.0


# Which mgrTaskStatus operation moves a task from which statuses to which. Sandbox: a manual finish gives
# 4 (finished); 3 (completed) is what a task reaches when every order is done.
TRANSITIONS: dict[int, tuple[frozenset[TaskStatus], TaskStatus]] = {
    1: (frozenset({TaskStatus.PENDING, TaskStatus.PAUSED}), TaskStatus.RUNNING),
    2: (frozenset({TaskStatus.RUNNING}), TaskStatus.PAUSED),
    3: (frozenset({TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.PAUSED}), TaskStatus.FINISHED),
}
_OPERATION_NAMES = {1: "start", 2: "pause", 3: "finish"}


class SandboxState:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.orders: dict[str, Order] = {}
        self._task_numbers = itertools.count(100001)
        self._sequence = itertools.count()
        #: Status changes since the last look, in order (a task status callback is sent for each).
        self.status_changes: list[tuple[Task, TaskStatus]] = []

    # --- tasks -------------------------------------------------------------------------------------

    def create_task(self, user_task_id: str, scene_id: str, now: int, owner: str = "", **details: Any) -> Task:
        if user_task_id in self.tasks:
            raise RequestRejected(BAD_VALUE, f"userTaskID {user_task_id} already exists: choose a new one")
        task = Task(user_task_id, f"T{next(self._task_numbers)}", scene_id, now, owner, **details)
        self.tasks[user_task_id] = task
        return task

    def task(self, user_task_id: str, owner: str | None = None) -> Task:
        task = self.tasks.get(user_task_id)
        if task is None or (owner is not None and task.owner != owner):  # another account's task is not there
            raise RequestRejected(BAD_VALUE, f"task {user_task_id} does not exist")
        return task

    def set_status(self, task: Task, status: TaskStatus) -> None:
        if task.status is not status:
            task.status = status
            self.status_changes.append((task, status))

    def operate(self, task: Task, operation: int, now: float) -> Task:
        allowed_from, target = TRANSITIONS[operation]
        if task.status not in allowed_from:
            name = _OPERATION_NAMES[operation]
            raise RequestRejected(
                BAD_VALUE, f"cannot {name} task {task.user_task_id}: it is {task.status.name.lower()}"
            )
        if target is TaskStatus.RUNNING:
            task.next_dial_ts = max(task.next_dial_ts, now)
        self.set_status(task, target)
        return task

    def update_task(self, task: Task, setting: dict[str, Any] | None, func_flag: dict[str, Any] | None) -> Task:
        if task.status not in (TaskStatus.PENDING, TaskStatus.PAUSED):
            status = task.status.name.lower()
            raise RequestRejected(
                BAD_VALUE, f"task {task.user_task_id} is {status}: only a paused or pending task can change"
            )
        task.setting.update(setting or {})
        task.func_flag.update(func_flag or {})
        return task

    def orders_of(self, user_task_id: str) -> list[Order]:
        task = self.tasks.get(user_task_id)
        return [self.orders[order_id] for order_id in task.order_ids] if task else []

    def task_stat(self, task: Task) -> dict[str, Any]:
        orders = self.orders_of(task.user_task_id)
        total = len(orders)
        finished = answered_orders = calls = answered_calls = 0
        for order in orders:
            finished += order.state is OrderState.FINISHED
            answered = sum(call.answered for call in order.calls)
            answered_orders += answered > 0
            calls += len(order.calls)
            answered_calls += answered
        return {
            "answerOrderCount": answered_orders,
            "finishOrderCount": finished,
            "totalOrderCount": total,
            "finishRate": round(finished / total, 2) if total else 0.0,
            "totalAnswerCall": answered_calls,
            "totalCall": calls,
            "answerRate": round(answered_calls / calls, 2) if calls else 0.0,
        }

    # --- orders ------------------------------------------------------------------------------------

    def import_orders(self, task: Task, call_info_list: dict[str, Any], *, new_batch: bool) -> list[tuple[str, str]]:
        """Add the orders of ``call_info_list`` to ``task``; return (orderID, reason) of those refused.

        A new batch (importBatchCall) first drops the undialed orders of the task's previous batches.
        """
        if task.status in (TaskStatus.COMPLETED, TaskStatus.FINISHED):
            status = task.status.name.lower()
            raise RequestRejected(BAD_VALUE, f"task {task.user_task_id} is {status}: create a new task for more orders")
        if new_batch or task.batch == 0:
            task.batch += 1
        if new_batch:
            dropped = {i for i in task.order_ids if self.orders[i].state is OrderState.UNDIALED}
            for order_id in dropped:
                del self.orders[order_id]
            task.order_ids = [i for i in task.order_ids if i not in dropped]
            task.queue = deque(i for i in task.queue if i not in dropped)
        refused: list[tuple[str, str]] = []
        seen: set[str] = set()
        for item in call_info_list["callList"]:
            order_id = item["orderID"]
            if order_id in self.orders or order_id in seen:
                refused.append((order_id, "orderID already exists"))
                continue
            seen.add(order_id)
            self.orders[order_id] = Order(
                order_id=order_id,
                user_task_id=task.user_task_id,
                user_phone=item["userPhone"],
                user_name=item.get("userName") or "",
                customer_name=item.get("customerName") or "",
                other=item.get("other") or "",
                params=item.get("params") or [],
                batch=task.batch,
                order_callback_url=call_info_list["orderCallbackUrl"],
                call_callback_url=call_info_list["callCallbackUrl"],
            )
            task.order_ids.append(order_id)
            task.queue.append(order_id)
        return refused

    def stop(self, task: Task, order_ids: list[str], delete_undialed: bool) -> list[tuple[str, str]]:
        """Stop the undialed orders among ``order_ids`` for good; return (orderID, reason) of the others."""
        refused: list[tuple[str, str]] = []
        for order_id in order_ids:
            order = self.orders.get(order_id)
            if order is None or order.user_task_id != task.user_task_id:
                refused.append((order_id, f"order not found in task {task.user_task_id}"))
            elif order.state is OrderState.STOPPED:
                refused.append((order_id, "order already stopped"))
            elif order.state is not OrderState.UNDIALED:
                refused.append((order_id, f"order already {order.state.value}, it can no longer be stopped"))
            else:
                order.state = OrderState.STOPPED
                order.data_deleted = delete_undialed
        return refused

    def schedule_redial(self, task: Task, order: Order, due: float) -> None:
        heapq.heappush(task.redials, (due, next(self._sequence), order.order_id))

    def order_info(self, order: Order) -> dict[str, Any]:
        """As an OrderInfo."""
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
