"""The docs' receiver examples, run: Starlette (ASGI, the account from the environment) and Flask (WSGI,
two accounts, claims in a real Redis)."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest
import redis
from starlette.testclient import TestClient

from ._deliveries import ACCOUNT_A, ACCOUNT_B, delivery, forged
from .conftest import RedisServer


def load(name: str) -> ModuleType:
    """The example module, imported afresh (it reads the environment when imported)."""
    sys.modules.pop(f"contract_tests.webhooks.{name}", None)
    return importlib.import_module(f"contract_tests.webhooks.{name}")


def test_the_starlette_example_receives_callbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_UUID", ACCOUNT_A[0])
    monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT_A[1])
    monkeypatch.setenv("CALLBOT_ALGORITHM", ACCOUNT_A[2])
    example = load("example_starlette")
    with TestClient(example.app) as client:
        headers, body = delivery("order")
        assert client.post("/callbot/order", content=body, headers=headers).text == "handled"
        assert client.post("/callbot/order", content=body, headers=headers).text == "already handled"
        task_headers, task_body = delivery("task")
        assert client.post("/callbot/task", content=task_body, headers=task_headers).text == "handled"
        assert client.post("/callbot/order", content=forged()[1], headers=forged()[0]).status_code == 400
    assert example.finished_orders == ["o-1"]


def test_the_flask_example_receives_callbacks_of_two_accounts_with_redis(
    monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer, redis_client: redis.Redis
) -> None:
    monkeypatch.setenv("SHOP_UUID", ACCOUNT_A[0])
    monkeypatch.setenv("SHOP_SECRET_KEY", ACCOUNT_A[1])
    monkeypatch.setenv("CLINIC_UUID", ACCOUNT_B[0])
    monkeypatch.setenv("CLINIC_SECRET_KEY", ACCOUNT_B[1])
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{redis_server.port}/0")
    example = load("example_flask")
    client = example.app.test_client()
    for account in (ACCOUNT_A, ACCOUNT_B):
        headers, body = delivery("call", account=account)
        assert client.post("/callbot/call", data=body, headers=headers).text == "handled"
        assert client.post("/callbot/call", data=body, headers=headers).text == "already handled"
    assert client.post("/callbot/call", data=forged("call")[1], headers=forged("call")[0]).status_code == 400
    assert example.calls == [(ACCOUNT_A[0], "o-1"), (ACCOUNT_B[0], "o-1")]
    assert len(redis_client.keys("myapp:callbot:seen:*")) == 2
