"""The client's examples in README.md and docs/client.md run, as written and in order, against a sandbox on
127.0.0.1; the webhook receiver of docs/webhooks.md accepts a signed delivery and refuses forged ones; the
retry lists of docs/client.md name exactly the operations the code retries. (Every block of the docs is
accounted for, and type-checked, in test_doc_blocks.py.)"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from callbot_sandbox.dialer import VirtualClock
from nxcloud_callbot.models import TaskCallback
from nxcloud_callbot.wire import IDEMPOTENT_OPERATIONS, NOT_IDEMPOTENT_OPERATIONS

from .._support import PAYLOADS, REPO, delivery, run_doc_block

pytestmark = pytest.mark.contract

#: The client examples, in the order a reader meets them (README.md, then docs/client.md): each builds on the
#: state the ones before it left in the sandbox.
CLIENT_EXAMPLES = ("quick-start", "campaign", "types", "errors", "async", "generated", "other-clients", "bulk")


def test_the_client_examples_run_in_order_on_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the bulk block writes its journal in the working directory
    account = Account("readme-uuid", "readme-secret-key")
    sandbox = Sandbox([account], virtual_clock=VirtualClock(time.time()))  # nothing is dialed meanwhile
    with serve_in_thread(sandbox.asgi_app()) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", account.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", account.secret_key)
        monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
        outputs: dict[str, list[str]] = {}
        for name in CLIENT_EXAMPLES:
            run_doc_block(name)
            outputs[name] = capsys.readouterr().out.splitlines()
    assert outputs["quick-start"] == ["hello", "2 []"]  # on a fresh sandbox, as a new user runs it
    assert sandbox.state.orders["order-0001"].state is OrderState.STOPPED
    assert outputs["campaign"] == ["250 orders"]
    assert outputs["types"] == ["250 10"]  # the virtual clock has not moved: nothing finished, ten stopped
    assert [line.split()[:2] for line in outputs["errors"]] == [["refused:", "4"], ["refused:", "4"]]
    pong, finished = outputs["async"][0].split()
    assert (pong, finished) == ("hello", "0")
    assert outputs["generated"] == ["1 0"]  # order-0002 was stopped by the quick start already
    assert outputs["other-clients"] == ["hello"]
    assert outputs["bulk"] == ["2500 accepted"]
    assert sum(order_id.startswith("bulk-") for order_id in sandbox.state.tasks["spring-2026"].order_ids) == 2500


async def test_the_webhook_receiver_accepts_a_signed_callback_and_refuses_a_forged_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLBOT_UUID", "hook-uuid")
    monkeypatch.setenv("CALLBOT_SECRET_KEY", "hook-secret-key")
    namespace = run_doc_block("receiver")
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


def test_the_retry_lists_name_the_operations_the_code_treats_as_idempotent_or_not() -> None:
    guide = (REPO / "docs" / "client.md").read_text(encoding="utf-8")
    for marker, operations in (("idempotent", IDEMPOTENT_OPERATIONS), ("not-idempotent", NOT_IDEMPOTENT_OPERATIONS)):
        match = re.search(rf"<!-- {marker} -->(.*?)<!-- /{marker} -->", guide)
        assert match, marker
        assert set(re.findall(r"`(\w+)`", match[1])) == operations
