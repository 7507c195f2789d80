"""The testing kit's handle (callbot_sandbox.kit, ``running()``): accounts and their clients, virtual time, the
callbacks recorded and delivered into a user's ASGI or WSGI app or to a URL, determinism, and the faults."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from callbot_sandbox import running, serve_in_thread
from callbot_sandbox.kit import VIRTUAL_START, CallbotSandbox
from nxcloud_callbot import (
    APIConnectionError,
    APITimeoutError,
    Callbot,
    CallbotError,
    Delivery,
    WebhookReceiver,
    parse_webhook,
)
from nxcloud_callbot.models import CallInfoList, CallOrder, OrderCallback, TaskOperate
from starlette.applications import Starlette
from starlette.routing import Mount

RECEIVER = "http://receiver.test/callbot"


def campaign(sb: CallbotSandbox, orders: int = 5, *, task: str = "t-1", account: Any = None) -> None:
    """A task with ``orders`` orders, started: its call and order callbacks go to RECEIVER's paths."""
    callbot = sb.client(account)
    callbot.create_task(user_task_id=task, scene_id="scene-1", task_callback_url=f"{RECEIVER}/task")
    call_list = [CallOrder(order_id=f"{task}-o{n}", user_phone=f"8613800{n:06d}") for n in range(orders)]
    info = CallInfoList(
        call_list=call_list, call_callback_url=f"{RECEIVER}/call", order_callback_url=f"{RECEIVER}/order"
    )
    callbot.add_batch_call(user_task_id=task, call_info_list=info)
    callbot.mgr_task_status(user_task_id=task, task_operate=TaskOperate.START)


def receiver_for(sb: CallbotSandbox) -> tuple[WebhookReceiver, list[str]]:
    accounts = {account.uuid: (account.secret_key, account.algorithm) for account in sb.accounts}
    receiver = WebhookReceiver(accounts)
    finished: list[str] = []

    @receiver.on("order")
    def order_finished(delivery: Delivery[OrderCallback]) -> None:
        finished.append(delivery.event.order_id)

    return receiver, finished


def test_a_sandbox_has_one_made_up_account_and_a_client_bound_to_it() -> None:
    with running() as sb:
        (account,) = sb.accounts
        assert account.uuid and account.secret_key and account.algorithm == "MD5"
        assert sb.client().ping(data="hello").data == "hello"
        assert sb.base_url.startswith("http://") and sb.now == VIRTUAL_START


def test_an_added_account_has_its_own_state() -> None:
    with running() as sb:
        first, second = sb.accounts[0], sb.add_account(algorithm="SHA256")
        assert [a.uuid for a in sb.accounts] == [first.uuid, second.uuid] and second.algorithm == "SHA256"
        sb.client().create_task(user_task_id="same-id", scene_id="s")
        sb.client(second).create_task(user_task_id="same-id", scene_id="s")  # another account: no clash
        tasks = [sb.sandbox.state.task("same-id", account.uuid) for account in (first, second)]
        assert tasks[0] is not tasks[1]


def test_an_account_given_by_uuid_and_key_is_used_as_given_and_half_of_one_is_refused() -> None:
    with running() as sb:
        account = sb.add_account("my-uuid", "my-secret-key")
        assert (account.uuid, account.secret_key) == ("my-uuid", "my-secret-key")
        assert sb.client(account).ping(data="x").code == 0
        with pytest.raises(ValueError, match="both"):
            sb.add_account("only-a-uuid")
        with pytest.raises(ValueError, match="already"):
            sb.add_account("my-uuid", "other")


def test_code_that_makes_its_own_client_reaches_the_sandbox_in_process_or_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with running() as sb:
        account = sb.accounts[0]
        own = Callbot(sb.base_url, account.uuid, account.secret_key, httpx_args=sb.httpx_args())
        assert own.ping(data="mine").data == "mine"
    with running(transport="http") as sb:
        for name, value in sb.environ().items():
            monkeypatch.setenv(name, value)
        with Callbot() as from_environment:
            assert from_environment.ping(data="env").data == "env"


def test_advance_dials_and_records_each_signed_callback_with_its_model_headers_body_and_url() -> None:
    with running() as sb:
        campaign(sb, orders=3)
        assert sb.callbacks == []
        sb.advance(3600)
        records = sb.callbacks
        kinds = sorted(record.kind for record in records)
        assert kinds.count("call") == 3 and kinds.count("order") == 3 and "task" in kinds
        account = sb.accounts[0]
        for record in records:
            assert record.url.startswith(RECEIVER) and record.status == 204  # no receiver: recorded only
            assert record.headers["uuid"] == account.uuid and record.headers["sign"]
            # signed with the real time: a receiver's default checks accept it, as they would the service's
            model = parse_webhook(record.headers, record.body, uuid=account.uuid, secret_key=account.secret_key)
            assert model == record.model
        order = next(record for record in records if record.kind == "order")
        assert isinstance(order.model, OrderCallback) and order.path == "/callbot/order"
        assert abs(int(order.headers["createTs"]) - time.time()) < 60


def test_callbacks_go_into_a_starlette_receiver_by_path_whatever_the_host() -> None:
    with running() as sb:
        receiver, finished = receiver_for(sb)
        sb.deliver_to(Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())]))
        campaign(sb, orders=20)
        sb.advance(7200)
        assert sorted(finished) == sorted(f"t-1-o{n}" for n in range(20))
        assert {record.status for record in sb.callbacks} == {200}


def test_callbacks_go_into_a_wsgi_receiver_in_process() -> None:
    with running() as sb:
        receiver, finished = receiver_for(sb)
        sb.deliver_to(receiver.wsgi_app())
        campaign(sb, orders=4)
        sb.advance(600)
        assert len(finished) == 4


def test_an_asgi_app_that_does_not_look_like_one_is_named_so() -> None:
    class Wrapped:  # __call__ returns a coroutine without being a coroutine function (some middleware does)
        def __init__(self, app: Any) -> None:
            self.app = app

        def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
            return self.app(scope, receive, send)

    with running() as sb:
        receiver, finished = receiver_for(sb)
        sb.deliver_to(Wrapped(Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())])), interface="asgi")
        campaign(sb, orders=2)
        sb.advance(600)
        assert len(finished) == 2
        with pytest.raises(ValueError, match="interface"):
            sb.deliver_to(receiver.asgi_app(), interface="grpc")  # type: ignore[arg-type]


def test_callbacks_go_to_a_url_with_its_path_prefix() -> None:
    with running() as sb:
        receiver, finished = receiver_for(sb)
        app = Starlette(routes=[Mount("/prefix/callbot", app=receiver.asgi_app())])
        with serve_in_thread(app) as url:
            sb.deliver_to(url + "/prefix")
            campaign(sb, orders=3)
            sb.advance(600)
        assert len(finished) == 3


def test_a_refusing_receiver_gets_the_callback_again_on_a_later_advance() -> None:
    answers = iter([500, 200])

    async def flaky(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": next(answers, 200), "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with running() as sb:
        sb.deliver_to(flaky)
        sb.client().create_task(user_task_id="t", scene_id="s", task_callback_url=f"{RECEIVER}/task")
        sb.client().mgr_task_status(user_task_id="t", task_operate=TaskOperate.START)
        sb.advance(0)
        sb.advance(5)
        assert [record.status for record in sb.callbacks] == [500, 200]
        assert sb.callbacks[0].body == sb.callbacks[1].body


def test_deliver_to_refuses_what_is_neither_an_app_nor_an_http_url() -> None:
    with running() as sb:
        with pytest.raises(ValueError, match="http"):
            sb.deliver_to("ftp://example")
        with pytest.raises(TypeError):
            sb.deliver_to(42)  # type: ignore[arg-type]


def outcome(seed: int) -> tuple[list[Any], list[Any]]:
    """What a run of one campaign gives: the call records and the callbacks, less what the real time signs."""
    with running(seed=seed, accounts=2) as sb:
        campaign(sb, orders=30)
        campaign(sb, orders=30, task="t-2", account=sb.accounts[1])
        sb.advance(1800)
        calls = [call.detail() for _, call in sb.sandbox.state.task("t-1", sb.accounts[0].uuid).calls]
        kept = {"uuid", "content-type", "content-length"}
        callbacks = [
            (record.url, json.loads(record.body), {k: v for k, v in record.headers.items() if k in kept})
            for record in sb.callbacks
        ]
        return calls, callbacks


def test_the_same_seed_gives_the_same_calls_and_callbacks_and_another_seed_others() -> None:
    first, again = outcome(7), outcome(7)
    assert first == again
    assert outcome(8)[0] != first[0]


def test_over_loopback_http_the_client_reaches_the_sandbox_on_a_free_port() -> None:
    with running(transport="http") as sb:
        assert httpx.URL(sb.base_url).host == "127.0.0.1"
        assert sb.client().ping(data="x").code == 0
        campaign(sb, orders=2)
        sb.advance(600)
        assert len(sb.callbacks) >= 4


async def test_the_async_client_and_advance_async_work_inside_a_coroutine() -> None:
    with running() as sb:
        receiver, finished = receiver_for(sb)
        sb.deliver_to(Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())]))
        client = sb.async_client()
        await client.create_task(user_task_id="t", scene_id="s")
        info = CallInfoList(
            call_list=[CallOrder(order_id="o", user_phone="8613800000000")],
            call_callback_url=f"{RECEIVER}/call",
            order_callback_url=f"{RECEIVER}/order",
        )
        await client.add_batch_call(user_task_id="t", call_info_list=info)
        await client.mgr_task_status(user_task_id="t", task_operate=TaskOperate.START)
        await sb.advance_async(600)
        await client.aclose()
        assert finished == ["o"]


class RecordedFaults:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self.calls.append((name, args, kwargs))


def test_the_fault_methods_hand_their_arguments_to_the_sandboxs_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    with running() as sb:
        faults = RecordedFaults()
        monkeypatch.setattr(sb.sandbox, "faults", faults, raising=False)
        sb.fail_next("addBatchCall", 7, times=2)
        sb.drop_answer_after_carrying_out("stopOrder")
        sb.delay("listOrder", 0.5, times=3)
        sb.unsigned_refusal("createTask", account=sb.accounts[0])
        assert faults.calls == [
            ("fail_next", ("addBatchCall", 7), {"times": 2, "account": None}),
            ("drop_answer_after_carrying_out", ("stopOrder",), {"times": 1, "account": None}),
            ("delay", ("listOrder", 0.5), {"times": 3, "account": None}),
            ("unsigned_refusal", ("createTask",), {"times": 1, "account": sb.accounts[0].uuid}),
        ]


def test_the_fault_methods_take_an_account_or_its_uuid_and_refuse_one_the_sandbox_does_not_have() -> None:
    with running(accounts=2) as sb:
        first, second = sb.accounts
        sb.fail_next("ping", account=second.uuid)
        sb.fail_next("ping", account=first)
        assert sb.pending_faults("ping") == 2 and sb.pending_faults() == 2
        with pytest.raises(CallbotError) as refused:
            sb.client(second, max_retries=0).ping(data="x")
        assert refused.value.ret_code == 7
        assert sb.pending_faults("ping") == 1  # the first account's is still there
        with pytest.raises(ValueError, match="no account 'nobody'"):
            sb.delay("ping", 1, account="nobody")
        sb.clear_faults()
        assert sb.pending_faults() == 0


def test_each_fault_set_on_the_handle_is_what_the_client_sees() -> None:
    """Needs Sandbox.faults (faults.py): each fault for the next request of its operation only."""
    with running() as sb:
        callbot = sb.client(max_retries=0)
        sb.fail_next("createTask", ret_code=4)
        with pytest.raises(CallbotError) as refused:
            callbot.create_task(user_task_id="t", scene_id="s")
        assert refused.value.ret_code == 4 and "t" not in sb.sandbox.state.account(sb.accounts[0].uuid).tasks
        sb.unsigned_refusal("createTask")
        with pytest.raises(CallbotError):
            callbot.create_task(user_task_id="t", scene_id="s")
        assert "t" not in sb.sandbox.state.account(sb.accounts[0].uuid).tasks
        sb.drop_answer_after_carrying_out("createTask")
        with pytest.raises(APIConnectionError):
            callbot.create_task(user_task_id="t", scene_id="s")
        assert "t" in sb.sandbox.state.account(sb.accounts[0].uuid).tasks  # carried out all the same
        sb.delay("ping", 5)
        with pytest.raises(APITimeoutError):
            sb.client(timeout=0.2, max_retries=0).ping(data="x")
        assert callbot.ping(data="x").code == 0  # the next request: no fault left


def test_a_campaign_bigger_than_the_cap_of_waiting_callbacks_delivers_every_callback_in_one_advance() -> None:
    """One advance dialing 2,000 orders makes over 4,000 callbacks, more than an account may have waiting
    (MAX_PENDING_PER_ACCOUNT): they are sent as the dialing goes, so a receiver that takes them loses none."""
    from callbot_sandbox.callbacks import MAX_PENDING_PER_ACCOUNT

    orders = 2 * MAX_PENDING_PER_ACCOUNT
    with running() as sb:
        campaign(sb, orders)
        sb.advance(2 * 3600)
        kinds = [record.kind for record in sb.callbacks]
        assert kinds.count("order") == orders
        assert kinds.count("call") == orders
        assert sb.sandbox.callbacks.dropped == {}
