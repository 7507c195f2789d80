"""WebhookReceiver with its in-memory store: answers, routing, kinds, handlers, ASGI and WSGI, and the
claim/done/release steps of MemoryReplayStore."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from callbot_client.models import CallCallback, OrderCallback, TaskCallback
from callbot_signing import (
    Claim,
    ClaimingReplayStore,
    Delivery,
    MemoryReplayStore,
    ReplayGuard,
    ReplayStore,
    WebhookReceiver,
    parse_webhook,
)

from ._deliveries import ACCOUNT_A, ACCOUNT_B, ACCOUNTS, STRANGER, delivery, forged, post, wsgi_post

NOW = 1_800_000_000.0


def counting_receiver(**options: Any) -> tuple[WebhookReceiver, list[Delivery[Any]]]:
    receiver = WebhookReceiver(ACCOUNTS, **options)
    seen: list[Delivery[Any]] = []

    @receiver.on("call")
    def on_call(delivery: Delivery[CallCallback]) -> None:
        seen.append(delivery)

    @receiver.on("order")
    async def on_order(delivery: Delivery[OrderCallback]) -> None:
        seen.append(delivery)

    @receiver.on("task")
    def on_task(delivery: Delivery[TaskCallback]) -> None:
        seen.append(delivery)

    return receiver, seen


def without_uuid(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {name: value for name, value in headers.items() if name != "uuid"}, body


# -- answers -------------------------------------------------------------------------------------------------


async def test_a_delivery_is_handled_once_and_its_retry_is_acknowledged_without_running_the_handler() -> None:
    receiver, seen = counting_receiver()
    app = receiver.asgi_app()
    headers, body = delivery("order")
    first = await post(app, "/callbot/order", headers, body)
    again = await post(app, "/callbot/order", headers, body)
    assert (first.status_code, first.text) == (200, "handled")
    assert (again.status_code, again.text) == (200, "already handled")
    assert len(seen) == 1
    got = seen[0]
    assert (got.kind, got.account, got.request_id) == ("order", ACCOUNT_A[0], headers["requestID"])
    assert got.create_ts == int(headers["createTs"]) and isinstance(got.event, OrderCallback)
    assert got.event.order_id == "o-1"


async def test_a_handler_that_raises_answers_500_and_the_platforms_retry_is_handled() -> None:
    receiver = WebhookReceiver(ACCOUNTS)
    runs: list[str] = []

    @receiver.on("order")
    def flaky(delivery: Delivery[OrderCallback]) -> None:
        runs.append(delivery.request_id)
        if len(runs) == 1:
            raise RuntimeError("database down")

    app = receiver.asgi_app()
    headers, body = delivery("order")
    failed = await post(app, "/order", headers, body)
    retried = await post(app, "/order", headers, body)
    assert failed.status_code == 500 and "database down" not in failed.text
    assert (retried.status_code, retried.text) == (200, "handled")  # not refused as a replay
    assert len(runs) == 2
    assert (await post(app, "/order", headers, body)).text == "already handled"


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (lambda: forged("order"), "sign_mismatch"),
        (lambda: delivery("order", age=3600), "clock_skew"),
        (lambda: delivery("order", account=STRANGER), "unknown_account"),
        (lambda: delivery("order", payload={"callbackType": "1", "orderID": 5}), "payload"),
        (lambda: without_uuid(*delivery("order")), "missing_header"),
    ],
    ids=["forged", "stale", "unknown-account", "not-a-callback", "no-uuid"],
)
async def test_a_refused_delivery_answers_400_naming_the_rule_and_runs_no_handler(
    make: Callable[[], tuple[dict[str, str], bytes]], rule: str
) -> None:
    receiver, seen = counting_receiver()
    headers, body = make()
    answer = await post(receiver.asgi_app(), "/callbot/order", headers, body)
    assert answer.status_code == 400 and answer.text.startswith(f"refused ({rule})")
    status, text = wsgi_post(receiver.wsgi_app(), "/callbot/order", headers, body)
    assert status == 400 and text.startswith(f"refused ({rule})")
    assert seen == []


async def test_a_refused_delivery_takes_no_place_in_the_store() -> None:
    store = MemoryReplayStore()
    receiver, _ = counting_receiver(store=store)
    for headers, body in (forged("order"), delivery("order", age=3600)):
        assert (await post(receiver.asgi_app(), "/order", headers, body)).status_code == 400
    assert len(store) == 0


async def test_deliveries_are_routed_to_their_account_by_the_uuid_header() -> None:
    receiver, seen = counting_receiver()
    app = receiver.asgi_app()
    for account in (ACCOUNT_A, ACCOUNT_B):
        headers, body = delivery("task", account=account, request_id="same-id")
        assert (await post(app, "/task", headers, body)).text == "handled"
    assert [(d.account, d.request_id) for d in seen] == [(ACCOUNT_A[0], "same-id"), (ACCOUNT_B[0], "same-id")]
    # B's key does not sign for A: a delivery claiming to be A's, signed with B's key, is refused
    headers, body = delivery("task", account=(ACCOUNT_A[0], ACCOUNT_B[1], "SHA256"))
    assert (await post(app, "/task", headers, body)).text.startswith("refused (")


@pytest.mark.parametrize(
    ("path", "payload_kind", "expected"),
    [
        ("/callbot/call", "call", "call"),
        ("/callbot/order/", "order", "order"),
        ("/hooks/task", "task", "task"),
        ("/callbot", "order", "order"),  # any other path: told from the payload
        ("/", "call", "call"),
        ("/", "task", "task"),
    ],
)
async def test_the_kind_comes_from_the_last_path_segment_or_else_the_payload(
    path: str, payload_kind: str, expected: str
) -> None:
    receiver, seen = counting_receiver()
    headers, body = delivery(payload_kind)
    assert (await post(receiver.asgi_app(), path, headers, body)).text == "handled"
    assert [d.kind for d in seen] == [expected]


async def test_a_payload_of_another_kind_than_its_path_is_refused() -> None:
    receiver, seen = counting_receiver()
    headers, body = delivery("task")
    answer = await post(receiver.asgi_app(), "/callbot/order", headers, body)
    assert answer.status_code == 400 and answer.text.startswith("refused (payload)") and seen == []


async def test_a_kind_without_a_handler_is_acknowledged() -> None:
    receiver = WebhookReceiver(ACCOUNTS)
    headers, body = delivery("call")
    answer = await post(receiver.asgi_app(), "/call", headers, body)
    assert (answer.status_code, answer.text) == (200, "no handler for call callbacks")


async def test_only_post_is_served_and_an_oversized_body_is_refused_unread() -> None:
    receiver, seen = counting_receiver(max_body_bytes=1000)
    app = receiver.asgi_app()
    headers, body = delivery("order", payload={"callbackType": "1", "pad": "x" * 2000})
    answer = await post(app, "/order", headers, body)
    assert answer.status_code == 400 and "max_body_bytes=1,000" in answer.text
    status, text = wsgi_post(receiver.wsgi_app(), "/order", headers, body)
    assert status == 400 and "max_body_bytes=1,000" in text
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client:
        not_post = await client.get("/order")
    assert (not_post.status_code, not_post.headers.get("allow")) == (405, "POST")  # RFC 9110: a 405 says what is
    assert seen == []


# -- handlers, sync and async, on both servers -----------------------------------------------------------


def test_the_wsgi_app_runs_sync_and_async_handlers_once() -> None:
    receiver, seen = counting_receiver()
    app = receiver.wsgi_app()
    for kind in ("call", "order", "task"):  # on_order is a coroutine function
        headers, body = delivery(kind)
        assert wsgi_post(app, f"/{kind}", headers, body) == (200, "handled")
        assert wsgi_post(app, f"/{kind}", headers, body) == (200, "already handled")
    assert [d.kind for d in seen] == ["call", "order", "task"]


async def test_the_asgi_app_runs_a_sync_handler_off_the_event_loop() -> None:
    receiver = WebhookReceiver(ACCOUNTS)
    threads: list[int] = []

    @receiver.on("call")
    def on_call(delivery: Delivery[CallCallback]) -> None:
        threads.append(threading.get_ident())

    headers, body = delivery("call")
    assert (await post(receiver.asgi_app(), "/call", headers, body)).text == "handled"
    assert threads and threads[0] != threading.get_ident()


def test_one_handler_per_kind_and_known_kinds_only() -> None:
    receiver = WebhookReceiver(ACCOUNTS)
    receiver.on("call")(lambda delivery: None)
    with pytest.raises(ValueError, match="registered already"):
        receiver.on("call")(lambda delivery: None)
    with pytest.raises(ValueError, match="unknown webhook kind"):
        receiver.on("calls")  # type: ignore[call-overload]


def test_the_accounts_default_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_UUID", ACCOUNT_B[0])
    monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT_B[1])
    monkeypatch.setenv("CALLBOT_ALGORITHM", "SHA256")
    receiver = WebhookReceiver()
    assert receiver.accounts == [ACCOUNT_B[0]]
    handled: list[str] = []
    receiver.on("task")(lambda d: handled.append(d.account))
    headers, body = delivery("task", account=ACCOUNT_B)
    assert wsgi_post(receiver.wsgi_app(), "/task", headers, body) == (200, "handled") and handled == [ACCOUNT_B[0]]
    monkeypatch.delenv("CALLBOT_SECRET_KEY")
    with pytest.raises(ValueError, match="CALLBOT_SECRET_KEY"):
        WebhookReceiver()


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"accounts": {}}, TypeError),
        ({"accounts": {"a": ("k", "SHA1")}}, ValueError),
        ({"accounts": {"a": ""}}, ValueError),
        ({"accounts": ACCOUNTS, "lease": 0}, ValueError),
        ({"accounts": ACCOUNTS, "busy_wait": float("nan")}, ValueError),
        ({"accounts": ACCOUNTS, "store": object()}, TypeError),
    ],
)
def test_a_wrong_setting_is_refused_when_the_receiver_is_made(arguments: dict[str, Any], error: type) -> None:
    with pytest.raises(error):
        WebhookReceiver(**arguments)


# -- exactly once: duplicates, failures and lost claims -------------------------------------------------------


async def test_a_duplicate_arriving_mid_handler_never_runs_the_handler_twice() -> None:
    store = MemoryReplayStore()  # two receivers (two replicas) sharing one store
    gate, runs = asyncio.Event(), []
    first, second = WebhookReceiver(ACCOUNTS, store=store), WebhookReceiver(ACCOUNTS, store=store, busy_wait=0)
    waiting = WebhookReceiver(ACCOUNTS, store=store, busy_wait=5)

    async def slow(delivery: Delivery[OrderCallback]) -> None:
        runs.append(delivery.request_id)
        await gate.wait()

    for receiver in (first, second, waiting):
        receiver.on("order")(slow)
    headers, body = delivery("order")
    running = asyncio.create_task(post(first.asgi_app(), "/order", headers, body))
    for _ in range(200):  # until the first has claimed it (bounded)
        if runs:
            break
        await asyncio.sleep(0.005)
    busy = await asyncio.wait_for(post(second.asgi_app(), "/order", headers, body), 5)  # not run: answered
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1" and busy.text.startswith("busy")
    waited = asyncio.create_task(post(waiting.asgi_app(), "/order", headers, body))
    await asyncio.sleep(0.05)
    gate.set()
    assert (await asyncio.wait_for(running, 5)).text == "handled"
    answer = await asyncio.wait_for(waited, 10)
    assert (answer.status_code, answer.text) == (200, "already handled")  # waited, then acknowledged
    assert len(runs) == 1


async def test_a_claim_whose_lease_ended_is_handled_by_the_retry() -> None:
    store = MemoryReplayStore()
    receiver, seen = counting_receiver(store=store, busy_wait=0)
    headers, body = delivery("order")
    # a receiver took the delivery and died mid-handler: its claim stays until the lease ends
    store.claim(ACCOUNT_A[0], headers["requestID"], expires_at=time.time() + 300, now=time.time(), lease=0.3)
    assert (await post(receiver.asgi_app(), "/order", headers, body)).status_code == 503
    deadline = time.monotonic() + 5
    answer = await post(receiver.asgi_app(), "/order", headers, body)
    while answer.status_code == 503 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        answer = await post(receiver.asgi_app(), "/order", headers, body)
    assert answer.text == "handled" and len(seen) == 1


async def test_a_full_store_answers_503_and_runs_no_handler() -> None:
    receiver, seen = counting_receiver(store=MemoryReplayStore(max_entries=1))
    app = receiver.asgi_app()
    assert (await post(app, "/order", *delivery("order"))).status_code == 200
    full = await post(app, "/order", *delivery("order"))
    assert full.status_code == 503 and full.text.startswith("store full") and len(seen) == 1
    other = await post(app, "/order", *delivery("order", account=ACCOUNT_B))  # the other account's share
    assert other.status_code == 200 and len(seen) == 2


# -- MemoryReplayStore's steps ------------------------------------------------------------------------------


def test_claim_done_and_release_in_the_memory_store() -> None:
    store = MemoryReplayStore()
    assert isinstance(store, ClaimingReplayStore)
    first = store.claim("acc", "r", expires_at=NOW + 300, now=NOW, lease=30)
    assert (first.status, first.expires_at) == ("claimed", NOW + 300) and first.token
    assert store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 29, lease=30).status == "busy"
    assert store.claim("other", "r", expires_at=NOW + 300, now=NOW, lease=30).status == "claimed"  # apart
    assert not store.add_if_absent_scoped("acc", "r", NOW + 300, NOW)  # a claim is seen by ReplayGuard too
    store.release(first)
    second = store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 1, lease=30)
    assert second.status == "claimed" and second.token != first.token
    store.release(first)  # a stale release leaves the new claim alone
    assert store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 2, lease=30).status == "busy"
    store.done(second)
    assert store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 299, lease=30).status == "done"
    assert store.claim("acc", "r", expires_at=NOW + 700, now=NOW + 301, lease=30).status == "claimed"  # expired


def test_a_claim_whose_lease_ended_can_be_taken_again() -> None:
    store = MemoryReplayStore()
    lost = store.claim("acc", "r", expires_at=NOW + 300, now=NOW, lease=10)
    taken = store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 10.5, lease=10)
    assert taken.status == "claimed" and taken.token != lost.token
    store.release(lost)  # the dead receiver's late release does not free the new claim
    assert store.claim("acc", "r", expires_at=NOW + 300, now=NOW + 11, lease=10).status == "busy"
    assert len(store) == 1


def test_a_guard_and_a_receiver_share_done_marks() -> None:
    store = MemoryReplayStore()
    ReplayGuard(store).check_and_remember("r", NOW, create_ts=NOW, scope="acc")
    assert store.claim("acc", "r", expires_at=NOW + 300, now=NOW, lease=30).status == "done"


def test_a_store_of_add_if_absent_alone_is_still_a_replay_store_for_the_guard() -> None:
    class OldStore:
        def __init__(self) -> None:
            self.seen: set[str] = set()

        def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
            fresh = request_id not in self.seen
            self.seen.add(request_id)
            return fresh

    store = OldStore()
    assert isinstance(store, ReplayStore) and not isinstance(store, ClaimingReplayStore)
    guard = ReplayGuard(store)
    headers, body = delivery("order")
    uuid, secret, _ = ACCOUNT_A
    parse_webhook(headers, body, uuid=uuid, secret_key=secret, replay_guard=guard)
    with pytest.raises(Exception, match="already accepted"):
        parse_webhook(headers, body, uuid=uuid, secret_key=secret, replay_guard=guard)
    with pytest.raises(TypeError, match="ClaimingReplayStore"):
        WebhookReceiver(ACCOUNTS, store=store)  # type: ignore[arg-type]


def test_claim_is_a_value() -> None:
    claim = Claim("acc", "r", "claimed", NOW, "t")
    assert claim == Claim("acc", "r", "claimed", NOW, "t") and claim.status == "claimed"
