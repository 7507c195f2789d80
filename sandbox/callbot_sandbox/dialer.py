"""The simulated dialer: dials the orders of running tasks on a clock, deterministically from a seed.

Everything here is the sandbox's own choice (the wiki documents no dialing behaviour): each running task
dials ``calls_per_second`` orders per second in import order; a call is answered, unanswered or busy at
random; an unanswered order is redialed ``redial_interval`` seconds later until it has had the task's
``maxCall`` calls (taskCreateSetting.maxCall, default 1). A task whose orders are all done is completed (3);
orders can no longer be added to it.
"""

from __future__ import annotations

import heapq
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .state import Call, Order, OrderState, SandboxState, Task, TaskStatus

INTENTS = [
    {"intentID": "intent-interested", "intentTag": "A", "intentName": "interested", "intentLevel": 1},
    {"intentID": "intent-call-back", "intentTag": "B", "intentName": "call back later", "intentLevel": 2},
    {"intentID": "intent-declined", "intentTag": "C", "intentName": "not interested", "intentLevel": 3},
]
ANSWERED, NO_ANSWER, BUSY = 1, 2, 3


@dataclass(frozen=True)
class DialerSettings:
    calls_per_second: float = 5.0
    ring_seconds: int = 5
    redial_interval: int = 60
    answer_probability: float = 0.6
    busy_probability: float = 0.1


class VirtualClock:
    """Simulation time that moves only when told to (tests), starting from ``start``."""

    def __init__(self, start: float) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the virtual clock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now


class Dialer:
    """Dials due orders up to a point in simulation time; reports calls and finished orders to ``on_call``."""

    def __init__(
        self,
        state: SandboxState,
        on_call: Callable[[Task, Order, Call], None],
        *,
        seed: int = 0,
        settings: DialerSettings | None = None,
    ) -> None:
        self.state = state
        self.on_call = on_call
        self.rng = random.Random(seed)
        self.settings = settings or DialerSettings()
        self._call_numbers = 0

    def run_until(self, now: float) -> None:
        for task in list(self.state.tasks.values()):
            if task.status is TaskStatus.RUNNING:
                self._run_task(task, now)

    def _run_task(self, task: Task, now: float) -> None:
        step = 1.0 / self.settings.calls_per_second
        while task.status is TaskStatus.RUNNING and task.next_dial_ts <= now:
            order = self._next_due(task, task.next_dial_ts)
            if order is not None:
                self._dial(task, order, task.next_dial_ts)
                task.next_dial_ts += step
            elif task.redials:  # only redials left: skip ahead to the first one
                task.next_dial_ts = max(task.next_dial_ts, task.redials[0][0])
            else:  # every order is done (a task without orders waits for some)
                if task.order_ids:
                    self.state.set_status(task, TaskStatus.COMPLETED)
                break

    def _next_due(self, task: Task, at: float) -> Order | None:
        while task.queue:
            order = self.state.orders.get(task.queue.popleft())
            if order is not None and order.state is OrderState.UNDIALED:
                return order
        while task.redials and task.redials[0][0] <= at:
            _, _, order_id = heapq.heappop(task.redials)
            order = self.state.orders.get(order_id)
            if order is not None and order.state is OrderState.DIALED:
                return order
        return None

    def _dial(self, task: Task, order: Order, at: float) -> None:
        self._call_numbers += 1
        roll = self.rng.random()
        start = int(at)
        intents: list[dict[str, Any]] = []
        if roll < self.settings.answer_probability:
            status, answer = ANSWERED, start + self.settings.ring_seconds
            end = answer + self.rng.randint(15, 180)
            intents = [dict(self.rng.choice(INTENTS))]
        else:
            busy = roll < self.settings.answer_probability + self.settings.busy_probability
            status, answer = (BUSY if busy else NO_ANSWER), 0
            end = start + (2 if busy else int(task.setting.get("maxRingTime") or 30))
        call = Call(f"{task.task_id}-C{self._call_numbers}", status, start, answer, end, intents)
        order.calls.append(call)
        max_calls = max(1, int(task.setting.get("maxCall") or 1))
        if call.answered or len(order.calls) >= max_calls:
            order.state = OrderState.FINISHED
        else:
            order.state = OrderState.DIALED
            self.state.schedule_redial(task, order, end + self.settings.redial_interval)
        self.on_call(task, order, call)
