"""`callbot webhook verify` refuses bad input with exit 2 and one line."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from callbot_cli import main

from .._support import PAYLOADS, documented_sign

NOW = 1_800_000_000


#: Two accounts served by one receiver; B holds its own key and signs whatever it likes.
A = ("acct-a-uuid", "acct-a-secret")


ID_CHARS = 16


def signed(
    account: tuple[str, str], request_id: str = "r" * ID_CHARS, *, create_ts: int = NOW, body: bytes | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    uuid, secret = account
    raw = json.dumps(PAYLOADS["call"]).encode() if body is None else body
    sign = documented_sign(secret, raw, str(create_ts), request_id, uuid, "MD5")
    return [("requestID", request_id), ("uuid", uuid), ("createTs", str(create_ts)), ("sign", sign)], raw


# --- 4. `callbot webhook verify` refuses bad input with exit 2 and one line -------------------------------


@pytest.fixture
def capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[list[str], list[str]]]:
    """Write a delivery's headers and body to files; give the verify command's file options."""
    monkeypatch.setenv("CALLBOT_BASE_URL", "http://127.0.0.1:9")  # never contacted by `webhook verify`
    monkeypatch.setenv("CALLBOT_UUID", A[0])
    monkeypatch.setenv("CALLBOT_SECRET_KEY", A[1])
    monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
    monkeypatch.delenv("CALLBOT_PROFILE", raising=False)

    def write(headers: str | bytes, body: bytes) -> list[str]:
        (tmp_path / "headers").write_bytes(headers.encode() if isinstance(headers, str) else headers)
        (tmp_path / "body").write_bytes(body)
        return ["webhook", "verify", "--headers", str(tmp_path / "headers"), "--body", str(tmp_path / "body")]

    return write  # type: ignore[return-value]


def run_cli(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and A[1] not in captured.out + captured.err
    return code, captured.out, captured.err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("Error:", "callbot:"))]


@pytest.mark.parametrize("max_age", ["nan", "inf", "1e12"])
def test_webhook_verify_refuses_a_max_age_that_is_not_a_finite_number_of_seconds(
    capture: Any, capsys: pytest.CaptureFixture[str], max_age: str
) -> None:
    headers, body = signed(A, create_ts=int(time.time()) - 10 * 365 * 86_400)  # ten years old
    code, out, err = run_cli(capsys, [*capture(json.dumps(dict(headers)), body), "--max-age", max_age])
    assert (code, out) == (2, "")
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for '--max-age': must be a finite number of seconds")
    assert line.endswith(f"got {float(max_age)!r}")


@pytest.mark.parametrize("max_age", ["nan", "0", "-1", "3e7x"])
def test_webhook_verify_checks_max_age_with_the_other_options_before_reading_the_account_or_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], max_age: str
) -> None:
    """--max-age goes through the library's check when the options are parsed, as --timeout does: no account
    and no files are needed to be told that it is wrong."""
    for variable in ("CALLBOT_UUID", "CALLBOT_SECRET_KEY", "CALLBOT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    args = ["webhook", "verify", "--headers", "/nonexistent/h", "--body", "/nonexistent/b", "--max-age", max_age]
    code, _, err = run_cli(capsys, args)
    (line,) = error_lines(err)
    assert code == 2 and line.startswith("Error: Invalid value for '--max-age': ")
    top = run_cli(capsys, ["--timeout", max_age, "webhook", "verify", "--headers", "h", "--body", "b"])
    assert top[0] == 2 and error_lines(top[2])[0].startswith("Error: Invalid value for '--timeout': ")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ('{"sign": ' + DEEP + "}", "not a JSON object of headers: nested too deeply"),
        ("{" + '"a": {' * 100_000 + "}" * 100_001, "not a JSON object of headers: nested too deeply"),
        ('{"sign": "A", ', "not a JSON object of headers: Expecting property name"),
        ('{"sign": "A"} trailing', "not a JSON object of headers: Extra data"),
        ('{"sign": ["A"]}', "the value of 'sign' is not a string"),
        ('{"sign": null}', "the value of 'sign' is not a string"),
        ('{"createTs": true}', "the value of 'createTs' is not a string"),
        ("requestID r", "line 1 is not 'Name: value'"),
        (b"\xff\xfe{\x00", "line 1 is not 'Name: value'"),
    ],
    ids=["deep-array", "deep-object", "cut", "trailing", "list-value", "null-value", "bool-value", "no-colon", "utf16"],
)
def test_webhook_verify_refuses_a_bad_headers_file_with_exit_2_and_one_line(
    capture: Any, capsys: pytest.CaptureFixture[str], headers: str | bytes, reason: str
) -> None:
    code, out, err = run_cli(capsys, capture(headers, b"{}"))
    assert (code, out) == (2, "")
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for --headers: ") and reason in line


def test_webhook_verify_refuses_a_headers_file_naming_a_signature_header_twice(
    capture: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    headers, body = signed(A, create_ts=int(time.time()))
    listed = ", ".join(f"{json.dumps(name)}: {json.dumps(value)}" for name, value in [*headers, ("sign", "0" * 32)])
    code, _, err = run_cli(capsys, capture("{" + listed + "}", body))  # json.loads alone would keep the last one
    assert code == 4 and "rule duplicate_header" in err


def test_webhook_verify_says_a_deeply_nested_signed_body_is_not_a_callback(
    capture: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    headers, body = signed(A, create_ts=int(time.time()), body=('{"a": ' + DEEP + "}").encode())
    code, _, err = run_cli(capsys, capture(json.dumps(dict(headers)), body))
    assert code == 6 and "nested too deeply" in err


@pytest.mark.parametrize("data", ['{"a": ' + DEEP + "}", "[1]", "{"], ids=["deep", "array", "cut"])
def test_webhook_send_refuses_a_payload_that_is_not_a_json_object_with_exit_2(
    capture: Any, capsys: pytest.CaptureFixture[str], data: str
) -> None:
    capture("{}", b"{}")  # the account in the environment
    send = ["webhook", "send", "--to", "http://127.0.0.1:9/hook", "--kind", "call", "--data", data]
    code, _, err = run_cli(capsys, send)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for --data: the payload is not a JSON object")
