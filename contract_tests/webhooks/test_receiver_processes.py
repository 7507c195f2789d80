"""Receivers in processes of their own (uvicorn for the ASGI app, the stdlib's WSGI server for the WSGI app)
sharing one real Redis: every delivery's side effect exactly once while duplicates go to several processes
at once and a tenth of first runs fail; a process killed with SIGKILL mid-handler; forged, stale and
foreign deliveries never handled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest
import redis

from .._support import REPO
from ._deliveries import STRANGER, delivery, forged
from .conftest import RedisServer, free_port

READY_TIMEOUT = 20.0
#: Deliveries and receiver processes of the exactly-once test; raise them for a soak run
#: (CALLBOT_RECEIVER_DELIVERIES=2000 CALLBOT_RECEIVER_PROCESSES=4).
DELIVERIES = int(os.environ.get("CALLBOT_RECEIVER_DELIVERIES", "60"))
PROCESSES = int(os.environ.get("CALLBOT_RECEIVER_PROCESSES", "3"))


@contextmanager
def receiver_process(
    redis_server: RedisServer, server: str, **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One receiver process on a free port; its URL once it answers (a bounded poll), stopped on exit."""
    port = free_port()
    if server == "asgi":
        command = [sys.executable, "-m", "uvicorn", "contract_tests.webhooks.receiver_app:app", "--port", str(port),
                   "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    else:
        command = [sys.executable, "-m", "contract_tests.webhooks.receiver_app", str(port)]
    environment = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0", **env}
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if httpx.get(f"{url}/order", timeout=1).status_code == 405:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the {server} receiver did not answer on {url} within {READY_TIMEOUT} s")
            time.sleep(0.05)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def deliver(client: httpx.Client, urls: list[str], headers: dict[str, str], body: bytes, answers: Counter[int]) -> None:
    """Send one delivery to every URL at once, each sender retrying like the platform until a 200 (bounded)."""

    def send(url: str) -> None:
        for _attempt in range(30):
            try:
                status = client.post(f"{url}/callbot/order", content=body, headers=headers).status_code
            except httpx.TransportError:  # a reset keep-alive connection under load: retried, as the platform does
                status = 0
            answers[status] += 1
            if status == 200:
                return
            time.sleep(0.05)

    threads = [threading.Thread(target=send, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


@pytest.mark.parametrize("server", ["asgi", pytest.param("wsgi", marks=pytest.mark.slow)])  # wsgi: make contract
def test_receiver_processes_on_one_redis_handle_every_delivery_exactly_once(
    server: str, redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    count = DELIVERIES
    genuine = [delivery("order", request_id=f"fail-{n}" if n % 10 == 0 else f"ok-{n}") for n in range(count)]
    refused = [forged() for _ in range(10)] + [delivery(age=3600) for _ in range(10)]
    refused += [delivery(account=STRANGER) for _ in range(10)]
    answers: Counter[int] = Counter()
    with ExitStack() as stack:
        urls = [stack.enter_context(receiver_process(redis_server, server))[0] for _ in range(PROCESSES)]
        client = stack.enter_context(httpx.Client(timeout=20, limits=httpx.Limits(max_connections=200)))
        senders = []
        for n, (headers, body) in enumerate(genuine):  # each to two or three processes at once
            width = 2 + n % (len(urls) - 1)  # two to all of them
            targets = [urls[(n + k) % len(urls)] for k in range(width)]
            senders.append(threading.Thread(target=deliver, args=(client, targets, headers, body, answers)))
        for n in range(0, len(senders), 20):  # twenty deliveries in flight at a time
            batch = senders[n : n + 20]
            for thread in batch:
                thread.start()
            for thread in batch:
                thread.join(120)
        for headers, body in refused:
            for url in urls:
                assert client.post(f"{url}/callbot/order", content=body, headers=headers).status_code == 400
    effects = {key.decode(): int(redis_client.get(key) or 0) for key in redis_client.scan_iter("effect:*")}
    assert len(effects) == count and set(effects.values()) == {1}
    assert answers[500] == count // 10  # each failing delivery failed once, and its retry was handled
    assert not any(key.startswith("effect:req-") for key in effects)  # no refused delivery handled


@pytest.mark.slow  # make contract; the lease taken over in one process: test_receiver_redis.py
def test_a_receiver_killed_mid_handler_has_its_delivery_handled_once_by_another_after_the_lease(
    redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    headers, body = delivery("order", request_id="slow-1")
    with (
        receiver_process(redis_server, "asgi", LEASE="2", BUSY_WAIT="0") as (doomed_url, doomed),
        receiver_process(redis_server, "asgi", LEASE="2", BUSY_WAIT="0", SLOW_SECONDS="0") as (other_url, _),
        httpx.Client(timeout=30) as client,
    ):
        lost: list[BaseException] = []

        def post_to_the_doomed() -> None:
            try:
                client.post(f"{doomed_url}/order", content=body, headers=headers)
            except httpx.TransportError as exc:  # the process dies under it
                lost.append(exc)

        first = threading.Thread(target=post_to_the_doomed)
        first.start()
        deadline = time.monotonic() + 10
        while not redis_client.exists("started:slow-1") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert redis_client.exists("started:slow-1")
        doomed.send_signal(signal.SIGKILL)  # mid-handler
        doomed.wait(5)
        first.join(10)
        assert lost, "the killed receiver answered"
        killed_at = time.monotonic()
        statuses = []
        while time.monotonic() < killed_at + 10:  # the platform retries, to another process
            statuses.append(client.post(f"{other_url}/order", content=body, headers=headers).status_code)
            if statuses[-1] == 200:
                break
            time.sleep(0.1)
        assert statuses[0] == 503 and statuses[-1] == 200  # refused while the dead claim's lease ran, then handled
        assert time.monotonic() - killed_at < 2 + 2  # within about the lease
        assert client.post(f"{other_url}/order", content=body, headers=headers).text == "already handled"
    assert redis_client.get("effect:slow-1") == b"1"


def test_redis_stopped_every_delivery_gets_503_and_none_is_handled_then_the_retries_are_handled(
    own_redis: RedisServer,
) -> None:
    pending = [delivery("order") for _ in range(10)]
    with receiver_process(own_redis, "asgi") as (url, _), httpx.Client(timeout=10) as client:
        own_redis.stop()
        for headers, body in pending:
            assert client.post(f"{url}/order", content=body, headers=headers).status_code == 503
        own_redis.start()
        for headers, body in pending:
            assert client.post(f"{url}/order", content=body, headers=headers).text == "handled"
    effects = own_redis.client()
    try:
        assert [effects.get(f"effect:{headers['requestID']}") for headers, _ in pending] == [b"1"] * 10
    finally:
        effects.close()
