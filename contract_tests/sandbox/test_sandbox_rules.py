"""A hypothesis state machine over the task and order operations: through the signed HTTP API, the
sandbox never breaks the rules the wiki states (or, where it is silent, the sandbox's own)."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import pytest
from callbot_sandbox import Account, OrderState, Sandbox, TaskStatus
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.state import TRANSITIONS
from callbot_signing import CallbotAuth
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from starlette.testclient import TestClient  # an httpx.Client that calls the ASGI app in-process

pytestmark = pytest.mark.contract

ACCOUNT = Account("rules-uuid", "rules-secret")
TASKS = st.sampled_from(["t-a", "t-b"])
ORDER_IDS = st.lists(st.sampled_from([f"o-{n}" for n in range(8)]), min_size=1, max_size=4)
API = "/callcentre/api/v3/"


class SandboxRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_800_000_000), seed=3)
        self.http = TestClient(self.sandbox.asgi_app(), base_url="http://sandbox.local")
        self.auth = CallbotAuth(ACCOUNT.uuid, ACCOUNT.secret_key, raise_on_error=False)
        self.calls_seen: dict[str, int] = {}

    def post(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = self.http.post(
            API + operation, json={"productID": "callbot", **body}, auth=self.auth
        ).json()
        return reply

    def status(self, user_task_id: str) -> TaskStatus | None:
        task = self.sandbox.state.tasks.get(user_task_id)
        return task.status if task else None

    @rule(task=TASKS, max_call=st.integers(1, 3))
    def create_task(self, task: str, max_call: int) -> None:
        existed = task in self.sandbox.state.tasks
        reply = self.post(
            "createTask", {"userTaskID": task, "sceneID": "s", "taskCreateSetting": {"maxCall": max_call}}
        )
        assert reply["retCode"] == (4 if existed else 0), reply  # a duplicate userTaskID is refused

    @rule(task=TASKS, order_ids=ORDER_IDS, new_batch=st.booleans())
    def import_orders(self, task: str, order_ids: list[str], new_batch: bool) -> None:
        before = dict(self.sandbox.state.orders)
        batch = {
            "orderCallbackUrl": "",
            "callCallbackUrl": "",
            "callList": [{"orderID": o, "userPhone": "8613800000000"} for o in order_ids],
        }
        reply = self.post(
            "importBatchCall" if new_batch else "addBatchCall", {"userTaskID": task, "callInfoList": batch}
        )
        if self.status(task) in (None, TaskStatus.COMPLETED, TaskStatus.FINISHED):
            assert reply["retCode"] == 4  # no such task, or one that is over
            return
        assert reply["retCode"] == 0 and reply["totalCount"] == len(order_ids)
        expected = []
        for n, order_id in enumerate(order_ids):
            duplicate = order_id in order_ids[:n]
            dropped = (
                new_batch
                and order_id in before
                and before[order_id].user_task_id == task
                and before[order_id].state is OrderState.UNDIALED
            )
            if duplicate or (order_id in before and not dropped):
                expected.append(order_id)
        assert [e["orderID"] for e in reply["errList"]] == expected, reply  # orderIDs are unique
        if new_batch:  # the previous batch's undialed orders are gone, its dialed ones kept
            for order_id, order in before.items():
                if order.user_task_id == task:
                    kept = order_id in self.sandbox.state.orders and self.sandbox.state.orders[order_id] is order
                    assert kept == (order.state is not OrderState.UNDIALED)

    @rule(task=TASKS, operation=st.sampled_from([1, 2, 3]))
    def operate(self, task: str, operation: int) -> None:
        before = self.status(task)
        reply = self.post("mgrTaskStatus", {"userTaskID": task, "taskOperate": operation})
        allowed_from, target = TRANSITIONS[operation]
        if before is not None and before in allowed_from:
            assert (reply["retCode"], reply["taskStatus"]) == (0, target)
        else:
            assert reply["retCode"] == 4 and self.status(task) == before

    @rule(task=TASKS)
    def update(self, task: str) -> None:
        before = self.status(task)
        reply = self.post("updateTask", {"userTaskID": task, "funcFlag": {"smsEnable": True}})
        assert (reply["retCode"] == 0) == (before in (TaskStatus.PENDING, TaskStatus.PAUSED))

    @rule(task=TASKS, order_ids=ORDER_IDS, delete=st.booleans())
    def stop(self, task: str, order_ids: list[str], delete: bool) -> None:
        states = {
            o: (self.sandbox.state.orders[o].state if o in self.sandbox.state.orders else None) for o in order_ids
        }
        owners = {o: self.sandbox.state.orders[o].user_task_id for o in order_ids if o in self.sandbox.state.orders}
        reply = self.post("stopOrder", {"userTaskID": task, "orderIDs": order_ids, "delCall": int(delete)})
        if self.status(task) is None:  # an unknown task: 4, as for every task operation
            assert (reply["retCode"], reply["errList"]) == (4, [])
            return
        assert reply["retCode"] == 0
        refused = [e["orderID"] for e in reply["errList"]]
        assert reply["totalCount"] == len(order_ids) == reply["successCount"] + len(refused)

        def stoppable(order_id: str) -> bool:
            return states[order_id] is OrderState.UNDIALED and owners.get(order_id) == task

        # Only undialed orders of this task are stopped, each once; a repeat in the list is refused.
        expected = [o for n, o in enumerate(order_ids) if o in order_ids[:n] or not stoppable(o)]
        assert refused == expected, reply
        for order_id in order_ids:
            if stoppable(order_id):
                assert self.sandbox.state.orders[order_id].state is OrderState.STOPPED

    @rule(seconds=st.sampled_from([1, 30, 90]))
    def advance(self, seconds: int) -> None:
        self.sandbox.advance(seconds)

    @invariant()
    def orders_obey_their_state(self) -> None:
        for order in self.sandbox.state.orders.values():
            task = self.sandbox.state.tasks[order.user_task_id]
            max_calls = max(1, int(task.setting.get("maxCall") or 1))
            assert len(order.calls) <= max_calls
            if order.state in (OrderState.UNDIALED, OrderState.STOPPED):
                assert not order.calls  # a stopped order is never dialed
            seen = self.calls_seen.get(order.order_id, 0)
            assert len(order.calls) >= seen  # calls are never lost
            self.calls_seen[order.order_id] = len(order.calls)

    @invariant()
    def only_running_tasks_dial_and_completion_means_done(self) -> None:
        for task in self.sandbox.state.tasks.values():
            orders = self.sandbox.state.orders_of(task.user_task_id)
            if task.status is TaskStatus.COMPLETED:
                assert all(o.state in (OrderState.FINISHED, OrderState.STOPPED) for o in orders)
            if task.status is TaskStatus.PENDING:
                assert all(not o.calls for o in orders)


SandboxRules.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_the_sandbox_keeps_the_rules = SandboxRules.TestCase
