"""Every Python block of the README runs, as written and top to bottom, against a sandbox on 127.0.0.1,
and passes ``mypy --strict``; the retry table names exactly the operations the code retries."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from callbot_client.models import TaskCallback
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from callbot_sandbox.dialer import VirtualClock
from callbot_signing.wire import IDEMPOTENT_OPERATIONS

from .._support import PAYLOADS, REPO, delivery, mypy_strict, readme_blocks, run_readme_block
from ..conftest import call_info_list

pytestmark = pytest.mark.contract

README = (REPO / "README.md").read_text(encoding="utf-8")
blocks = readme_blocks
run = run_readme_block


def test_every_python_block_is_marked_and_checked_below() -> None:
    assert set(blocks()) == {
        "quick-start", "campaign", "types", "async", "errors", "receiver", "generated", "other-clients", "bulk"
    }  # fmt: skip


def test_the_client_blocks_run_top_to_bottom_on_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the bulk block writes its journal in the working directory
    account = Account("readme-uuid", "readme-secret-key")
    sandbox = Sandbox([account], virtual_clock=VirtualClock(time.time()))  # nothing is dialed meanwhile
    task = sandbox.state.create_task("my-task-0001", "scene-1", 0, account.uuid)
    sandbox.state.import_orders(task, call_info_list("order-0001", "order-0002"), new_batch=False)
    with serve_in_thread(sandbox.asgi_app()) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", account.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", account.secret_key)
        monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
        outputs: dict[str, list[str]] = {}
        for name in ("quick-start", "campaign", "types", "async", "errors", "generated", "other-clients", "bulk"):
            run(name)
            outputs[name] = capsys.readouterr().out.splitlines()
    assert outputs["quick-start"] == ["2 []"]
    assert sandbox.state.orders["order-0001"].state is OrderState.STOPPED
    assert outputs["campaign"] == ["250 orders"]
    assert outputs["types"] == ["250 10"]  # the virtual clock has not moved: nothing finished, ten stopped
    pong, finished = outputs["async"][0].split()
    assert (pong, finished) == ("hello", "0")
    assert [line.split()[:2] for line in outputs["errors"]] == [["refused:", "4"], ["refused:", "4"]]
    assert outputs["generated"] == ["1 0"]  # order-0002 was stopped by the quick start already
    assert outputs["other-clients"] == ["hello"]
    assert outputs["bulk"] == ["2500 accepted"]
    assert sum(order_id.startswith("bulk-") for order_id in sandbox.state.tasks["spring-2026"].order_ids) == 2500


async def test_the_readme_webhook_receiver_accepts_a_signed_callback_and_refuses_a_forged_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLBOT_UUID", "hook-uuid")
    monkeypatch.setenv("CALLBOT_SECRET_KEY", "hook-secret-key")
    namespace = run("receiver")
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


def test_every_python_block_passes_mypy_strict(tmp_path: Path) -> None:
    for name, code in blocks().items():
        (tmp_path / f"readme_{name.replace('-', '_')}.py").write_text(code, encoding="utf-8")
    result = mypy_strict(tmp_path, sorted(path.name for path in tmp_path.glob("readme_*.py")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_retry_table_names_the_operations_the_code_treats_as_idempotent() -> None:
    match = re.search(r"<!-- idempotent -->(.*?)<!-- /idempotent -->", README)
    assert match
    assert set(re.findall(r"`(\w+)`", match[1])) == IDEMPOTENT_OPERATIONS
