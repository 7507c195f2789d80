"""The result CSV of `callbot orders add` and the results of add_orders in a fresh run, as the fast paths write
and make them: every line exactly what Python's csv module writes (orderIDs that need quoting, messages,
invalid rows between accepted ones, more lines than one write holds), statuses counted right, and each result
an ordinary frozen OrderResult. The command runs in-process against a sandbox on 127.0.0.1."""

from __future__ import annotations

import csv
import dataclasses
import io
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from callbot_cli import main
from callbot_client.models import CallOrder
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_signing import Callbot
from nxcloud_callbot import OrderResult, add_orders

ACCOUNT = Account("results-uuid", "results-Secret-Key-4b8d21")
TASK = "results-task"
PLAIN = 5_000  # more accepted rows than the command writes at once (4,096), over several batches


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    with serve_in_thread(sandbox.asgi_app()) as served:
        monkeypatch.setenv("CALLBOT_BASE_URL", served)
        monkeypatch.setenv("CALLBOT_UUID", ACCOUNT.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT.secret_key)
        monkeypatch.delenv("CALLBOT_PROFILE", raising=False)
        yield served


def test_the_result_csv_is_what_the_csv_module_writes_for_every_kind_of_row(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    taken = [CallOrder(order_id=order_id, user_phone="8613999999999") for order_id in ("taken,1", "taken-2")]
    with Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot:  # orders holding these IDs with other data
        assert [result.status for result in add_orders(callbot, TASK, taken)] == ["accepted", "accepted"]
    cells = [
        ["plain-0", "8613800000000"],
        ["comma,1", "8613800000001"],
        ['quote"2', "8613800000002"],
        ["bad-phone", "12"],  # invalid, between accepted rows
        ["taken,1", "8613800000003"],  # refused, with a message that needs quoting
        ["taken-2", "8613800000005"],  # refused, an orderID that does not
        *([f"p-{n:05d}", f"86137{n:08d}"] for n in range(PLAIN)),
        ["short-row"],  # invalid, after more lines than one write
        ["last", "8613800000004"],
    ]
    contacts = tmp_path / "contacts.csv"
    with contacts.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["orderID", "userPhone"], *cells])
    code = main(["orders", "add", "--task", TASK, "--csv", str(contacts), "--skip-invalid", "--batch-size", "1000"])
    out = capsys.readouterr().out
    assert code == 3 and f"{PLAIN + 6} orders: {PLAIN + 4} accepted, 2 refused, 2 invalid rows skipped." in out

    written = (tmp_path / "contacts.result.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(written.decode("utf-8"), newline="")))
    canonical = io.StringIO(newline="")
    csv.writer(canonical).writerows(rows)
    assert written == canonical.getvalue().encode("utf-8")  # byte for byte what the csv module writes
    expected_ids = [row[0] for row in cells]
    assert rows[0] == ["line", "orderID", "status", "message"]
    assert [row[0] for row in rows[1:]] == [str(line) for line in range(2, len(cells) + 2)]
    assert [row[1] for row in rows[1:]] == expected_ids
    statuses = {row[1]: row[2] for row in rows[1:]}
    assert statuses["bad-phone"] == statuses["short-row"] == "invalid"
    accepted = [row for row in rows[1:] if row[2] == "accepted"]
    assert len(accepted) == PLAIN + 4 and all(row[3] == "" for row in accepted)
    refused = [row for row in rows[1:] if row[2] == "refused"]
    assert [row[1] for row in refused] == ["taken,1", "taken-2"]
    for row in refused:
        assert f"{row[1]!r} already exists in the task with other data (its userPhone differs)" in row[3]


def test_the_results_of_a_fresh_run_are_ordinary_frozen_order_results(url: str) -> None:
    orders = [CallOrder(order_id=f"f-{n}", user_phone=f"86136{n:08d}") for n in range(2_500)]
    with Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot:
        results = add_orders(callbot, TASK, orders, batch_size=1_000)
    assert results == [OrderResult(f"f-{n}", "accepted") for n in range(2_500)]
    first = results[0]
    assert hash(first) == hash(OrderResult("f-0", "accepted", "")) and pickle.loads(pickle.dumps(first)) == first
    assert dataclasses.asdict(first) == {"order_id": "f-0", "status": "accepted", "message": ""}
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.status = "refused"  # type: ignore[misc]
