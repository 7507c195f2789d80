"""The sandbox's in-memory world: tasks keyed by userTaskID, orders keyed by orderID, and their calls."""

from __future__ import annotations

import enum
import itertools
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
    DIALED = "dialed"  # called at least once, may be redialed; can no longer be stopped
    FINISHED = "finished"  # no more calls will be made
    STOPPED = "stopped"  # stopped by stopOrder before any call: irreversible


@dataclass
class Call:
    call_id: str
    status: int  # the sandbox's codes: 1 answered, 2 no answer, 3 busy, 4 failed
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


@dataclass
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


@dataclass
class Task:
    user_task_id: str
    task_id: str
    scene_id: str
    created_ts: int
    status: TaskStatus = TaskStatus.PENDING
    setting: dict[str, Any] = field(default_factory=dict)
    func_flag: dict[str, Any] = field(default_factory=dict)
    task_callback_url: str = ""
    order_callback_url: str = ""
    batch: int = 0


# Which mgrTaskStatus operation moves a task from which statuses to which.
TRANSITIONS: dict[int, tuple[frozenset[TaskStatus], TaskStatus]] = {
    1: (frozenset({TaskStatus.PENDING, TaskStatus.PAUSED}), TaskStatus.RUNNING),
    2: (frozenset({TaskStatus.RUNNING}), TaskStatus.PAUSED),
    3: (frozenset({TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.PAUSED}), TaskStatus.COMPLETED),
}
_OPERATION_NAMES = {1: "start", 2: "pause", 3: "finish"}


class SandboxState:
    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self.orders: dict[str, Order] = {}
        self._task_numbers = itertools.count(100001)

    # --- tasks -------------------------------------------------------------------------------------

    def create_task(self, user_task_id: str, scene_id: str, now: int, **details: Any) -> Task:
        if user_task_id in self.tasks:
            raise RequestRejected(BAD_VALUE, f"userTaskID {user_task_id} already exists: choose a new one")
        task = Task(user_task_id, f"T{next(self._task_numbers)}", scene_id, now, **details)
        self.tasks[user_task_id] = task
        return task

    def task(self, user_task_id: str) -> Task:
        task = self.tasks.get(user_task_id)
        if task is None:
            raise RequestRejected(BAD_VALUE, f"task {user_task_id} does not exist")
        return task

    def operate(self, user_task_id: str, operation: int) -> Task:
        task = self.task(user_task_id)
        allowed_from, target = TRANSITIONS[operation]
        if task.status not in allowed_from:
            raise RequestRejected(
                BAD_VALUE, f"cannot {_OPERATION_NAMES[operation]} task {user_task_id}: it is {task.status.name.lower()}"
            )
        task.status = target
        return task

    def update_task(self, user_task_id: str, setting: dict[str, Any] | None, func_flag: dict[str, Any] | None) -> Task:
        task = self.task(user_task_id)
        if task.status not in (TaskStatus.PENDING, TaskStatus.PAUSED):
            raise RequestRejected(
                BAD_VALUE,
                f"task {user_task_id} is {task.status.name.lower()}: only a paused or pending task can change",
            )
        task.setting.update(setting or {})
        task.func_flag.update(func_flag or {})
        return task

    def orders_of(self, user_task_id: str) -> list[Order]:
        return [order for order in self.orders.values() if order.user_task_id == user_task_id]

    def task_stat(self, user_task_id: str) -> dict[str, Any]:
        orders = self.orders_of(user_task_id)
        calls = [call for order in orders for call in order.calls]
        total, finished = len(orders), sum(order.state is OrderState.FINISHED for order in orders)
        answered_orders = sum(any(call.answered for call in order.calls) for order in orders)
        answered_calls = sum(call.answered for call in calls)
        return {
            "answerOrderCount": answered_orders,
            "finishOrderCount": finished,
            "totalOrderCount": total,
            "finishRate": round(finished / total, 2) if total else 0.0,
            "totalAnswerCall": answered_calls,
            "totalCall": len(calls),
            "answerRate": round(answered_calls / len(calls), 2) if calls else 0.0,
        }

    # --- orders ------------------------------------------------------------------------------------

    def import_orders(self, task: Task, call_info_list: dict[str, Any], *, new_batch: bool) -> list[tuple[str, str]]:
        """Add the orders of ``call_info_list`` to ``task``; return (orderID, reason) of those refused.

        A new batch (importBatchCall) first drops the undialed orders of the task's previous batches.
        """
        if new_batch or task.batch == 0:
            task.batch += 1
        if new_batch:
            for order in self.orders_of(task.user_task_id):
                if order.state is OrderState.UNDIALED:
                    del self.orders[order.order_id]
        refused: list[tuple[str, str]] = []
        for item in call_info_list["callList"]:
            order_id = item["orderID"]
            if order_id in self.orders:
                refused.append((order_id, "orderID already exists"))
                continue
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
        return refused

    def stop(self, user_task_id: str, order_ids: list[str], delete_undialed: bool) -> list[tuple[str, str]]:
        """Stop the undialed orders among ``order_ids`` for good; return (orderID, reason) of the others."""
        refused: list[tuple[str, str]] = []
        for order_id in order_ids:
            order = self.orders.get(order_id)
            if order is None or order.user_task_id != user_task_id:
                refused.append((order_id, f"order not found in task {user_task_id}"))
            elif order.state is OrderState.STOPPED:
                refused.append((order_id, "order already stopped"))
            elif order.state is not OrderState.UNDIALED:
                refused.append((order_id, f"order already {order.state.value}, it can no longer be stopped"))
            else:
                order.state = OrderState.STOPPED
                order.data_deleted = delete_undialed
        return refused

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
