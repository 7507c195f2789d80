"""An example of testing your own Callbot code with the sandbox fixtures of nxcloud-callbot (copy it).

Install ``nxcloud-callbot[sandbox]`` and pytest: the fixtures ``callbot_sandbox``, ``callbot`` and
``async_callbot`` are there, no conftest needed. The code under test is at the top (in a real project it lives
in your package): a campaign job that adds its orders in batches and survives a lost answer, a stop, and a
Starlette app that takes the order callbacks with ``WebhookReceiver``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from callbot_sandbox import CallbotSandbox
from nxcloud_callbot import AsyncCallbot, Callbot, CallbotError, Delivery, WebhookReceiver, find_existing_orders
from nxcloud_callbot.models import CallInfoList, CallOrder, OrderCallback, TaskOperate
from starlette.applications import Starlette
from starlette.routing import Mount

# --- your code ---------------------------------------------------------------------------------------------

CALLBACKS = "https://example.com/callbot"  # where your receiver is in production; the sandbox routes by path
BATCH = 100


def run_campaign(callbot: Callbot[Any], task: str, phones: Sequence[str]) -> list[str]:
    """Create the task, add one order per phone in batches of BATCH, start it; return the orderIDs."""
    callbot.create_task(user_task_id=task, scene_id="reminder", task_callback_url=f"{CALLBACKS}/task")
    order_ids = [f"{task}-{n}" for n in range(len(phones))]
    for start in range(0, len(phones), BATCH):
        batch = [
            CallOrder(order_id=order_id, user_phone=phone)
            for order_id, phone in zip(order_ids[start : start + BATCH], phones[start : start + BATCH], strict=True)
        ]
        add_batch(callbot, task, batch)
    callbot.mgr_task_status(user_task_id=task, task_operate=TaskOperate.START)
    return order_ids


def add_batch(callbot: Callbot[Any], task: str, batch: list[CallOrder]) -> None:
    """addBatchCall; when its answer is lost, ask which orders arrived and send the others again."""
    info = CallInfoList(call_list=batch, call_callback_url=f"{CALLBACKS}/call", order_callback_url=f"{CALLBACKS}/order")
    try:
        callbot.add_batch_call(user_task_id=task, call_info_list=info)
    except CallbotError as error:
        if not error.outcome_unknown:  # refused: nothing was added
            raise
        # carried out or not (a lost answer, a refusal nobody signed)? find out, never add an order twice
        there = find_existing_orders(callbot, task, [order.order_id for order in batch])
        missing = [order for order in batch if order.order_id not in there]
        if missing:
            info.call_list = missing
            callbot.add_batch_call(user_task_id=task, call_info_list=info)


def make_receiver(accounts: dict[str, tuple[str, str]]) -> tuple[Starlette, list[OrderCallback]]:
    """Your web app: the order callbacks under /callbot, kept in a list (your database, in real life)."""
    receiver = WebhookReceiver(accounts)
    finished: list[OrderCallback] = []

    @receiver.on("order")
    def order_finished(delivery: Delivery[OrderCallback]) -> None:
        finished.append(delivery.event)

    return Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())]), finished


# --- its tests ---------------------------------------------------------------------------------------------

PHONES = [f"86138{n:08d}" for n in range(250)]


@pytest.fixture
def received(callbot_sandbox: CallbotSandbox) -> list[OrderCallback]:
    """The order callbacks your receiver handled: the sandbox delivers into the app, in process."""
    accounts = {account.uuid: (account.secret_key, account.algorithm) for account in callbot_sandbox.accounts}
    app, finished = make_receiver(accounts)
    callbot_sandbox.deliver_to(app)
    return finished


def test_every_order_is_called_and_its_callback_handled(
    callbot: Callbot[Any], callbot_sandbox: CallbotSandbox, received: list[OrderCallback]
) -> None:
    order_ids = run_campaign(callbot, "spring", PHONES)
    callbot_sandbox.advance(2 * 3600)  # two hours of dialing on the virtual clock, at once
    assert sorted(event.order_id for event in received) == sorted(order_ids)
    assert {record.status for record in callbot_sandbox.callbacks} == {200}


def test_a_lost_addbatchcall_answer_adds_no_order_twice(
    callbot: Callbot[Any], callbot_sandbox: CallbotSandbox, received: list[OrderCallback]
) -> None:
    callbot_sandbox.drop_answer_after_carrying_out("addBatchCall")  # the first batch arrives, its answer not
    order_ids = run_campaign(callbot, "lost", PHONES)
    callbot_sandbox.advance(2 * 3600)
    assert sorted(event.order_id for event in received) == sorted(order_ids)  # each once


def test_stopped_orders_are_not_called(
    callbot: Callbot[Any], callbot_sandbox: CallbotSandbox, received: list[OrderCallback]
) -> None:
    order_ids = run_campaign(callbot, "stop", PHONES[:20])
    callbot_sandbox.advance(1)  # the first orders are being dialed
    refused = callbot.stop_order(user_task_id="stop", order_ids=order_ids[10:]).err_list
    callbot_sandbox.advance(3600)
    dialed = {event.order_id for event in received}
    assert dialed and dialed <= set(order_ids[:10])
    assert not refused


def test_a_busy_service_is_retried_by_the_client(callbot: Callbot[Any], callbot_sandbox: CallbotSandbox) -> None:
    callbot_sandbox.fail_next("createTask", ret_code=7)  # busy: the client tries again by itself
    run_campaign(callbot, "busy", PHONES[:3])


def test_two_accounts_see_only_their_own_tasks(callbot: Callbot[Any], callbot_sandbox: CallbotSandbox) -> None:
    other = callbot_sandbox.client(callbot_sandbox.add_account())
    run_campaign(callbot, "shared-name", PHONES[:3])
    run_campaign(other, "shared-name", PHONES[:5])  # the same userTaskID in another account: no clash
    callbot_sandbox.advance(600)
    orders = [record.model for record in callbot_sandbox.callbacks if record.account == callbot.uuid]
    mine = {order.order_id for order in orders if isinstance(order, OrderCallback)}
    assert len(mine) == 3


@pytest.mark.asyncio  # pytest-asyncio
async def test_the_async_client_runs_a_campaign(
    async_callbot: AsyncCallbot[Any], callbot_sandbox: CallbotSandbox, received: list[OrderCallback]
) -> None:
    await async_callbot.create_task(user_task_id="async", scene_id="reminder")
    info = CallInfoList(
        call_list=[CallOrder(order_id="a-1", user_phone=PHONES[0])],
        call_callback_url=f"{CALLBACKS}/call",
        order_callback_url=f"{CALLBACKS}/order",
    )
    await async_callbot.add_batch_call(user_task_id="async", call_info_list=info)
    await async_callbot.mgr_task_status(user_task_id="async", task_operate=TaskOperate.START)
    await callbot_sandbox.advance_async(600)  # in a coroutine: the async variant
    assert [event.order_id for event in received] == ["a-1"]
