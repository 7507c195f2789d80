"""Checking a body against the spec costs time and memory linear in the body, however many errors it holds.

jsonschema-rs's ``iter_errors`` builds every error before it yields the first: a signed answer of 20,000
empty rows took 7 s and 400 MB to report its first misfit (and a memory cap aborted the process). Each case
below holds thousands of errors and must be reported within a second and a few MB.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from typing import Any

import httpx
import pytest
from callbot_sandbox import Sandbox
from callbot_sandbox.testing import call as call_sandbox
from callbot_signing import Callbot, UnexpectedResponseError
from callbot_signing.wire import request_problems, schema_problem, webhook_problem

from ..conftest import MD5_ACCOUNT
from ..spec_answers import SignedAnswers, call, operations

ROWS = 50_000
SECONDS = 5.0
PEAK_BYTES = 16 * 1024 * 1024


def bounded(check: Any) -> Any:
    """``check()``'s result (or exception), after asserting it took less than SECONDS and PEAK_BYTES."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result, raised = check(), None
    except Exception as exc:
        result, raised = None, exc
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < SECONDS and peak < PEAK_BYTES, (elapsed, peak)
    if raised is not None:
        raise raised
    return result


def empty_rows(key: str) -> dict[str, Any]:
    return {
        "retCode": 0,
        "retMsg": "",
        "responseID": "r",
        "totalCount": ROWS,
        "successCount": 0,
        key: [{} for _ in range(ROWS)],
    }


def test_an_answer_with_thousands_of_misfits_is_reported_by_its_first() -> None:
    problem = bounded(lambda: schema_problem("/callcentre/api/v3/stopOrder", empty_rows("errList")))
    assert problem is not None and problem[0] == "errList/0"


def test_a_webhook_with_thousands_of_misfits_is_reported_by_its_first() -> None:
    payload = {"callbackType": 1, "callInfoDetail": {"intents": [{} for _ in range(ROWS)]}}
    assert bounded(lambda: webhook_problem("callCallback", payload)) is not None


def test_a_request_with_thousands_of_misfits_is_reported_by_its_first() -> None:
    body = {"productID": "callbot", "userTaskID": "t", "orderIDs": [{} for _ in range(ROWS)]}
    problems = bounded(lambda: request_problems("/callcentre/api/v3/stopOrder", body))
    assert len(problems) == 1 and problems[0][0].startswith("orderIDs")


def test_a_small_request_still_gets_several_problems() -> None:
    body = {"productID": "callbot", "userTaskID": 1, "orderIDs": [1, 2]}
    assert len(request_problems("/callcentre/api/v3/stopOrder", body)) >= 3


def test_a_signed_answer_with_thousands_of_misfits_is_refused_quickly() -> None:
    answers = SignedAnswers("cost-uuid", "cost-secret-key-0123")
    answers.answer = empty_rows("errList")
    stop_order = next(op for op in operations() if op.operation_id == "stopOrder")
    transport = httpx.MockTransport(answers)
    with (
        Callbot("http://callbot.test", "cost-uuid", "cost-secret-key-0123", max_retries=0,
                httpx_args={"transport": transport}) as callbot,
        pytest.raises(UnexpectedResponseError) as caught,
    ):  # fmt: skip
        bounded(lambda: call(callbot, stop_order))
    assert caught.value.field_path == "errList/0"


def test_the_sandbox_refuses_a_request_with_thousands_of_misfits_quickly() -> None:
    sandbox = Sandbox([MD5_ACCOUNT])
    body = {"productID": "callbot", "userTaskID": "t", "callInfoList": {"callList": [{"orderID": 1}] * 10_000}}
    reply = bounded(lambda: asyncio.run(call_sandbox(sandbox.asgi_app(), MD5_ACCOUNT, "addBatchCall", body)))
    assert reply.status == 200 and reply.json()["retCode"] != 0
