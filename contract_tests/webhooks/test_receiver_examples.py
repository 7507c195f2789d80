"""The receivers of docs/webhooks.md, run as written: under FastAPI (asgi_app), Flask (wsgi_app mounted) and
Django (a view calling handle()), and two replicas sharing a real Redis. Each gets a genuine signed delivery
and runs its handler once; the replay is answered 200 "already handled" without running it again; a forged
one is refused with 400. (test_doc_blocks type-checks the same blocks.)"""

from __future__ import annotations

import types
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from .._support import run_doc_block
from ._deliveries import ACCOUNT_A, ACCOUNT_B, delivery, forged, wsgi_post
from .conftest import RedisServer


@pytest.fixture
def account_a(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment's account, which the FastAPI, Flask and Django receivers serve."""
    monkeypatch.setenv("CALLBOT_UUID", ACCOUNT_A[0])
    monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT_A[1])
    monkeypatch.setenv("CALLBOT_ALGORITHM", ACCOUNT_A[2])


@pytest.mark.usefixtures("account_a")
def test_the_fastapi_receiver_handles_a_delivery_once_and_acknowledges_its_replay(
    capsys: pytest.CaptureFixture[str],
) -> None:
    namespace = run_doc_block("receiver-fastapi", {"__name__": "receiver"})
    with TestClient(namespace["app"]) as client:
        headers, body = delivery("order")
        first = client.post("/callbot/order", content=body, headers=headers)
        again = client.post("/callbot/order", content=body, headers=headers)
        task_headers, task_body = delivery("task")
        task = client.post("/callbot/task", content=task_body, headers=task_headers)
        refused = client.post("/callbot/order", content=forged()[1], headers=forged()[0])
    assert (first.status_code, first.text) == (200, "handled")
    assert (again.status_code, again.text) == (200, "already handled")
    assert (task.status_code, task.text) == (200, "handled")
    assert refused.status_code == 400 and "refused (sign_mismatch)" in refused.text
    assert namespace["finished_orders"] == ["o-1"]
    assert capsys.readouterr().out.count("status 3") == 1


@pytest.mark.usefixtures("account_a")
def test_the_flask_receiver_handles_a_delivery_once_and_acknowledges_its_replay() -> None:
    namespace = run_doc_block("receiver-flask", {"__name__": "receiver"})
    client = namespace["app"].test_client()
    headers, body = delivery("call")
    first = client.post("/callbot/call", data=body, headers=headers)
    again = client.post("/callbot/call", data=body, headers=headers)
    refused = client.post("/callbot/call", data=forged("call")[1], headers=forged("call")[0])
    assert (first.status_code, first.text) == (200, "handled")
    assert (again.status_code, again.text) == (200, "already handled")
    assert refused.status_code == 400
    assert client.get("/callbot/call").status_code == 405
    assert namespace["ended_calls"] == ["o-1"]


def django_client(urlpatterns: list[Any]) -> Any:
    """A Django test client (CSRF checks on, as in a real project) of a project whose urls.py is the block."""
    import django
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    if not settings.configured:
        settings.configure(
            ALLOWED_HOSTS=["testserver"],
            SECRET_KEY="docs-test-only",
            MIDDLEWARE=["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
            INSTALLED_APPS=[],
        )
        django.setup()
    urls = types.ModuleType("docs_receiver_urls")
    urls.urlpatterns = urlpatterns  # type: ignore[attr-defined]
    override = override_settings(ROOT_URLCONF=urls)
    override.enable()
    return Client(enforce_csrf_checks=True), override


@pytest.mark.usefixtures("account_a")
def test_the_django_receiver_handles_a_delivery_once_and_acknowledges_its_replay() -> None:
    namespace = run_doc_block("receiver-django", {"__name__": "receiver"})
    client, override = django_client(namespace["urlpatterns"])
    try:
        headers, body = delivery("order")
        sent = {"content_type": "application/json", "headers": headers}
        first = client.post("/callbot/order", data=body, **sent)
        again = client.post("/callbot/order", data=body, **sent)
        refused = client.post("/callbot/order", data=forged()[1], content_type="application/json", headers=forged()[0])
        not_post = client.get("/callbot/order")
    finally:
        override.disable()
    assert (first.status_code, first.content) == (200, b"handled")
    assert (again.status_code, again.content) == (200, b"already handled")
    assert refused.status_code == 400 and b"refused (sign_mismatch)" in refused.content
    assert not_post.status_code == 405
    assert namespace["finished_orders"] == ["o-1"]


def test_two_replicas_of_the_redis_receiver_handle_each_delivery_once(
    monkeypatch: pytest.MonkeyPatch,
    redis_server: RedisServer,
    redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SHOP_UUID", ACCOUNT_A[0])
    monkeypatch.setenv("SHOP_SECRET_KEY", ACCOUNT_A[1])
    monkeypatch.setenv("CLINIC_UUID", ACCOUNT_B[0])
    monkeypatch.setenv("CLINIC_SECRET_KEY", ACCOUNT_B[1])
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{redis_server.port}/0")
    replicas = [run_doc_block("receiver-redis", {"__name__": "receiver"})["app"] for _ in range(2)]
    for account in (ACCOUNT_A, ACCOUNT_B):
        headers, body = delivery("call", account=account)
        assert wsgi_post(replicas[0], "/call", headers, body) == (200, "handled")
        assert wsgi_post(replicas[1], "/call", headers, body) == (200, "already handled")
    assert wsgi_post(replicas[1], "/call", *forged("call"))[0] == 400
    handled = capsys.readouterr().out.splitlines()
    assert handled == [f"call ended: {ACCOUNT_A[0]} o-1", f"call ended: {ACCOUNT_B[0]} o-1"]
    assert len(redis_client.keys("myapp:callbot:seen:*")) == 2
