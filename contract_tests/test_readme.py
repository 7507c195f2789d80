"""The README's usage example runs, as written, against a sandbox on 127.0.0.1."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from callbot_client.models import TaskCallback
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread

from .conftest import REPO, call_info_list
from .test_webhooks import PAYLOADS, delivery

pytestmark = pytest.mark.contract


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- The block below is run by .*? -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the marked python block is missing from README.md"
    return match.group(1)


def test_the_readme_example_stops_orders_on_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    account = Account("readme-uuid", "readme-secret-key")
    sandbox = Sandbox([account])
    task = sandbox.state.create_task("my-task-0001", "scene-1", 0, account.uuid)
    sandbox.state.import_orders(task, call_info_list("order-0001"), new_batch=False)
    with serve_in_thread(sandbox.asgi_app()) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", account.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", account.secret_key)
        exec(compile(readme_example(), "README.md", "exec"), {})
    printed = capsys.readouterr().out.split(" ", 2)
    assert printed[:2] == ["0", "1"]
    assert "order-0002" in printed[2] and "not found" in printed[2]
    assert sandbox.state.orders["order-0001"].state is OrderState.STOPPED


def readme_receiver() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- The receiver below is run by .*? -->\n```python\n(.*?)```", text, re.DOTALL)
    assert match, "the marked receiver block is missing from README.md"
    return match.group(1)


async def test_the_readme_webhook_receiver_accepts_a_signed_callback_and_refuses_a_forged_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLBOT_UUID", "hook-uuid")
    monkeypatch.setenv("CALLBOT_SECRET_KEY", "hook-secret-key")
    namespace: dict[str, Any] = {}
    exec(compile(readme_receiver(), "README.md", "exec"), namespace)
    headers, body = delivery(PAYLOADS["task"])
    transport = httpx.ASGITransport(app=namespace["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://receiver.local") as platform:
        accepted = await platform.post("/callbot/task", content=body, headers=headers)
        replayed = await platform.post("/callbot/task", content=body, headers=headers)
        forged = await platform.post("/callbot/task", content=body, headers={**headers, "requestID": "other"})
    assert (accepted.status_code, accepted.text) == (200, "ok")
    assert replayed.status_code == 400 and "replay" in replayed.text
    assert forged.status_code == 400 and "does not match" in forged.text
    (event,) = namespace["received"]
    assert isinstance(event, TaskCallback) and event.task_stat.total_call == 3
