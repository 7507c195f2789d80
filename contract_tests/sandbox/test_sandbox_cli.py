"""The callbot-sandbox command: starts on 127.0.0.1, prints what to use, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from callbot_sandbox.server import build_parser, load_config, parse_accounts
from callbot_sandbox.testing import free_port, wait_until_ready

pytestmark = pytest.mark.contract


def test_the_command_serves_signed_requests_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "accounts.json"
    config.write_text(json.dumps({"accounts": [{"uuid": "cli-uuid", "secretKey": "cli-secret"}]}))
    port = free_port()
    command = [str(Path(sys.executable).parent / "callbot-sandbox"), "--port", str(port), "--config", str(config)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", "cli-uuid", "cli-secret", process)
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0].decode()
    finally:
        process.kill()
    # uvicorn shuts down gracefully, then re-raises the signal so that the exit status tells it was SIGTERM.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Shutting down" in output
    assert f"Callbot sandbox on http://127.0.0.1:{port}" in output
    assert "uuid=cli-uuid algorithm=MD5 (secret key as given, not shown)" in output
    assert "cli-secret" not in output  # a secret the user gave is never printed
    assert "Finished server process" in output


def test_accounts_are_parsed_from_the_command_line() -> None:
    args = build_parser().parse_args(["--account", "u1:k1", "--account", "u2:k2:sha256"])
    assert [(a.uuid, a.algorithm) for a in args.account] == [("u1", "MD5"), ("u2", "SHA256")]


@pytest.mark.parametrize("bad", ["only-uuid", ":key", "u:k:SHA1"])
def test_a_malformed_account_is_refused_with_the_expected_format(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--account", bad])
    error = capsys.readouterr().err
    assert "UUID:SECRET_KEY[:ALGORITHM]" in error or "use one of MD5, SHA256" in error


@pytest.mark.parametrize(
    "entry",
    [
        "u:Zq4242-secret:md5:extra",
        "u:Zq4242-secret:xyz",
        "u:first-half:Zq4242-second-half",
        ":Zq4242-secret",
        "u:Zq4242-secret:",
        "Zq4242-secret",
    ],
    ids=str,
)
def test_a_malformed_account_entry_is_refused_without_showing_its_key(
    entry: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as from_environment:
        parse_accounts(f"good:key-1, {entry}")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--account", entry])
    said = str(from_environment.value) + capsys.readouterr().err
    assert "entry 2" in str(from_environment.value)
    assert "UUID:SECRET_KEY[:ALGORITHM]" in said or "use one of MD5, SHA256" in said
    assert "Zq4242" not in said, said


def test_an_unreadable_config_file_says_which_file_and_why(tmp_path: Path) -> None:
    broken = tmp_path / "accounts.json"
    broken.write_text('{"accounts": [{"uuid": "x"}]}')
    with pytest.raises(SystemExit, match=f"cannot read accounts from {broken}: KeyError"):
        load_config(str(broken))


@pytest.mark.slow
def test_make_contract_against_a_live_service_sends_only_positive_read_only_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """BASE_URL mode, pointed at a sandbox on 127.0.0.1 standing in for the live service."""
    from callbot_sandbox import Account, Sandbox, serve_in_thread

    from .. import run_contract

    sandbox = Sandbox([Account("live-uuid", "live-secret")])
    seen: list[str] = []
    app = sandbox.asgi_app()

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/callcentre/"):  # not schemathesis's own probes
            seen.append(scope["path"].rsplit("/", 1)[-1])
        await app(scope, receive, send)

    with serve_in_thread(recording) as url:
        monkeypatch.setenv("BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", "live-uuid")
        monkeypatch.setenv("CALLBOT_SECRET_KEY", "live-secret")
        monkeypatch.setenv("CONTRACT_MAX_EXAMPLES", "5")
        monkeypatch.delenv("CONTRACT_ALLOW_WRITES", raising=False)
        assert run_contract.main() == 0
    assert seen and set(seen) <= set(run_contract.READ_ONLY)
    assert not sandbox.state.tasks  # nothing was written


def test_without_the_sandbox_extra_the_command_says_which_extra_to_install() -> None:
    blocked = "import sys; sys.modules['starlette'] = None; from callbot_sandbox.server import main"
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "pip install 'nxcloud-callbot[sandbox]'" in result.stderr
    assert "needs starlette" in result.stderr
