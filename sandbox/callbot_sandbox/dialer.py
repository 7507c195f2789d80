"""The simulated dialer: dials the orders of running tasks on a clock, deterministically from a seed.

Everything here is the sandbox's own choice (the wiki documents no dialing behaviour): each running task
dials ``calls_per_second`` orders per second in import order; a call is answered, unanswered or busy at
random; an unanswered order is redialed ``redial_interval`` seconds later until it has had the task's
``maxCall`` calls (taskCreateSetting.maxCall, default 1). A task whose orders are all done is completed (3);
orders can no longer be added to it. Each task draws from its own generator (seeded from the seed, the
account and the userTaskID), and numbers its own calls, so that no account's calls depend on another's.

A failure while dialing a task (a bug, a value the checks at the door missed) is logged and stays with that
task: the task is paused, and neither the request that happened to trigger the dialer nor any other task
or account sees it.
"""

from __future__ import annotations

import heapq
import logging
import random
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from .state import Call, Order, OrderState, SandboxState, Task, TaskStatus

INTENTS = [
    {"intentID": "intent-interested", "intentTag": "A", "intentName": "interested", "intentLevel": 1},
    {"intentID": "intent-call-back", "intentTag": "B", "intentName": "call back later", "intentLevel": 2},
    {"intentID": "intent-declined", "intentTag": "C", "intentName": "not interested", "intentLevel": 3},
]
ANSWERED, NO_ANSWER, BUSY = 1, 2, 3
#: Sandbox: an unanswered call rings for maxRingTime seconds, from 1 to this many (the setting may be any
#: 64-bit integer; the times it gives must stay 64-bit, and a call cannot end before it starts).
MAX_RING_SECONDS = 600
logger = logging.getLogger("callbot_sandbox.dialer")


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


class AccountClocks:
    """Each account's simulation time: a shared ``base`` clock (a VirtualClock, or the real clock) plus the
    seconds that account alone was moved on (``Sandbox.advance(seconds, account=...)``, the signed
    ``/_sandbox/advance``). Moving the base moves every account; an offset moves one, and no other account's
    tasks, calls or callbacks see it."""

    def __init__(self, base: Callable[[], float]) -> None:
        self.base = base
        self._offsets: dict[str, float] = {}
        self._lock = threading.Lock()

    def now(self, owner: str) -> float:
        """The simulation time of the account ``owner`` (its uuid)."""
        return self.base() + self._offsets.get(owner, 0.0)

    def frozen(self) -> Callable[[str], float]:
        """Each account's time as it is now: later moves of the shared clock are not seen."""
        base, offsets = self.base(), dict(self._offsets)
        return lambda owner: base + offsets.get(owner, 0.0)

    def advance(self, owner: str, seconds: float) -> float:
        """Move only ``owner``'s time on by ``seconds`` (0 or more); return its new time."""
        if not seconds >= 0:
            raise ValueError("an account's clock only moves forward")
        with self._lock:
            self._offsets[owner] = self._offsets.get(owner, 0.0) + seconds
        return self.now(owner)


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
        self.seed = seed
        self.settings = settings or DialerSettings()
        self._rngs: dict[int, random.Random] = {}

    def _rng(self, task: Task) -> random.Random:
        rng = self._rngs.get(id(task))
        if rng is None:
            rng = self._rngs[id(task)] = random.Random(f"{self.seed}/{task.owner}/{task.user_task_id}")
        return rng

    def run_until(
        self,
        now: float | Callable[[str], float],
        *,
        budget: int | None = None,
        owners: Collection[str] | None = None,
    ) -> bool:
        """Dial what is due by ``now`` (a time, or each account's time: a function of the task's owner), at
        most ``budget`` calls in all (None: no bound), only the tasks of ``owners`` if given; True when done."""
        left = [budget if budget is not None else -1]
        for task in list(self.state.running.values()):
            if owners is not None and task.owner not in owners:
                continue
            try:
                self._run_task(task, now if isinstance(now, float | int) else now(task.owner), left)
            except Exception:
                logger.exception("dialing task %r of %r failed: the task is paused", task.user_task_id, task.owner)
                self.state.set_status(task, TaskStatus.PAUSED)
            if left[0] == 0:
                return False
        return True

    def _run_task(self, task: Task, now: float, left: list[int]) -> None:
        step = 1.0 / self.settings.calls_per_second
        while task.status is TaskStatus.RUNNING and task.next_dial_ts <= now and left[0] != 0:
            order = self._next_due(task, task.next_dial_ts)
            if order is not None:
                left[0] -= 1
                task.next_dial_ts += step
                self._dial(task, order, task.next_dial_ts - step)
            elif task.redials:  # only redials left: skip ahead to the first one
                task.next_dial_ts = max(task.next_dial_ts, task.redials[0][0])
            else:  # every order is done (a task without orders, or one being rewritten, waits for some)
                if task.orders and not task.busy:
                    self.state.set_status(task, TaskStatus.COMPLETED)
                break

    def _next_due(self, task: Task, at: float) -> Order | None:
        while task.queue:
            order = task.orders.get(task.queue.popleft())
            if order is not None and order.state is OrderState.UNDIALED:
                return order
        while task.redials and task.redials[0][0] <= at:
            _, _, order_id = heapq.heappop(task.redials)
            order = task.orders.get(order_id)
            if order is not None and order.state is OrderState.DIALED:
                return order
        return None

    def _dial(self, task: Task, order: Order, at: float) -> None:
        rng = self._rng(task)
        roll = rng.random()
        start = int(at)
        intents: list[dict[str, Any]] = []
        if roll < self.settings.answer_probability:
            status, answer = ANSWERED, start + self.settings.ring_seconds
            end = answer + rng.randint(15, 180)
            intents = [dict(rng.choice(INTENTS))]
        else:
            busy = roll < self.settings.answer_probability + self.settings.busy_probability
            status, answer = (BUSY if busy else NO_ANSWER), 0
            ring = max(1, min(int(task.setting.get("maxRingTime") or 30), MAX_RING_SECONDS))
            end = start + (2 if busy else ring)
        call = Call(f"{task.task_id}-C{len(task.calls) + 1}", status, start, answer, end, intents)
        max_calls = max(1, int(task.setting.get("maxCall") or 1))
        finished = call.answered or len(order.calls) + 1 >= max_calls
        self.state.record_call(task, order, call, finished=finished)
        if not finished:
            self.state.schedule_redial(task, order, end + self.settings.redial_interval)
        self.on_call(task, order, call)
