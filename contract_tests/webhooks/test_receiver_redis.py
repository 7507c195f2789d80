"""WebhookReceiver on a real Redis (RedisReplayStore, sync and asyncio clients): exactly once across
receivers, lost claims, Redis down (fail closed) and back, key names and expiry, accounts kept apart."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
import redis
import redis.asyncio
from callbot_client.models import OrderCallback
from callbot_sandbox import serve_in_thread
from callbot_signing import (
    ClaimingReplayStore,
    Delivery,
    RedisReplayStore,
    ReplayGuard,
    ReplayGuardFullError,
    ReplayStoreUnavailableError,
    ScopedReplayStore,
    SignatureError,
    WebhookReceiver,
    parse_webhook,
)

from ._deliveries import ACCOUNT_A, ACCOUNT_B, ACCOUNTS, delivery, forged, post, wsgi_post
from .conftest import RedisServer

NOW = 1_800_000_000.0
PREFIX = "test:hooks:"


def receiver_on(client: Any, runs: Counter[str], *, fail_first: set[str] | None = None, **options: Any) -> Any:
    """A receiver with its own RedisReplayStore on ``client``, counting handler runs per requestID."""
    receiver = WebhookReceiver(ACCOUNTS, store=RedisReplayStore(client, prefix=PREFIX), **options)
    lock = threading.Lock()

    @receiver.on("order")
    def handle(delivery: Delivery[OrderCallback]) -> None:
        with lock:
            runs[delivery.request_id] += 1
            failing = fail_first is not None and delivery.request_id in fail_first
            if fail_first is not None:
                fail_first.discard(delivery.request_id)
        if failing:
            raise RuntimeError("the first run fails")
        time.sleep(0.01)  # a handler takes a moment: duplicates overlap it

    return receiver


def test_the_redis_store_is_a_claiming_and_scoped_replay_store(redis_client: redis.Redis) -> None:
    store = RedisReplayStore(redis_client, prefix=PREFIX)
    assert isinstance(store, ClaimingReplayStore) and isinstance(store, ScopedReplayStore)
    with pytest.raises(TypeError, match=r"redis\.Redis"):
        RedisReplayStore(object())


def test_two_receivers_on_one_redis_run_each_delivery_once_under_concurrent_duplicates(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    runs: Counter[str] = Counter()
    failing = {f"fail-{n}" for n in range(0, 60, 6)}  # a tenth of first runs raise
    receivers = [receiver_on(redis_server.client(), runs, fail_first=failing, busy_wait=0.5) for _ in range(2)]
    deliveries = [delivery("order", request_id=f"fail-{n}" if n % 6 == 0 else None) for n in range(60)]
    with (
        serve_in_thread(receivers[0].asgi_app()) as url_a,
        serve_in_thread(receivers[1].asgi_app()) as url_b,
        httpx.Client(timeout=10, limits=httpx.Limits(max_connections=100)) as client,
    ):
        answers: Counter[int] = Counter()

        def send(headers: dict[str, str], body: bytes, url: str) -> None:
            for _attempt in range(20):  # the platform retries until a 200 (bounded)
                status = client.post(f"{url}/callbot/order", content=body, headers=headers).status_code
                answers[status] += 1
                if status == 200:
                    return
                time.sleep(0.02)

        threads = [
            threading.Thread(target=send, args=(headers, body, url))
            for headers, body in deliveries
            for url in (url_a, url_b, url_a)  # each delivery sent three times, to both receivers at once
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    handled = {headers["requestID"] for headers, _ in deliveries}
    successes = {rid: count for rid, count in runs.items() if not rid.startswith("fail-")}
    assert set(runs) == handled
    assert all(count == 1 for count in successes.values())  # exactly once
    assert all(runs[rid] == 2 for rid in runs if rid.startswith("fail-"))  # failed once, then handled once
    assert answers[500] == 10


def test_a_handler_that_raises_answers_500_and_the_retry_to_another_receiver_is_handled(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    runs: Counter[str] = Counter()
    headers, body = delivery("order")
    first = receiver_on(redis_server.client(), runs, fail_first={headers["requestID"]})
    second = receiver_on(redis_server.client(), runs)
    assert wsgi_post(first.wsgi_app(), "/order", headers, body)[0] == 500
    assert wsgi_post(second.wsgi_app(), "/order", headers, body) == (200, "handled")
    assert wsgi_post(first.wsgi_app(), "/order", headers, body) == (200, "already handled")
    assert runs[headers["requestID"]] == 2


def test_a_receiver_killed_mid_handler_loses_its_claim_when_the_lease_ends(redis_client: redis.Redis) -> None:
    runs: Counter[str] = Counter()
    receiver = receiver_on(redis_client, runs, busy_wait=0)
    headers, body = delivery("order")
    dead = RedisReplayStore(redis_client, prefix=PREFIX)  # a receiver that claimed it, then was killed
    claim = dead.claim(ACCOUNT_A[0], headers["requestID"], expires_at=time.time() + 300, now=time.time(), lease=0.3)
    assert claim.status == "claimed"
    assert wsgi_post(receiver.wsgi_app(), "/order", headers, body)[0] == 503  # in progress elsewhere
    assert runs[headers["requestID"]] == 0
    deadline = time.monotonic() + 5
    status, text = wsgi_post(receiver.wsgi_app(), "/order", headers, body)
    while status == 503 and time.monotonic() < deadline:  # the platform retries
        time.sleep(0.05)
        status, text = wsgi_post(receiver.wsgi_app(), "/order", headers, body)
    assert (status, text) == (200, "handled") and runs[headers["requestID"]] == 1
    dead.release(claim)  # the dead receiver's late release cannot undo the done mark
    assert wsgi_post(receiver.wsgi_app(), "/order", headers, body) == (200, "already handled")


async def test_redis_down_answers_503_and_runs_no_handler_then_the_retries_are_handled(own_redis: RedisServer) -> None:
    runs: Counter[str] = Counter()
    client = own_redis.client(retries=False)
    receiver = receiver_on(client, runs)
    pending = [delivery("order") for _ in range(3)]
    own_redis.stop()
    for headers, body in pending:
        answer = await post(receiver.asgi_app(), "/order", headers, body)
        assert answer.status_code == 503 and answer.text.startswith("store unavailable")
        assert wsgi_post(receiver.wsgi_app(), "/order", headers, body)[0] == 503
    assert runs == Counter()
    own_redis.start()  # Redis back, on the same port
    for headers, body in pending:
        assert (await post(receiver.asgi_app(), "/order", headers, body)).text == "handled"
    assert sorted(runs.values()) == [1, 1, 1]


def test_an_unreachable_redis_is_a_typed_error_for_the_replay_guard(own_redis: RedisServer) -> None:
    store = RedisReplayStore(own_redis.client(retries=False))
    own_redis.stop()
    with pytest.raises(ReplayStoreUnavailableError, match="Redis did not answer"):
        ReplayGuard(store).check_and_remember("r", scope="acc")


def test_keys_are_prefixed_per_account_and_expire_at_create_ts_plus_the_window(redis_client: redis.Redis) -> None:
    runs: Counter[str] = Counter()
    receiver = receiver_on(redis_client, runs, max_clock_skew=120)
    headers, body = delivery("order", request_id="id:with/odd chars", age=30)
    assert wsgi_post(receiver.wsgi_app(), "/order", headers, body) == (200, "handled")
    keys = [key.decode() for key in redis_client.keys("*") if isinstance(key, bytes)]
    assert keys == [f"{PREFIX}seen:{ACCOUNT_A[0]}:id%3Awith%2Fodd%20chars"]
    assert redis_client.get(keys[0]) == b"done"
    expected = int(headers["createTs"]) + 120 + 5  # createTs + the window + the clock margin
    ttl = redis_client.pttl(keys[0]) / 1000
    assert expected - time.time() - 2 <= ttl <= expected - time.time() + 1


def test_a_claim_lasts_its_lease_and_a_release_frees_only_its_own_claim(redis_client: redis.Redis) -> None:
    store = RedisReplayStore(redis_client, prefix=PREFIX)
    claim = store.claim("acc", "r", expires_at=NOW, now=time.time(), lease=20)
    key = store.key("acc", "r")
    assert 19_000 < redis_client.pttl(key) <= 20_000 and redis_client.get(key) == f"claim:{claim.token}".encode()
    assert store.claim("acc", "r", expires_at=NOW, now=time.time(), lease=20).status == "busy"
    stale = type(claim)("acc", "r", "claimed", NOW, "not-the-token")
    store.release(stale)
    assert redis_client.exists(key)
    store.release(claim)
    assert not redis_client.exists(key)


def test_a_second_account_can_neither_claim_nor_block_the_firsts_deliveries(redis_client: redis.Redis) -> None:
    runs: Counter[str] = Counter()
    store = RedisReplayStore(redis_client, prefix=PREFIX, max_entries=4)
    receiver = WebhookReceiver(ACCOUNTS, store=store, busy_wait=0)
    receiver.on("order")(lambda d: runs.update([f"{d.account}/{d.request_id}"]))
    app = receiver.wsgi_app()
    # B holds an in-progress claim of an id, and fills its quota with the requestIDs A will use
    store.claim(ACCOUNT_B[0], "busy-id", expires_at=time.time() + 300, now=time.time(), lease=60)
    for n in range(3):
        assert wsgi_post(app, "/order", *delivery("order", account=ACCOUNT_B, request_id=f"shared-{n}"))[0] == 200
    assert wsgi_post(app, "/order", *delivery("order", account=ACCOUNT_B))[0] == 503  # B's quota is full
    for rid in ("shared-0", "shared-1", "shared-2", "busy-id"):
        assert wsgi_post(app, "/order", *delivery("order", account=ACCOUNT_A, request_id=rid)) == (200, "handled")
    assert sum(1 for key in runs if key.startswith(ACCOUNT_A[0])) == 4


def test_an_account_over_its_quota_gets_replay_guard_full_error(redis_client: redis.Redis) -> None:
    store = RedisReplayStore(redis_client, prefix=PREFIX, max_entries=1)
    assert store.add_if_absent_scoped("acc", "r1", NOW + 300, NOW)
    assert not store.add_if_absent_scoped("acc", "r1", NOW + 300, NOW)
    with pytest.raises(ReplayGuardFullError) as caught:
        store.add_if_absent_scoped("acc", "r2", NOW + 300, NOW)
    assert caught.value.account == "acc"
    assert store.add_if_absent_scoped("acc", "r2", NOW + 600, NOW + 306)  # r1 expired (+ the margin): room again


def test_replay_guard_on_redis_refuses_a_replay_across_processes(redis_server: RedisServer) -> None:
    uuid, secret, algorithm = ACCOUNT_A
    headers, body = delivery("order")
    guards = [ReplayGuard(RedisReplayStore(redis_server.client(), prefix=f"{PREFIX}{time.time_ns()}:"))]
    guards.append(ReplayGuard(RedisReplayStore(redis_server.client(), prefix=guards[0].store.prefix)))  # type: ignore[attr-defined]
    parse_webhook(headers, body, uuid=uuid, secret_key=secret, algorithm=algorithm, replay_guard=guards[0])
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body, uuid=uuid, secret_key=secret, algorithm=algorithm, replay_guard=guards[1])
    assert caught.value.rule == "replay"


async def test_an_asgi_receiver_with_an_asyncio_redis_client(redis_server: RedisServer) -> None:
    client = redis.asyncio.Redis(port=redis_server.port, socket_timeout=2)
    try:
        await client.flushall()
        store = RedisReplayStore(client, prefix=PREFIX)
        receiver = WebhookReceiver(ACCOUNTS, store=store)
        runs: list[str] = []

        @receiver.on("order")
        async def handle(delivery: Delivery[OrderCallback]) -> None:
            runs.append(delivery.request_id)
            if len(runs) == 1:
                raise RuntimeError("first run fails")

        app = receiver.asgi_app()
        headers, body = delivery("order")
        answers = [(await post(app, "/order", headers, body)).status_code for _ in range(3)]
        assert answers == [500, 200, 200] and len(runs) == 2
        assert (await post(app, "/order", *forged())).status_code == 400
        with pytest.raises(TypeError, match="asyncio client"):
            store.claim("a", "r", expires_at=NOW, now=NOW, lease=1)
        with pytest.raises(TypeError, match="sync client"):
            receiver.wsgi_app()
    finally:
        await client.aclose()


async def test_concurrent_duplicates_on_an_asyncio_client_run_the_handler_once(redis_server: RedisServer) -> None:
    clients = [redis.asyncio.Redis(port=redis_server.port, socket_timeout=2) for _ in range(2)]
    runs: Counter[str] = Counter()
    apps = []
    for client in clients:
        receiver = WebhookReceiver(ACCOUNTS, store=RedisReplayStore(client, prefix=f"{PREFIX}async:"))

        @receiver.on("order")
        async def handle(delivery: Delivery[OrderCallback]) -> None:
            runs[delivery.request_id] += 1
            await asyncio.sleep(0.05)

        apps.append(receiver.asgi_app())
    try:
        batch = [delivery("order") for _ in range(10)]
        answers = await asyncio.gather(*(post(app, "/order", *item) for item in batch for app in apps + apps))
        assert {answer.status_code for answer in answers} == {200}
        assert sorted(runs.values()) == [1] * 10
    finally:
        for client in clients:
            await client.aclose()


def test_the_done_mark_expiry_rounds_up_with_the_margin(redis_client: redis.Redis) -> None:
    store = RedisReplayStore(redis_client, prefix=PREFIX, margin=0)
    claim = store.claim("acc", "r", expires_at=time.time() + 100.2, now=time.time(), lease=5)
    store.done(claim)
    ttl = redis_client.pttl(store.key("acc", "r")) / 1000
    assert math.ceil(claim.expires_at) - time.time() - 1 <= ttl <= math.ceil(claim.expires_at) - time.time() + 0.01
