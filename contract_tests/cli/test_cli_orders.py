"""`callbot orders add|stop` as a user runs them (the real command, in a subprocess) against a sandbox on
127.0.0.1: 25,000 orders, lost answers, a killed run resumed, and the secret key nowhere to be seen. The cases
that only check input handling run the command in-process (``callbot_cli.main``)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from callbot_cli import add_orders, main, stop_orders
from callbot_client.models import CallInfoList, CallOrder
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from callbot_signing import Callbot

from ..dropping_proxy import dropping_proxy

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


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command in-process (its Click main, as the console script runs it): no interpreter start-up."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def use_account(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name, value in env(url).items():
        monkeypatch.setenv(name, value)


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
    assert (order.user_phone, order.user_name, order.params) == (
        "8613800000007",
        "User 7",
        [{"name": "name", "value": "N7"}],
    )
    outcome = results(tmp_path / "contacts.result.csv")
    assert list(outcome) == ids and set(outcome.values()) == {("accepted", "")}
    journal = (tmp_path / "contacts.journal.jsonl").read_text()
    assert_secret_absent(run.stdout, run.stderr, journal, (tmp_path / "contacts.result.csv").read_text())
    assert elapsed < 30, f"25,000 orders took {elapsed:.1f} s"


def test_lost_answers_and_a_killed_run_end_with_every_order_in_the_task_exactly_once(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    """25,000 orders in batches of 1,000, two at a time. The first run loses batch 2's answer after the sandbox
    carried it out and batch 4 before the sandbox saw it, and is killed (SIGKILL) while batch 9's answer is on
    its way. The resumed run loses one more answer. Lost answers are reconciled (listOrder) and only what is not
    in the task is sent again. `ps` shows no secret (the account comes from a profile file, so it is not even in
    the environment), and neither do the outputs, the journal or the result CSV.
    (Batches of 1,000: the sandbox's listOrder filter costs orders x IDs, so smaller lookups keep this fast.)"""
    ids = contacts(tmp_path / "contacts.csv")
    profile = tmp_path / "account.toml"
    profile.write_text(f'uuid = "{ACCOUNT.uuid}"\nsecret_key = "{ACCOUNT.secret_key}"\n')
    profile.chmod(0o600)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CALLBOT_")}
    args = ["--profile", str(profile), "orders", "add", "--task", TASK, "--csv", str(tmp_path / "contacts.csv")]
    args += ["--batch-size", "1000", "--concurrency", "2"]
    sent: Counter[str] = Counter()
    carried: Counter[str] = Counter()
    with dropping_proxy(url, {2: "drop_after", 4: "drop_before", 9: "hang_after"}) as proxy:
        process = subprocess.Popen(
            [CALLBOT, *args], env={**environment, "CALLBOT_BASE_URL": proxy.url}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert proxy.hung.wait(RUN_LIMIT), "the ninth batch never arrived"
            seen_by_ps = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True, timeout=30).stdout
            command_line = Path(f"/proc/{process.pid}/cmdline").read_bytes().decode(errors="replace")
            environ = Path(f"/proc/{process.pid}/environ").read_bytes().decode(errors="replace")
            process.send_signal(signal.SIGKILL)
            first_out, first_err = process.communicate(timeout=RUN_LIMIT)
        finally:
            process.kill()
    sent.update(proxy.sent)  # the proxy is closed: the requests it was handling are counted
    carried.update(proxy.carried)
    assert "orders add" in seen_by_ps and "--profile" in command_line
    assert_secret_absent(seen_by_ps, command_line, environ, first_out, first_err)
    landed = len(sandbox.state.tasks[TASK].order_ids)
    assert 7000 <= landed < ROWS

    again = callbot(*args, environment={**environment, "CALLBOT_BASE_URL": url})
    assert again.returncode == 2 and "--resume" in again.stderr  # the journal exists: refused, nothing sent
    assert len(sandbox.state.tasks[TASK].order_ids) == landed

    with dropping_proxy(url, {3: "drop_after"}) as proxy:
        resumed = callbot(*args, "--resume", environment={**environment, "CALLBOT_BASE_URL": proxy.url})
    sent.update(proxy.sent)
    carried.update(proxy.carried)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{ROWS} orders: {ROWS} accepted" in resumed.stdout
    assert_each_order_once(sandbox, ids)
    assert set(carried) == set(ids) and set(carried.values()) == {1}
    # Only the batch that never reached the sandbox was sent again, once.
    twice = {order_id for order_id, count in sent.items() if count > 1}
    assert len(twice) == 1000 and max(sent.values()) == 2
    outcome = results(tmp_path / "contacts.result.csv")
    assert list(outcome) == ids and {status for status, _ in outcome.values()} == {"accepted"}
    reconciled = {order_id for order_id, (_, message) in outcome.items() if message.startswith("found in the task")}
    # Batches 2 and 9 at least; the resumed run's dropped third request is a batch or a lookup, by timing.
    assert len(reconciled) >= 2000 and not reconciled & twice
    journal = (tmp_path / "contacts.journal.jsonl").read_text()
    assert_secret_absent(resumed.stdout, resumed.stderr, journal, (tmp_path / "contacts.result.csv").read_text())


def test_invalid_rows_are_reported_with_their_line_and_nothing_is_sent(
    sandbox: Sandbox, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_account(monkeypatch, url)
    source = tmp_path / "contacts.csv"
    source.write_text("orderID,userPhone\nok-1,8613800000001\n,8613800000002\nok-3,86-138\nok-1,8613800000004\n")
    code, _, err = run_main(capsys, "orders", "add", "--task", TASK, "--csv", str(source))
    assert code == 2
    assert f"{source}:3: orderID is empty" in err
    assert f"{source}:4: userPhone '86-138'" in err
    assert f"{source}:5: orderID 'ok-1' repeats line 2" in err
    assert not sandbox.state.tasks[TASK].order_ids and not (tmp_path / "contacts.journal.jsonl").exists()
    code, _, err = run_main(capsys, "orders", "add", "--task", TASK, "--csv", str(source), "--skip-invalid")
    assert code == 0, err
    assert sandbox.state.tasks[TASK].order_ids == ["ok-1"]
    rows = list(csv.reader((tmp_path / "contacts.result.csv").open()))
    assert [row[:3] for row in rows] == [
        ["line", "orderID", "status"], ["2", "ok-1", "accepted"], ["3", "", "invalid"], ["4", "ok-3", "invalid"],
        ["5", "ok-1", "invalid"],
    ]  # fmt: skip
    header = tmp_path / "other.csv"
    header.write_text("orderID,phone\nx,8613800000000\n")
    code, _, err = run_main(capsys, "orders", "add", "--task", TASK, "--csv", str(header))
    assert code == 2 and "missing ['userPhone']" in err
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('orderID,userPhone\nx,8613800000000\n"y,8613800000000\n')
    code, _, err = run_main(capsys, "orders", "add", "--task", TASK, "--csv", str(unclosed))
    assert code == 2 and f"{unclosed}:3: not readable as CSV" in err


def test_orders_stop_writes_stopped_or_the_services_reason_per_order(
    sandbox: Sandbox, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as client:
        orders = [CallOrder(order_id=f"s-{n}", user_phone="8613800000000") for n in range(1, 5)]
        client.add_batch_call(
            user_task_id=TASK,
            call_info_list=CallInfoList(call_list=orders, call_callback_url="", order_callback_url=""),
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
    assert sandbox.state.orders["s-3"].state is OrderState.UNDIALED and not sandbox.state.orders["s-3"].data_deleted
    use_account(monkeypatch, url)
    code, _, err = run_main(capsys, "orders", "stop", "--task", TASK, "--csv", str(listed), "--delete")
    assert code == 2 and "--yes" in err  # no terminal to confirm at: nothing sent
    assert not any(order.data_deleted for order in sandbox.state.orders.values())
    only_s3 = tmp_path / "s3.csv"
    only_s3.write_text("orderID\ns-3\n")
    code, out, err = run_main(capsys, "orders", "stop", "--task", TASK, "--csv", str(only_s3), "--delete", "--yes")
    assert code == 0 and "1 orders: 1 stopped" in out, err
    assert sandbox.state.orders["s-3"].data_deleted


# --- settings of the bulk functions: checked with the library's own checks, before anything is sent ---------

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("function", "setting", "value", "error", "says"),
    [
        ("add", "concurrency", NAN, ValueError, "must be a whole number, got nan"),  # it hung for good
        ("add", "concurrency", INF, ValueError, "must be a whole number, got inf"),
        ("add", "concurrency", 0, ValueError, "must be 1 to 64, got 0"),
        ("add", "concurrency", 65, ValueError, "must be 1 to 64, got 65"),
        ("add", "batch_size", 2.5, ValueError, "must be a whole number, got 2.5"),
        ("add", "batch_size", 10_001, ValueError, "must be 1 to 10,000, got 10001"),
        ("add", "batch_size", True, TypeError, "must be a whole number, got bool True"),
        ("stop", "batch_size", NAN, ValueError, "must be a whole number, got nan"),
        ("stop", "batch_size", 2.5, ValueError, "must be a whole number, got 2.5"),
        ("stop", "batch_size", 1_001, ValueError, "must be 1 to 1,000, got 1001"),
        ("stop", "batch_size", "10", TypeError, "must be a whole number, got str '10'"),
    ],
)
def test_a_bulk_setting_out_of_range_is_refused_naming_it_before_anything_is_sent(
    function: str, setting: str, value: object, error: type[Exception], says: str
) -> None:
    sent: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        raise AssertionError("nothing may be sent")

    transport = httpx.MockTransport(service)
    client = Callbot("http://callbot.test", ACCOUNT.uuid, ACCOUNT.secret_key, httpx_args={"transport": transport})
    options: dict[str, Any] = {setting: value}
    with client, pytest.raises(error) as caught:
        if function == "add":
            add_orders(client, TASK, [CallOrder(order_id="o-1", user_phone="8613800000001")], **options)
        else:
            stop_orders(client, TASK, ["o-1"], **options)
    assert str(caught.value) == f"{setting} {says}" and not sent
    whole: dict[str, Any] = {"batch_size": 1e3, "concurrency": 2.0}  # whole floats are taken, as 1000 and 2
    assert add_orders(client, TASK, [], **whole) == []
