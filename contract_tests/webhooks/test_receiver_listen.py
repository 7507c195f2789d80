"""`callbot webhook listen`, run as a subprocess on a free port: prints each verified callback, refuses forged
ones naming the rule, forwards the signed bytes unchanged with --forward-to, and stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from callbot_client.models import OrderCallback
from callbot_sandbox import serve_in_thread
from callbot_signing import Delivery, WebhookReceiver

from ._deliveries import ACCOUNT_A, ACCOUNTS, delivery, forged
from .conftest import free_port

CALLBOT = str(Path(sys.executable).parent / "callbot")
READY_TIMEOUT = 20.0


@contextmanager
def listening(*options: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    environment = {**os.environ, "CALLBOT_UUID": ACCOUNT_A[0], "CALLBOT_SECRET_KEY": ACCOUNT_A[1],
                   "CALLBOT_ALGORITHM": ACCOUNT_A[2], "PYTHONUNBUFFERED": "1"}  # fmt: skip
    environment.pop("CALLBOT_PROFILE", None)
    command = [CALLBOT, "webhook", "listen", "--port", str(port), *options]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:  # bounded readiness poll
            try:
                if httpx.get(f"{url}/order", timeout=1).status_code == 405:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"callbot webhook listen did not answer on {url}: {process.communicate(timeout=5)}")
            time.sleep(0.05)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=10)
    return process.returncode, out, err


def test_listen_prints_each_verified_callback_and_refuses_forged_ones() -> None:
    with listening() as (url, process):
        order_headers, order_body = delivery("order")
        task_headers, task_body = delivery("task")
        assert httpx.post(f"{url}/order", content=order_body, headers=order_headers).text == "handled"
        assert httpx.post(f"{url}/order", content=order_body, headers=order_headers).text == "already handled"
        assert httpx.post(f"{url}/task", content=task_body, headers=task_headers).text == "handled"
        assert httpx.post(f"{url}/order", content=forged()[1], headers=forged()[0]).status_code == 400
        escape = httpx.post(f"{url}/order%1b%5b2J", content=forged()[1], headers=forged()[0])  # ESC [2J: clear screen
        assert escape.status_code == 400
        code, out, err = stop(process)
    assert "\x1b" not in out and "/order\\x1b[2J answered 400" in out  # printed escaped, not obeyed
    assert code == 130 and "aborted" in err
    lines = out.splitlines()
    assert lines[0].startswith(f"listening on {url} for account {ACCOUNT_A[0]}")
    printed = [line for line in lines[1:] if f" {ACCOUNT_A[0]} " in line]
    assert len(printed) == 2  # the retry is acknowledged, not printed again
    assert f"order {ACCOUNT_A[0]} {order_headers['requestID']} userTaskID=t-1 orderID=o-1" in printed[0]
    assert "finish=True callStatus=1" in printed[0]
    assert f"task  {ACCOUNT_A[0]} {task_headers['requestID']} userTaskID=t-1 taskID=T1 taskStatus=3" in printed[1]
    assert any("answered 400" in line and "refused (sign_mismatch)" in line for line in lines)
    assert ACCOUNT_A[1] not in out + err


def test_listen_forwards_the_signed_delivery_unchanged() -> None:
    downstream = WebhookReceiver(ACCOUNTS)  # your own receiver verifies what was forwarded
    got: list[str] = []

    @downstream.on("order")
    def handle(delivery: Delivery[OrderCallback]) -> None:
        got.append(delivery.request_id)

    with serve_in_thread(downstream.asgi_app()) as target, listening("--forward-to", f"{target}/hooks") as (url, p):
        headers, body = delivery("order")
        assert httpx.post(f"{url}/order", content=body, headers=headers).text == "handled"
        _, out, _ = stop(p)
    assert got == [headers["requestID"]]
    assert f"  -> {target}/hooks/order: HTTP 200 handled" in out


def test_listen_answers_500_when_the_forward_target_is_down_so_the_sender_retries() -> None:
    with listening("--forward-to", f"http://127.0.0.1:{free_port()}") as (url, process):
        headers, body = delivery("order")
        assert httpx.post(f"{url}/order", content=body, headers=headers).status_code == 500
        stop(process)


def test_listen_refuses_a_forward_url_that_is_not_http() -> None:
    environment = {**os.environ, "CALLBOT_UUID": ACCOUNT_A[0], "CALLBOT_SECRET_KEY": ACCOUNT_A[1]}
    done = subprocess.run([CALLBOT, "webhook", "listen", "--forward-to", "ftp://x"], env=environment,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "--forward-to" in done.stderr
