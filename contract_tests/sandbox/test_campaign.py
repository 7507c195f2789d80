"""A whole campaign against the stateful sandbox: create, import 1,000 orders, start, let the virtual
clock run, stop half, list, and receive every callback at a local receiver that verifies it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from callbot_client.api.batches import export_batch_call
from callbot_client.api.orders import add_batch_call, list_order, stop_order
from callbot_client.api.tasks import create_task, list_task, mgr_task_status
from callbot_client.models import (
    AddBatchCallRequest,
    CallInfoList,
    CallOrder,
    CreateTaskRequest,
    ExportBatchCallRequest,
    ListOrderOptions,
    ListOrderRequest,
    ListTaskConditions,
    ListTaskRequest,
    MgrTaskStatusRequest,
    StopOrderRequest,
    TaskCreateSetting,
    TaskOperate,
)
from callbot_sandbox import Account, OrderState, Sandbox, TaskStatus, serve_in_thread
from callbot_sandbox.callbacks import CallbackSender
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.spec import check_schema
from callbot_signing import SignatureError, connect, parse_webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

pytestmark = pytest.mark.contract

ACCOUNT = Account("campaign-account", "campaign-secret", "SHA256")
SCHEMAS = {"call": "CallCallback", "order": "OrderCallback", "task": "TaskCallback"}


class Receiver:
    """A webhook receiver that verifies every delivery as a user's would; can fail the first N on purpose."""

    def __init__(self, fail_first: int = 0) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.rejected: list[str] = []
        self.fail_first = fail_first

    def app(self) -> Starlette:
        async def receive(request: Request) -> PlainTextResponse:
            kind = request.path_params["kind"]
            if self.fail_first > 0:
                self.fail_first -= 1
                return PlainTextResponse("try again later", status_code=503)
            body = await request.body()
            try:
                parse_webhook(
                    request.headers,
                    body,
                    uuid=ACCOUNT.uuid,
                    secret_key=ACCOUNT.secret_key,
                    algorithm=ACCOUNT.algorithm,
                    kind=kind,
                )
            except SignatureError as exc:
                self.rejected.append(str(exc))
                return PlainTextResponse(str(exc), status_code=400)
            self.events.append((kind, json.loads(body)))
            return PlainTextResponse("ok")

        return Starlette(routes=[Route("/hooks/{kind}", receive, methods=["POST"])])

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [payload for k, payload in self.events if k == kind]


def test_a_whole_campaign_with_1000_orders_and_verified_callbacks() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_800_000_000), seed=7)
    receiver = Receiver()
    with (
        serve_in_thread(receiver.app()) as hooks,
        serve_in_thread(sandbox.asgi_app()) as url,
        connect(url, ACCOUNT.uuid, ACCOUNT.secret_key, algorithm="SHA256") as client,
    ):
        setting = TaskCreateSetting(task_name="Winter", max_call=2, task_callback_url=f"{hooks}/hooks/task")
        create_task.sync(
            client=client, body=CreateTaskRequest(user_task_id="winter", scene_id="s-1", task_create_setting=setting)
        )
        orders = [CallOrder(order_id=f"w-{n:04}", user_phone=f"86138{n:08}") for n in range(1000)]
        batch = CallInfoList(
            order_callback_url=f"{hooks}/hooks/order", call_callback_url=f"{hooks}/hooks/call", call_list=orders
        )
        added = add_batch_call.sync_detailed(
            client=client, body=AddBatchCallRequest(user_task_id="winter", call_info_list=batch)
        )
        assert json.loads(added.content)["successCount"] == 1000
        mgr_task_status.sync(
            client=client, body=MgrTaskStatusRequest(user_task_id="winter", task_operate=TaskOperate.START)
        )

        sandbox.advance(60)  # 5 calls a second: about 300 orders dialed
        dialed = sum(1 for o in sandbox.state.orders.values() if o.calls)
        assert 250 <= dialed <= 310

        second_half = [f"w-{n:04}" for n in range(500, 1000)]
        stopped: Any = stop_order.sync(
            client=client, body=StopOrderRequest(user_task_id="winter", order_ids=second_half)
        )
        assert (stopped.total_count, stopped.success_count, stopped.err_list) == (500, 500, [])
        first: Any = stop_order.sync(client=client, body=StopOrderRequest(user_task_id="winter", order_ids=["w-0000"]))
        assert "can no longer be stopped" in first.err_list[0].err_msg

        for _ in range(10):  # let the rest of the first half be dialed, with redials a minute later
            sandbox.advance(120)
        task: Any = list_task.sync(
            client=client, body=ListTaskRequest(page=1, size=10, query_conditions=ListTaskConditions())
        )
        (info,) = task.task_data
        assert info.task_status == TaskStatus.COMPLETED
        page: Any = list_order.sync(
            client=client, body=ListOrderRequest(user_task_id="winter", options=ListOrderOptions(), page=1, size=1000)
        )
        assert page.total_count == 1000
        export: Any = export_batch_call.sync(client=client, body=ExportBatchCallRequest(user_task_id="winter"))

    orders_by_id = sandbox.state.orders
    first_half = [orders_by_id[f"w-{n:04}"] for n in range(500)]
    assert all(o.state is OrderState.FINISHED and 1 <= len(o.calls) <= 2 for o in first_half)
    assert all(o.state is OrderState.STOPPED and not o.calls for o in (orders_by_id[i] for i in second_half))
    redialed = [o for o in first_half if len(o.calls) == 2]
    assert redialed and all(not o.calls[0].answered for o in redialed)
    total_calls = sum(len(o.calls) for o in first_half)
    assert (info.task_stat.total_order_count, info.task_stat.finish_order_count) == (1000, 500)
    assert info.task_stat.total_call == total_calls == len(export.call_list)

    # Every callback arrived, signed, valid against the spec's webhook schemas.
    assert receiver.rejected == [] and sandbox.callbacks.failed == [] and not sandbox.callbacks.pending
    assert len(receiver.of("call")) == total_calls
    assert sorted(p["orderID"] for p in receiver.of("order")) == sorted(o.order_id for o in first_half)
    assert [p["taskStatus"] for p in receiver.of("task")] == [2, 3]
    for kind, payload in receiver.events:
        check_schema(f"#/components/schemas/{SCHEMAS[kind]}", payload)


def test_a_failed_callback_delivery_is_retried_once_the_virtual_clock_passes_its_delay() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_800_000_000), seed=1)
    receiver = Receiver(fail_first=1)
    with serve_in_thread(receiver.app()) as hooks:
        task = sandbox.state.create_task("t", "s", 0, ACCOUNT.uuid, task_callback_url=f"{hooks}/hooks/task")
        one_order = {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": [{"orderID": "x", "userPhone": "86"}]}
        sandbox.state.import_orders(task, one_order, new_batch=False)
        sandbox.state.operate(task, 1, 0)
        sandbox.advance(1)  # one order, one call: the task completes; its two callbacks are sent
        assert len(sandbox.callbacks.pending) == 1  # the first delivery got a 503
        sandbox.advance(1)  # the retry delay (1 s) passes on the sandbox's virtual clock
    # The retried "running" callback arrives after "completed": receivers must not assume order.
    assert [p["taskStatus"] for p in receiver.of("task")] == [3, 2]
    assert [d.attempts for d in sandbox.callbacks.delivered] == [1, 2]


def test_a_callback_retry_falls_due_on_the_senders_clock_not_the_wall_clock() -> None:
    now = [1000.0]
    sender = CallbackSender(clock=lambda: now[0])
    statuses = iter([503, 200])
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(next(statuses))))
    sender.enqueue(ACCOUNT, "task", "http://127.0.0.1:9/hooks/task", {"callbackType": 1})
    assert sender.flush(client) == 1  # a 503: to be tried again 1 s later
    assert sender.flush(client) == 1  # not due yet, however long the wall clock ran meanwhile
    now[0] += 1
    assert sender.flush(client) == 0 and [d.attempts for d in sender.delivered] == [2]


def test_callbacks_to_non_loopback_hosts_are_not_sent() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(0))
    task = sandbox.state.create_task("t", "s", 0, ACCOUNT.uuid, task_callback_url="http://192.0.2.10/hooks/task")
    sandbox.state.operate(task, 1, 0)
    assert sandbox.callbacks.refused == []
    sandbox.advance(1)  # announces "running"
    assert sandbox.callbacks.refused == ["http://192.0.2.10/hooks/task"]
    assert not sandbox.callbacks.pending and not sandbox.callbacks.delivered


def test_an_order_waiting_for_its_redial_cannot_be_stopped() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(0), seed=0)
    task = sandbox.state.create_task("t", "s", 0, ACCOUNT.uuid, setting={"maxCall": 3})
    batch = {
        "orderCallbackUrl": "",
        "callCallbackUrl": "",
        "callList": [{"orderID": f"r-{n}", "userPhone": "86"} for n in range(20)],
    }
    sandbox.state.import_orders(task, batch, new_batch=False)
    sandbox.state.operate(task, 1, 0)
    sandbox.advance(5)  # all 20 dialed once; the unanswered ones wait a minute for their redial
    waiting = [o.order_id for o in sandbox.state.orders_of("t") if o.state is OrderState.DIALED]
    assert waiting
    refused = sandbox.state.stop(task, waiting, delete_undialed=False)
    assert [order_id for order_id, _ in refused] == waiting
    assert all("can no longer be stopped" in reason for _, reason in refused)
