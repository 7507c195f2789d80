"""What the `callbot` command (and `callbot-sandbox`) makes of bad input, as a new user gives it: rows without an
orderID, invalid rows in the result CSV, JSON that does not fit, a port out of range (exit 2 with a one-line
reason, never a traceback), an empty key in a profile, and a failed credentials load that leaves the secret key
in no frame. Only public names are used: the commands run in-process through their installed entry points."""

from __future__ import annotations

import csv
import importlib.metadata
import math
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import callbot_cli
import pytest
from callbot_cli import main
from callbot_sandbox import Account, Sandbox, serve_in_thread

ACCOUNT = Account("inputs-uuid", "inputs-Secret-Key-9d0e7a")
TASK = "inputs-task"
DEEP = "[" * 100_000


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_BASE_URL", "http://127.0.0.1:9")  # nothing listens: these cases never send
    monkeypatch.setenv("CALLBOT_UUID", ACCOUNT.uuid)
    monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT.secret_key)
    monkeypatch.delenv("CALLBOT_PROFILE", raising=False)


@pytest.fixture
def sandbox_url(monkeypatch: pytest.MonkeyPatch, environment: None) -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    with serve_in_thread(sandbox.asgi_app()) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        yield sandbox, url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- CSV rows ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ['""', "   "], ids=["quoted empty", "blank"])
def test_orders_stop_reports_a_row_without_an_order_id_in_a_one_column_file(
    environment: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, cell: str
) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text(f"orderID\nu-1\n{cell}\n\nu-2\n", encoding="utf-8")
    code, _, err = run(capsys, "orders", "stop", "--task", TASK, "--csv", str(ids))
    assert code == 2
    assert f"{ids}:3: orderID" in err and "nothing was sent" in err
    assert ":4:" not in err  # an empty line is no row


def test_a_row_without_any_data_is_skipped_by_add_and_stop_alike(
    sandbox_url: tuple[Sandbox, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sandbox, _ = sandbox_url
    one = {
        "orderCallbackUrl": "",
        "callCallbackUrl": "",
        "callList": [{"orderID": "s-1", "userPhone": "8613800000000"}],
    }
    sandbox.state.import_orders(sandbox.state.tasks[TASK], one, new_batch=False)
    listed = tmp_path / "both.csv"
    listed.write_text("orderID,userPhone\ns-1,8613800000000\n,\n  ,  \n", encoding="utf-8")
    code, out, err = run(capsys, "orders", "stop", "--task", TASK, "--csv", str(listed))
    assert code == 0, err
    assert "1 orders: 1 stopped" in out


def test_orders_add_skip_invalid_keeps_the_order_id_and_the_reason_of_invalid_rows(
    sandbox_url: tuple[Sandbox, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "orderID,userPhone\nok-1,8613800000001\nbad-phone,12\n,8613800000002\nshort-row\nok-1,8613800000003\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "orders", "add", "--task", TASK, "--csv", str(contacts), "--skip-invalid")
    assert code == 0, err
    assert "4 invalid rows skipped" in out
    result = rows(tmp_path / "contacts.result.csv")
    assert [(row["line"], row["orderID"], row["status"]) for row in result] == [
        ("2", "ok-1", "accepted"),
        ("3", "bad-phone", "invalid"),
        ("4", "", "invalid"),
        ("5", "short-row", "invalid"),
        ("6", "ok-1", "invalid"),
    ]
    reasons = [row["message"] for row in result[1:]]
    assert "userPhone '12'" in reasons[0] and reasons[1] == "orderID is empty"
    assert "number of cells" in reasons[2] and "repeats line 2" in reasons[3]


# --- JSON that does not fit: exit 2, one line, no traceback --------------------------------------------------


def test_a_number_too_large_for_json_in_call_data_is_bad_input(
    environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    for data in ('{"data": 1e999}', '{"data": -1E400}'):
        code, _, err = run(capsys, "call", "ping", "--no-validate", "--data", data)
        assert code == 2 and "out of range" in err and "Traceback" not in err


def test_a_deeply_nested_call_body_is_bad_input(
    environment: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = tmp_path / "deep.json"
    body.write_text(DEEP, encoding="utf-8")
    code, _, err = run(capsys, "call", "listTask", "--data", f"@{body}")
    assert code == 2 and "Traceback" not in err


def journal_for(capsys: pytest.CaptureFixture[str], tmp_path: Path, *records: str) -> tuple[Path, Path]:
    """A journal of a real run (nothing listens at the base URL: its batch failed), rewritten as its header,
    ``records`` and a last record."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("orderID,userPhone\nj-1,8613800000001\n", encoding="utf-8")
    code, _, _ = run(capsys, "--max-retries", "0", "orders", "add", "--task", TASK, "--csv", str(contacts))
    assert code == 5  # the batch failed: the journal has the header of this input
    journal = tmp_path / "contacts.journal.jsonl"
    header = journal.read_text(encoding="utf-8").splitlines()[0]
    journal.write_text("\n".join([header, *records, '{"sending":["j-1"]}']) + "\n", encoding="utf-8")
    return contacts, journal


@pytest.mark.parametrize(
    "record",
    [DEEP, '{"accepted": "j-1"}', '{"sending": [["j-1"]]}', '{"refused": [[{"id": 1}, "x"]]}', '{"a": [], "b": []}'],
    ids=["nested too deep", "a string for a list", "a list for an id", "an object for an id", "two keys"],
)
def test_a_damaged_journal_is_bad_input_naming_its_line(
    environment: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, record: str
) -> None:
    contacts, journal = journal_for(capsys, tmp_path, record)
    code, _, err = run(capsys, "orders", "add", "--task", TASK, "--csv", str(contacts), "--resume")
    assert code == 2
    assert err.strip() == f"callbot: the journal {journal} is damaged at line 2: " + (
        "not JSON" if record == DEEP else "an unknown record"
    )


def installed_command(name: str) -> Callable[[list[str]], object]:
    """The console script ``name`` as the installer made it (its entry point), to run in-process."""
    (entry,) = importlib.metadata.entry_points(group="console_scripts", name=name)
    command: Callable[[list[str]], object] = entry.load()
    return command


def test_the_sandbox_command_refuses_a_config_nested_too_deep_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox_main = installed_command("callbot-sandbox")
    for text in (DEEP, '{"accounts": [{"uuid": 5, "secretKey": "k"}]}'):
        config = tmp_path / "accounts.json"
        config.write_text(text, encoding="utf-8")
        with pytest.raises(SystemExit) as caught:
            sandbox_main(["--config", str(config), "--port", "0"])
        assert caught.value.code == 2
        assert f"cannot read accounts from {config}" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_the_sandbox_command_refuses_a_port_out_of_range_with_exit_2(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:  # it was an OverflowError traceback from the socket
        installed_command("callbot-sandbox")(["--port", port])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and "Traceback" not in err
    assert err.splitlines()[-1] == (
        f"callbot-sandbox: error: argument --port: {port!r} is not a TCP port: give 0 to 65535 (0: any free port)"
    )


@pytest.mark.parametrize("value", [math.nan, -5, 0, math.inf, True], ids=repr)
def test_a_sandbox_clock_skew_window_that_is_not_a_positive_number_of_seconds_is_refused(value: Any) -> None:
    with pytest.raises(TypeError if value is True else ValueError, match=r"^max_clock_skew must be"):
        Sandbox([ACCOUNT], max_clock_skew=value)  # a NaN or a negative one took every createTs (or none)
    assert Sandbox([ACCOUNT], max_clock_skew=None).max_clock_skew is None  # None: no window, as documented


# --- a failed credentials load holds the key in no frame ----------------------------------------------------

KEY = "frame-walk-Secret-6b1d42"


def frames(error: BaseException) -> Iterator[FrameType]:
    """Every frame of ``error``'s traceback and of the exceptions chained to it."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb: TracebackType | None = current.__traceback__
        while tb is not None:
            yield tb.tb_frame
            tb = tb.tb_next
        pending += [current.__cause__, current.__context__]


PROFILES: dict[str, str | bytes] = {
    "misspelt key": f'uuid = "u"\nsecret_key = "{KEY}"\nsecretkey = "{KEY}"\n',
    "uuid not a string": f'uuid = 5\nsecret_key = "{KEY}"\n',
    "key not a string": f'uuid = "u"\nsecret_key = ["{KEY}"]\n',
    "not TOML after the key": f'secret_key = "{KEY}"\nuuid = \n',
    "not UTF-8 after the key": f'secret_key = "{KEY}"\n'.encode() + b'uuid = "\xff"\n',
    "key with a trailing space": f'uuid = "u"\nsecret_key = "{KEY} "\n',
    "no uuid": f'secret_key = "{KEY}"\n',
}


CLI_FILES = str(Path(callbot_cli.__file__).parent)


def failed_load(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, BaseException]:
    """Run `callbot ... tasks list` (which reads the account first) and return its stderr and the exception
    that carried the failed load out, as the command saw it: the command catches it (exit 2), so a trace
    function on the package's frames keeps it, with its traceback and the frames it holds."""
    caught: list[BaseException] = []

    def in_frame(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception" and type(arg[1]).__name__ == "CredentialsError":
            caught.append(arg[1])
        return in_frame

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return in_frame if frame.f_code.co_filename.startswith(CLI_FILES) else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        code, _, err = run(capsys, *args, "tasks", "list")
    finally:
        sys.settrace(previous)
    assert code == 2 and caught, err
    return err, caught[-1]


@pytest.mark.parametrize("profile", list(PROFILES), ids=list(PROFILES))
def test_no_frame_of_a_failed_profile_load_holds_the_secret_key(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in ("CALLBOT_UUID", "CALLBOT_SECRET_KEY", "CALLBOT_BASE_URL", "CALLBOT_ALGORITHM", "CALLBOT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "account.toml"
    content = PROFILES[profile]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    path.chmod(0o600)
    del content
    err, error = failed_load(capsys, "--profile", str(path))
    assert KEY not in err and KEY not in str(error)
    assert_no_frame_holds_the_key(error)


@pytest.mark.parametrize("uuid", ["", "u"], ids=["no uuid", "a key with a trailing newline"])
def test_no_frame_of_a_failed_load_from_the_environment_holds_the_secret_key(
    uuid: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CALLBOT_PROFILE", raising=False)
    monkeypatch.setenv("CALLBOT_UUID", uuid)
    monkeypatch.setenv("CALLBOT_SECRET_KEY", KEY if not uuid else KEY + "\n")
    err, error = failed_load(capsys)
    assert KEY not in err
    assert_no_frame_holds_the_key(error)


@pytest.mark.parametrize("key", ["secret_key", "uuid"])
def test_an_empty_key_in_a_profile_is_refused_not_taken_from_the_environment(
    key: str, environment: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The profile's keys win over the environment: an empty one is a mistake to fix, not a gap to fill."""
    path = tmp_path / "account.toml"
    values = {"uuid": ACCOUNT.uuid, "secret_key": ACCOUNT.secret_key, key: ""}
    path.write_text("".join(f'{name} = "{value}"\n' for name, value in values.items()), encoding="utf-8")
    path.chmod(0o600)
    code, _, err = run(capsys, "--profile", str(path), "tasks", "list")
    assert code == 2  # it took CALLBOT_SECRET_KEY and called the service
    assert err.strip() == (
        f"callbot: the profile {path} has an empty {key}: write the value there (the console shows it under "
        f"Developer), or delete the line to take CALLBOT_{key.upper()} from the environment"
    )


def assert_no_frame_holds_the_key(error: BaseException) -> None:
    here = assert_no_frame_holds_the_key.__code__
    for frame in frames(error):
        if frame.f_code.co_filename == __file__ or frame.f_code is here:
            continue  # the test's own frames hold the key: they wrote it
        shown = repr(frame.f_locals)
        assert KEY not in shown, f"{frame.f_code.co_name} holds the key: {shown[:300]}"
