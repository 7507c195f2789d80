"""`callbot orders add|stop` as a user runs them (the real command, in a subprocess) against a sandbox on
127.0.0.1: 25,000 orders, lost answers, an interrupted run resumed, and the secret key nowhere to be seen."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from callbot_signing import Callbot

from .dropping_proxy import dropping_proxy

pytestmark = pytest.mark.contract

CALLBOT = str(Path(sys.executable).parent / "callbot")
ACCOUNT = Account("orders-uuid", "orders-Secret-Key-7f3a9c")
TASK = "campaign-25k"
ROWS = 25_000
RUN_LIMIT = 120  # seconds any one command may take


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    return sandbox


@pytest.fixture
def url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_thread(sandbox.asgi_app()) as served:
        yield served


def contacts(path: Path, rows: int = ROWS) -> list[str]:
    ids = [f"c-{n:06d}" for n in range(rows)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["orderID", "userPhone", "userName", "param.name"])
        writer.writerows([order_id, f"86138{n:08d}", f"User {n}", f"N{n}"] for n, order_id in enumerate(ids))
    return ids


def env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CALLBOT_BASE_URL": url,
        "CALLBOT_UUID": ACCOUNT.uuid,
        "CALLBOT_SECRET_KEY": ACCOUNT.secret_key,
        "CALLBOT_LOG": "",
        **extra,
    }


def callbot(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CALLBOT, *args], capture_output=True, text=True, env=environment, timeout=RUN_LIMIT)


def results(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["orderID"]: (row["status"], row["message"]) for row in csv.DictReader(handle)}


def assert_each_order_once(sandbox: Sandbox, ids: list[str]) -> None:
    in_task = sandbox.state.tasks[TASK].order_ids
    assert len(in_task) == len(ids) and set(in_task) == set(ids)
    assert all(sandbox.state.orders[order_id].user_task_id == TASK for order_id in ids)


def assert_secret_absent(*texts: str) -> None:
    for text in texts:
        assert ACCOUNT.secret_key not in text


def test_orders_add_imports_25000_rows_in_batches_and_writes_the_result_csv(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    ids = contacts(tmp_path / "contacts.csv")
    started = time.perf_counter()
    run = callbot("orders", "add", "--task", TASK, "--csv", str(tmp_path / "contacts.csv"), environment=env(url))
    elapsed = time.perf_counter() - started
    assert run.returncode == 0, run.stderr
    assert f"{ROWS} orders: {ROWS} accepted" in run.stdout
    assert_each_order_once(sandbox, ids)
    order = sandbox.state.orders["c-000007"]
    assert (order.user_phone, order.user_name, order.params) == ("8613800000007", "User 7", [{"name": "name", "value": "N7"}])
    outcome = results(tmp_path / "contacts.result.csv")
    assert list(outcome) == ids and set(outcome.values()) == {("accepted", "")}
    journal = (tmp_path / "contacts.journal.jsonl").read_text()
    assert_secret_absent(run.stdout, run.stderr, journal, (tmp_path / "contacts.result.csv").read_text())
    assert elapsed < 30, f"25,000 orders took {elapsed:.1f} s"


def test_lost_answers_are_reconciled_so_that_every_order_lands_exactly_once(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    """Batches 2 and 7 are carried out but their answers lost; batch 5 is lost before the sandbox sees it."""
    ids = contacts(tmp_path / "contacts.csv")
    plan = {2: "drop_after", 5: "drop_before", 7: "drop_after"}
    with dropping_proxy(url, plan) as proxy:
        run = callbot(
            "orders", "add", "--task", TASK, "--csv", str(tmp_path / "contacts.csv"), "--batch-size", "2500",
            environment=env(proxy.url),
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert_each_order_once(sandbox, ids)
    assert set(proxy.carried.values()) == {1} and set(proxy.carried) == set(ids)
    # Only the orders of the batch that never reached the sandbox were sent a second time.
    resent = {order_id for order_id, count in proxy.sent.items() if count > 1}
    assert len(resent) == 2500 and max(proxy.sent.values()) == 2
    outcome = results(tmp_path / "contacts.result.csv")
    assert {status for status, _ in outcome.values()} == {"accepted"}
    reconciled = [order_id for order_id, (_, message) in outcome.items() if message.startswith("found in the task")]
    assert len(reconciled) == 5000 and not set(reconciled) & resent


def test_an_interrupted_run_resumes_from_its_journal_without_sending_an_order_twice(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    """Killed (SIGKILL) while batch 2's answer is on its way; resumed; the secret is in no output or `ps`.
    The account comes from a profile file here, so it is not even in the process's environment."""
    ids = contacts(tmp_path / "contacts.csv")
    profile = tmp_path / "account.toml"
    profile.write_text(f'uuid = "{ACCOUNT.uuid}"\nsecret_key = "{ACCOUNT.secret_key}"\n')
    profile.chmod(0o600)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CALLBOT_")}
    args = ["--profile", str(profile), "orders", "add", "--task", TASK, "--csv", str(tmp_path / "contacts.csv")]
    args += ["--batch-size", "2500", "--concurrency", "1"]
    with dropping_proxy(url, {2: "hang_after"}) as proxy:
        process = subprocess.Popen(
            [CALLBOT, *args], env={**environment, "CALLBOT_BASE_URL": proxy.url}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert proxy.hung.wait(RUN_LIMIT), "the second batch never arrived"
            seen_by_ps = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, timeout=30).stdout
            command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
            environ = Path(f"/proc/{process.pid}/environ").read_bytes().decode(errors="replace")
            process.send_signal(signal.SIGKILL)
            first_out, first_err = process.communicate(timeout=RUN_LIMIT)
        finally:
            process.kill()
    assert "orders add" in seen_by_ps and "--profile" in command_line
    assert_secret_absent(seen_by_ps, command_line, environ, first_out, first_err)
    assert len(sandbox.state.tasks[TASK].order_ids) == 5000  # batch 2 was carried out, its answer never read
    journal = tmp_path / "contacts.journal.jsonl"
    again = callbot(*args, environment={**environment, "CALLBOT_BASE_URL": url})
    assert again.returncode == 2 and "--resume" in again.stderr  # the journal exists: refused, nothing sent
    with dropping_proxy(url, {}) as proxy:
        resumed = callbot(*args, "--resume", environment={**environment, "CALLBOT_BASE_URL": proxy.url})
    assert resumed.returncode == 0, resumed.stderr
    assert_each_order_once(sandbox, ids)
    assert set(proxy.sent) == set(ids[5000:]) and set(proxy.sent.values()) == {1}
    outcome = results(tmp_path / "contacts.result.csv")
    assert {status for status, _ in outcome.values()} == {"accepted"} and list(outcome) == ids
    assert sum(message.startswith("found in the task") for _, message in outcome.values()) == 2500
    assert_secret_absent(resumed.stdout, resumed.stderr, journal.read_text(), (tmp_path / "contacts.result.csv").read_text())


def test_invalid_rows_are_reported_with_their_line_and_nothing_is_sent(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text("orderID,userPhone\nok-1,8613800000001\n,8613800000002\nok-3,86-138\nok-1,8613800000004\n")
    run = callbot("orders", "add", "--task", TASK, "--csv", str(source), environment=env(url))
    assert run.returncode == 2
    assert f"{source}:3: orderID is empty" in run.stderr
    assert f"{source}:4: userPhone '86-138'" in run.stderr
    assert f"{source}:5: orderID 'ok-1' repeats line 2" in run.stderr
    assert not sandbox.state.tasks[TASK].order_ids and not (tmp_path / "contacts.journal.jsonl").exists()
    skipped = callbot("orders", "add", "--task", TASK, "--csv", str(source), "--skip-invalid", environment=env(url))
    assert skipped.returncode == 0, skipped.stderr
    assert sandbox.state.tasks[TASK].order_ids == ["ok-1"]
    rows = list(csv.reader((tmp_path / "contacts.result.csv").open()))
    assert [row[:3] for row in rows] == [
        ["line", "orderID", "status"], ["2", "ok-1", "accepted"], ["3", "", "invalid"], ["4", "", "invalid"],
        ["5", "", "invalid"],
    ]  # fmt: skip


def test_orders_stop_writes_stopped_or_the_services_reason_per_order(sandbox: Sandbox, url: str, tmp_path: Path) -> None:
    with Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as client:
        from callbot_client.models import CallInfoList, CallOrder

        orders = [CallOrder(order_id=f"s-{n}", user_phone="8613800000000") for n in range(1, 5)]
        client.add_batch_call(
            user_task_id=TASK, call_info_list=CallInfoList(call_list=orders, call_callback_url="", order_callback_url="")
        )
    sandbox.state.orders["s-4"].state = OrderState.DIALED
    listed = tmp_path / "stop.csv"
    listed.write_text("orderID,note\ns-1,a\ns-2,b\ns-4,c\nnever-added,d\n")
    run = callbot("orders", "stop", "--task", TASK, "--csv", str(listed), "--batch-size", "2", environment=env(url))
    assert run.returncode == 3, run.stderr  # some orders were refused
    assert "4 orders: 2 stopped, 2 refused" in run.stdout
    outcome = results(tmp_path / "stop.stop-result.csv")
    assert outcome["s-1"] == ("stopped", "") and outcome["s-2"] == ("stopped", "")
    assert outcome["s-4"][0] == "refused" and outcome["never-added"][0] == "refused"
    assert sandbox.state.orders["s-1"].state is OrderState.STOPPED
    assert sandbox.state.orders["s-3"].state is OrderState.UNDIALED
    refused = callbot("orders", "stop", "--task", TASK, "--csv", str(listed), "--delete", environment=env(url))
    assert refused.returncode == 2 and "--yes" in refused.stderr  # no terminal to confirm at: nothing sent
    assert not any(order.data_deleted for order in sandbox.state.orders.values())
