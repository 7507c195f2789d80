"""Faults injected into the sandbox by operationId (``Sandbox.faults``): a signed refusal that changes nothing,
an unsigned one, an answer lost after the request was carried out, a slow answer; each for the next request
of its operation (or the next N, or from one account only), taken only by a request that got past the door.
In process (``callbot_sandbox.testing``) and over loopback HTTP with the real ``Callbot``."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_sandbox.faults import AnswerDropped, Faults
from callbot_sandbox.testing import API, Reply, call, send, signed_headers
from nxcloud_callbot import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Callbot,
    ServiceUnavailableError,
)
from nxcloud_callbot.models import CallInfoList, CallOrder, ListOrderOptions

A = Account("faults-a", "faults-secret-of-a-0123")
B = Account("faults-b", "faults-secret-of-b-4567", "SHA256")
TASK = "t-faults"
ORDER_IDS = ["o-1", "o-2", "o-3"]


def orders_body(task: str = TASK) -> dict[str, Any]:
    call_list = [{"orderID": order_id, "userPhone": "8613800000000"} for order_id in ORDER_IDS]
    return {
        "productID": "callbot",
        "userTaskID": task,
        "callInfoList": {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": call_list},
    }


def new_sandbox() -> Sandbox:
    """A sandbox with accounts A and B, each with the task TASK and no orders."""
    sandbox = Sandbox([A, B])
    for account in (A, B):
        sandbox.state.create_task(TASK, "scene-1", int(time.time()), account.uuid)
    return sandbox


def order_ids(sandbox: Sandbox, account: Account = A) -> list[str]:
    return sorted(sandbox.state.account(account.uuid).orders)


def run(sandbox: Sandbox, account: Account, operation: str, body: Any) -> Reply:
    return asyncio.run(call(sandbox.asgi_app(), account, operation, body))


def add_orders(sandbox: Sandbox, account: Account = A) -> Reply:
    return run(sandbox, account, "addBatchCall", orders_body())


def ping(sandbox: Sandbox, account: Account = A) -> Reply:
    return run(sandbox, account, "ping", {"data": "hello"})


@pytest.fixture
def served() -> Iterator[tuple[Sandbox, Callbot[Any]]]:
    """A sandbox served on 127.0.0.1 and a Callbot of account A that retries nothing."""
    sandbox = new_sandbox()
    with serve_in_thread(sandbox.asgi_app()) as url, Callbot(url, A.uuid, A.secret_key, max_retries=0) as callbot:
        yield sandbox, callbot


def add_orders_with(callbot: Callbot[Any]) -> None:
    orders = [CallOrder(order_id=order_id, user_phone="8613800000000") for order_id in ORDER_IDS]
    callbot.add_batch_call(
        user_task_id=TASK, call_info_list=CallInfoList(call_list=orders, order_callback_url="", call_callback_url="")
    )


def listed_orders(callbot: Callbot[Any]) -> list[str]:
    rows = callbot.iter_list_order(user_task_id=TASK, options=ListOrderOptions())
    return sorted(str(row.order_id) for row in rows)


# --- fail_next: a signed refusal, nothing done ------------------------------------------------------------


def test_fail_next_answers_a_signed_refusal_with_its_ret_code_and_adds_no_order() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("addBatchCall", 1001)
    refused = add_orders(sandbox)
    assert refused.code == 1001
    assert "injected" in refused.json()["retMsg"]
    assert refused.headers["x-sandbox-refusal"] == "injected"
    assert "sign" in refused.headers
    assert order_ids(sandbox) == []
    assert add_orders(sandbox).code == 0  # the next request is served as usual
    assert order_ids(sandbox) == ORDER_IDS


def test_fail_next_on_ping_uses_pings_envelope() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("ping")
    data = ping(sandbox).json()
    assert data["code"] == 7 and "injected" in data["msg"] and "retCode" not in data


def test_fail_next_reaches_the_client_as_a_signed_refusal_with_nothing_done(
    served: tuple[Sandbox, Callbot[Any]],
) -> None:
    sandbox, callbot = served
    sandbox.faults.fail_next("addBatchCall")
    with pytest.raises(ServiceUnavailableError) as refused:
        add_orders_with(callbot)
    assert refused.value.ret_code == 7
    assert refused.value.outcome_unknown is False  # signed: the refusal proves nothing was done
    assert listed_orders(callbot) == []
    add_orders_with(callbot)
    assert listed_orders(callbot) == ORDER_IDS


# --- unsigned_refusal --------------------------------------------------------------------------------------


def test_unsigned_refusal_carries_no_sign_and_adds_no_order() -> None:
    sandbox = new_sandbox()
    sandbox.faults.unsigned_refusal("addBatchCall")
    refused = add_orders(sandbox)
    assert refused.code == 6002
    assert "sign" not in refused.headers
    assert refused.headers["x-sandbox-refusal"] == "injected"
    assert order_ids(sandbox) == []


def test_unsigned_refusal_reaches_the_client_as_an_unverified_refusal(served: tuple[Sandbox, Callbot[Any]]) -> None:
    sandbox, callbot = served
    sandbox.faults.unsigned_refusal("addBatchCall")
    with pytest.raises(AuthenticationError) as refused:
        add_orders_with(callbot)
    assert refused.value.outcome_unknown is True  # unsigned: it proves nothing, so the client cannot tell
    assert listed_orders(callbot) == []


# --- drop_answer_after_carrying_out -------------------------------------------------------------------------


def test_a_dropped_answer_is_carried_out_and_the_app_raises_after_the_status_line() -> None:
    sandbox = new_sandbox()
    sandbox.faults.drop_answer_after_carrying_out("addBatchCall")
    sent: list[dict[str, Any]] = []

    async def respond(message: Any) -> None:
        sent.append(message)

    async def drive() -> None:
        body = json.dumps(orders_body()).encode()
        scope = {"type": "http", "method": "POST", "path": API + "addBatchCall", "headers": signed_headers(A, body)}
        chunks = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return chunks.pop(0)

        await sandbox.asgi_app()(scope, receive, respond)

    with pytest.raises(AnswerDropped):
        asyncio.run(drive())
    assert [message["type"] for message in sent] == ["http.response.start"]
    assert sent[0]["status"] == 200 and (b"content-length", b"0") not in sent[0]["headers"]
    assert order_ids(sandbox) == ORDER_IDS


def test_a_dropped_answer_reaches_the_client_as_a_connection_error_after_the_orders_were_added(
    served: tuple[Sandbox, Callbot[Any]],
) -> None:
    sandbox, callbot = served
    sandbox.faults.drop_answer_after_carrying_out("addBatchCall")
    with pytest.raises(APIConnectionError) as lost:
        add_orders_with(callbot)
    assert lost.value.outcome_unknown is True
    assert listed_orders(callbot) == ORDER_IDS


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_dropped_answer_is_logged_at_info_not_as_an_error_of_the_app(served: tuple[Sandbox, Callbot[Any]]) -> None:
    sandbox, callbot = served
    records = Records()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "callbot_sandbox")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(records)
        logger.setLevel(logging.DEBUG)
    try:
        sandbox.faults.drop_answer_after_carrying_out("ping")
        with pytest.raises(APIConnectionError):
            callbot.ping(data="hello")
        callbot.ping(data="hello")  # served after the drop: the app's log of the drop is written by now
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(records)
            logger.setLevel(level)
    assert [record.levelno for record in records.records if record.levelno > logging.INFO] == []
    assert any("dropped" in record.getMessage() for record in records.records)


def test_a_read_whose_answer_was_dropped_is_retried_by_the_client() -> None:
    sandbox = new_sandbox()
    with serve_in_thread(sandbox.asgi_app()) as url, Callbot(url, A.uuid, A.secret_key, max_retries=1) as callbot:
        sandbox.faults.drop_answer_after_carrying_out("listOrder")
        assert listed_orders(callbot) == []
    assert sandbox.faults.pending() == 0


# --- delay ------------------------------------------------------------------------------------------------


def test_a_delayed_answer_comes_after_the_request_was_carried_out_without_holding_the_state() -> None:
    sandbox = new_sandbox()
    app = sandbox.asgi_app()
    sandbox.faults.delay("addBatchCall", 600)

    async def drive() -> None:
        delayed = asyncio.ensure_future(call(app, A, "addBatchCall", orders_body()))
        for _ in range(1000):  # bounded: the orders are added at once, the answer waits
            if order_ids(sandbox) == ORDER_IDS:
                break
            await asyncio.sleep(0.01)
        assert order_ids(sandbox) == ORDER_IDS
        other = await call(
            app, A, "listOrder", {"productID": "callbot", "userTaskID": TASK, "options": {}, "page": 1, "size": 10}
        )
        assert other.code == 0 and other.json()["totalCount"] == len(ORDER_IDS)  # the state lock is free
        assert not delayed.done()
        delayed.cancel()
        with pytest.raises(asyncio.CancelledError):
            await delayed

    asyncio.run(drive())


def test_a_delayed_answer_is_the_usual_answer() -> None:
    sandbox = new_sandbox()
    sandbox.faults.delay("addBatchCall", 0.01)
    assert add_orders(sandbox).code == 0
    assert order_ids(sandbox) == ORDER_IDS


def test_a_delay_longer_than_the_clients_timeout_is_a_timeout_after_the_orders_were_added() -> None:
    sandbox = new_sandbox()
    with serve_in_thread(sandbox.asgi_app()) as url:
        with Callbot(url, A.uuid, A.secret_key, max_retries=0, timeout=0.3) as callbot:
            sandbox.faults.delay("addBatchCall", 1.5)
            with pytest.raises(APITimeoutError) as lost:
                add_orders_with(callbot)
        assert lost.value.outcome_unknown is True
        assert order_ids(sandbox) == ORDER_IDS


# --- which requests take a fault ------------------------------------------------------------------------


def test_a_fault_applies_to_the_next_request_only_unless_given_times() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("ping")
    assert [ping(sandbox).code for _ in range(2)] == [7, 0]
    sandbox.faults.fail_next("ping", 5, times=3)
    assert [ping(sandbox).code for _ in range(4)] == [5, 5, 5, 0]


def test_faults_of_one_operation_queue_in_order_and_leave_other_operations_alone() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("ping", 5)
    sandbox.faults.unsigned_refusal("ping", 6)
    sandbox.faults.fail_next("ping", 1, times=2)
    assert add_orders(sandbox).code == 0
    replies = [ping(sandbox) for _ in range(5)]
    assert [reply.code for reply in replies] == [5, 6, 1, 1, 0]
    assert ["sign" in reply.headers for reply in replies] == [True, False, True, True, True]


def test_a_fault_for_one_account_leaves_the_others_requests_alone() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("addBatchCall", account=B.uuid)
    assert add_orders(sandbox, A).code == 0
    assert sandbox.faults.pending("addBatchCall") == 1
    assert add_orders(sandbox, B).code == 7
    assert order_ids(sandbox, A) == ORDER_IDS and order_ids(sandbox, B) == []


def test_a_fault_for_an_account_the_sandbox_does_not_have_is_refused_when_set() -> None:
    sandbox = new_sandbox()
    with pytest.raises(ValueError, match="no account 'no-such-account'"):
        sandbox.faults.fail_next("addBatchCall", account="no-such-account")
    assert sandbox.faults.pending() == 0


def test_a_request_refused_at_the_door_does_not_use_a_fault_up() -> None:
    sandbox = new_sandbox()
    app = sandbox.asgi_app()
    sandbox.faults.fail_next("addBatchCall")
    body = json.dumps(orders_body()).encode()
    forged = signed_headers(A, body + b" ")  # signed over other bytes
    wrong_sign = asyncio.run(send(app, API + "addBatchCall", forged, [body]))
    assert (wrong_sign.code, wrong_sign.headers["x-sandbox-refusal"]) == (6, "request")
    unknown_account = add_orders(sandbox, Account("nobody", "nobody-secret-key-0"))
    assert unknown_account.code == 6002 and "sign" not in unknown_account.headers
    missing_parameter = run(sandbox, A, "addBatchCall", {"productID": "callbot", "userTaskID": TASK})
    assert (missing_parameter.code, missing_parameter.headers["x-sandbox-refusal"]) == (2, "request")
    assert sandbox.faults.pending() == 1
    assert add_orders(sandbox).code == 7
    assert sandbox.faults.pending() == 0 and order_ids(sandbox) == []


def test_clear_forgets_every_fault() -> None:
    sandbox = new_sandbox()
    sandbox.faults.fail_next("ping", times=3)
    sandbox.faults.delay("listOrder", 60)
    sandbox.faults.clear()
    assert sandbox.faults.pending() == 0
    assert ping(sandbox).code == 0


# --- arguments ---------------------------------------------------------------------------------------------


def test_an_unknown_operation_is_a_value_error_listing_the_known_ones() -> None:
    sandbox = new_sandbox()
    with pytest.raises(ValueError, match="addBatchCall") as unknown:
        sandbox.faults.fail_next("addBatchCal")
    assert "did you mean 'addBatchCall'" in str(unknown.value) and "listOrder" in str(unknown.value)
    with pytest.raises(ValueError, match="unknown operation"):
        sandbox.faults.drop_answer_after_carrying_out("add_batch_call")
    assert sandbox.faults.pending() == 0


@pytest.mark.parametrize(
    ("set_fault", "error"),
    [
        (lambda faults: faults.fail_next("ping", times=0), ValueError),
        (lambda faults: faults.unsigned_refusal("ping", times=True), TypeError),
        (lambda faults: faults.fail_next("ping", 0), ValueError),
        (lambda faults: faults.delay("ping", float("nan")), ValueError),
        (lambda faults: faults.delay("ping", -1), ValueError),
        (lambda faults: faults.delay("ping", 10**9), ValueError),
        (lambda faults: faults.drop_answer_after_carrying_out("ping", account=7), TypeError),
    ],
)
def test_bad_arguments_are_refused_and_set_nothing(set_fault: Any, error: type[Exception]) -> None:
    faults = Faults(["ping"])
    with pytest.raises(error):
        set_fault(faults)
    assert faults.pending() == 0


def test_faults_set_and_taken_from_several_threads_are_each_taken_once() -> None:
    faults = Faults(["ping"])
    taken: list[int] = []

    def set_them() -> None:
        for _ in range(500):
            faults.fail_next("ping")

    def take_them() -> None:
        count = 0
        for _ in range(1000):
            if faults.take("ping", A.uuid) is not None:
                count += 1
        taken.append(count)

    setters = [threading.Thread(target=set_them) for _ in range(4)]
    threads = setters + [threading.Thread(target=take_them) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(taken) + faults.pending() == 2000
