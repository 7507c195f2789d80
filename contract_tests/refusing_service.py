"""A Callbot over a mock service whose answers a test chooses, and the error a call then raises: shared by the
tests of unsigned refusals (outcome unknown) and of the advice a refusal gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from callbot_client.models import CallInfoList, CallOrder, ListTaskConditions
from callbot_signing import (
    Callbot,
    CallbotError,
)

from ._support import FAULT_SECRET, FAULT_UUID


def mock_callbot(handler: Callable[[httpx.Request], httpx.Response]) -> Callbot[Any]:
    transport = httpx.MockTransport(handler)
    return Callbot("http://callbot.test", FAULT_UUID, FAULT_SECRET, max_retries=0, httpx_args={"transport": transport})


def call(operation: str, callbot: Callbot[Any]) -> Any:
    if operation == "createTask":
        return callbot.create_task(user_task_id="t-1", scene_id="s-1")
    if operation == "addBatchCall":
        orders = CallInfoList(
            order_callback_url="", call_callback_url="", call_list=[CallOrder(order_id="o", user_phone="8613800000000")]
        )
        return callbot.add_batch_call(user_task_id="t-1", call_info_list=orders)
    return callbot.list_task(query_conditions=ListTaskConditions(), page=1, size=10)


def raised(operation: str, handler: Callable[[httpx.Request], httpx.Response]) -> CallbotError:
    with mock_callbot(handler) as callbot, pytest.raises(CallbotError) as caught:
        call(operation, callbot)
    return caught.value
