"""`callbot orders add` and its journal, in-process against a sandbox on 127.0.0.1: the journal names batches
(not their orders), a resume against a changed file is refused before anything is sent, and running the
command in-process leaves the caller's garbage collector as it found it."""

from __future__ import annotations

import csv
import gc
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from callbot_cli import main
from callbot_sandbox import Account, Sandbox, serve_in_thread

ACCOUNT = Account("journal-uuid", "journal-Secret-Key-3e8b1d")
TASK = "journal-campaign"


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    return sandbox


@pytest.fixture
def account(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with serve_in_thread(sandbox.asgi_app()) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", ACCOUNT.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT.secret_key)
        monkeypatch.setenv("CALLBOT_LOG", "")
        yield


def contacts(path: Path, rows: int, phone_prefix: str = "86138") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["orderID", "userPhone"])
        writer.writerows([f"q-{n:04d}", f"{phone_prefix}{n:08d}"] for n in range(rows))


def add(capsys: pytest.CaptureFixture[str], source: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["orders", "add", "--task", TASK, "--csv", str(source), "--batch-size", "40", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_journal_of_a_run_has_two_short_lines_per_batch_and_no_order_id(
    account: None, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "contacts.csv"
    contacts(source, 100)
    code, out, err = add(capsys, source)
    assert code == 0 and "100 orders: 100 accepted" in out, err
    journal = (tmp_path / "contacts.journal.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in journal.splitlines()]
    assert sorted(record["rows"] for record in records if "rows" in record) == [[0, 40], [40, 80], [80, 100]]
    assert sorted(record["done"] for record in records if "done" in record) == [1, 2, 3] and len(records) == 7
    assert "q-0001" not in journal and len(sandbox.state.tasks[TASK].order_ids) == 100


def test_resuming_against_a_changed_contacts_file_is_bad_input_and_sends_nothing(
    account: None, sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "contacts.csv"
    contacts(source, 50)
    assert add(capsys, source)[0] == 0
    contacts(source, 60, phone_prefix="86139")  # edited since: other phones, ten more rows
    code, _, err = add(capsys, source, "--resume")
    assert code == 2
    assert "was written for another input (the contacts file changed since?)" in err
    assert len(sandbox.state.tasks[TASK].order_ids) == 50
    assert sandbox.state.orders["q-0001"].user_phone == "8613800000001"


def test_the_command_run_in_process_leaves_the_garbage_collector_on_and_nothing_frozen(
    account: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command reads the contacts with the collector off and freezes them (bulk import at script cost):
    a caller that runs it in its own process gets both back as they were, also after an error."""
    source = tmp_path / "contacts.csv"
    contacts(source, 30)
    assert add(capsys, source)[0] == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert add(capsys, source)[0] == 2  # the journal exists: refused
    assert gc.isenabled() and gc.get_freeze_count() == 0
