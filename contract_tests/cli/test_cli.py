"""The `callbot` command: every operation of the spec through `callbot call`, its exit codes, `tasks`, and the
webhook tools against the README's receiver. Most cases run the command in-process (``callbot_cli.main``, what
the console script calls); the subprocess cases run the installed `callbot` itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from callbot_cli import main
from callbot_sandbox import OrderState, Sandbox, TaskStatus, serve_in_thread
from callbot_sandbox.dialer import VirtualClock
from callbot_signing import signature_headers
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from .._support import run_readme_block
from ..conftest import DIALED, MD5_ACCOUNT, TASK, UNDIALED, make_sandbox
from ..faulty_server import closed_port
from ..from_spec import request_body, spec_operations

pytestmark = pytest.mark.contract

CALLBOT = str(Path(sys.executable).parent / "callbot")
SECRET = MD5_ACCOUNT.secret_key
LIMIT = 60  # seconds a subprocess may take


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox(virtual_clock=VirtualClock(time.time()))  # nothing is dialed behind the test's back


@pytest.fixture
def url(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The sandbox on 127.0.0.1, and its MD5 account in the environment."""
    with serve_in_thread(sandbox.asgi_app()) as served:
        monkeypatch.setenv("CALLBOT_BASE_URL", served)
        monkeypatch.setenv("CALLBOT_UUID", MD5_ACCOUNT.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
        monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
        monkeypatch.delenv("CALLBOT_PROFILE", raising=False)
        yield served


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    return code, captured.out, captured.err


def orders(*order_ids: str) -> dict[str, Any]:
    return {
        "orderCallbackUrl": "",
        "callCallbackUrl": "",
        "callList": [{"orderID": order_id, "userPhone": "8613800000000"} for order_id in order_ids],
    }


# operationId -> body (productID is filled in by the command), in an order the sandbox's state allows: bodies
# chosen for the operations the sandbox keeps state for; any other operation of the spec gets the smallest body
# its schema allows, after these.
KNOWN_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("ping", {"data": "hello"}),
    ("createTask", {"userTaskID": "cli-task", "sceneID": "scene-1"}),
    ("addBatchCall", {"userTaskID": "cli-task", "callInfoList": orders("cli-1", "cli-2")}),
    ("updateTask", {"userTaskID": "cli-task", "taskCreateSetting": {"maxCall": 2}}),
    ("importBatchCall", {"userTaskID": "cli-task", "callInfoList": orders("cli-3")}),
    ("createAndCall", {"userTaskID": "cli-task-2", "sceneID": "scene-1", "callInfoList": orders("cli-4")}),
    ("mgrTaskStatus", {"userTaskID": "cli-task", "taskOperate": 1}),
    ("listTask", {"page": 1, "size": 10, "queryConditions": {}}),
    ("listOrder", {"userTaskID": TASK, "options": {}, "page": 1, "size": 100}),
    ("listCall", {"userTaskID": TASK, "options": {}}),
    ("stopOrder", {"userTaskID": TASK, "orderIDs": [UNDIALED[0], DIALED]}),
    ("listOrderDetail", {"userTaskID": TASK, "orderList": [UNDIALED[1]]}),
    ("exportBatchCall", {"userTaskID": TASK}),
]
BODIES = [*KNOWN_BODIES, *((op, request_body(op)) for op in spec_operations() if op not in dict(KNOWN_BODIES))]


def test_every_operation_of_the_spec_is_called_by_its_operation_id(
    sandbox: Sandbox, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, listed, _ = cli(capsys, "operations", "--json")
    assert code == 0
    assert [op["operationId"] for op in json.loads(listed)] == list(spec_operations())
    assert {operation for operation, _ in BODIES} == set(spec_operations())
    answers = {}
    for operation, body in BODIES:
        extra = ["-H", "Content-Encoding=gzip"] if operation == "importBatchCall" else []
        code, out, err = cli(capsys, "call", operation, "--data", json.dumps(body), *extra)
        assert code == 0, f"{operation}: {err}"
        answers[operation] = json.loads(out)
        assert answers[operation]["code" if operation == "ping" else "retCode"] == 0
    assert answers["ping"]["data"] == "hello"
    # importBatchCall starts a new batch, which drops the undialed orders of the earlier one (the wiki's rule).
    assert {"cli-3", "cli-4"} <= set(sandbox.state.orders) and "cli-1" not in sandbox.state.orders
    assert sandbox.state.tasks["cli-task"].status is TaskStatus.RUNNING
    assert sandbox.state.tasks["cli-task"].setting["maxCall"] == 2
    assert {task["userTaskID"] for task in answers["listTask"]["taskData"]} == {TASK, "cli-task", "cli-task-2"}
    assert answers["listOrder"]["totalCount"] == len(UNDIALED) + 1
    assert answers["stopOrder"]["successCount"] == 1 and answers["stopOrder"]["errList"][0]["orderID"] == DIALED
    assert sandbox.state.orders[UNDIALED[0]].state is OrderState.STOPPED
    assert answers["listOrderDetail"]["orderDetailList"][0]["orderID"] == UNDIALED[1]


def test_the_installed_command_calls_signed_and_prints_raw_answers(url: str, tmp_path: Path) -> None:
    body = tmp_path / "ping.json"
    body.write_text('{"data": "from a file"}')
    environment = {**os.environ, "CALLBOT_LOG": ""}
    raw = subprocess.Popen([CALLBOT, "call", "ping", "--raw", "--data", f"@{body}"], env=environment,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    piped = subprocess.Popen([CALLBOT, "call", "stopOrder", "-"], env=environment, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    stop_out, stop_err = piped.communicate(json.dumps({"userTaskID": TASK, "orderIDs": ["nope"]}).encode(), LIMIT)
    raw_out, raw_err = raw.communicate(timeout=LIMIT)
    assert raw.returncode == 0, raw_err
    head, _, exact = raw_out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and f"uuid: {MD5_ACCOUNT.uuid}".encode() in head
    assert b"\r\nsign: " in head and json.loads(exact)["data"] == "from a file"
    assert piped.returncode == 0, stop_err
    assert json.loads(stop_out)["errList"][0]["orderID"] == "nope"
    assert SECRET.encode() not in raw_out + raw_err + stop_out + stop_err


def test_exit_codes_tell_a_refusal_a_signature_failure_a_transport_failure_and_bad_input(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    duplicate = json.dumps({"userTaskID": TASK, "sceneID": "scene-1"})
    code, _, err = cli(capsys, "call", "createTask", "--data", duplicate)
    assert code == 3 and "retCode 4" in err
    code, out, _ = cli(capsys, "call", "createTask", "--raw", "--data", duplicate)
    assert code == 3 and '"retCode":4' in out  # the raw answer is printed all the same
    assert cli(capsys, "call", "ping", "--data", "{not json")[0] == 2
    assert cli(capsys, "call", "ping", "--data", "[1]")[0] == 2
    code, _, err = cli(capsys, "call", "stopOrdr")
    assert code == 2 and "Did you mean stopOrder" in err
    code, _, err = cli(capsys, "call", "stopOrder", "--data", json.dumps({"userTaskID": TASK}))
    assert code == 2 and "orderIDs" in err  # checked against the spec before anything is sent
    code, _, err = cli(capsys, "call", "ping", "-H", "X-Other=1", "--data", '{"data": "x"}')
    assert code == 2 and "ping documents (none)" in err
    code, _, err = cli(capsys, "--max-retries", "0", "call", "ping", "--data", '{"data": "x"}', "--no-validate")
    assert code == 0
    monkeypatch.setenv("CALLBOT_SECRET_KEY", "not-the-account-key")
    code, _, err = cli(capsys, "call", "ping", "--data", '{"data": "x"}')
    assert code == 4 and "retCode 6" in err
    monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
    monkeypatch.setenv("CALLBOT_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    code, _, err = cli(capsys, "--max-retries", "0", "call", "ping", "--data", '{"data": "x"}')
    assert code == 5 and "Connection refused" in err
    monkeypatch.delenv("CALLBOT_SECRET_KEY")
    code, _, err = cli(capsys, "call", "ping", "--data", '{"data": "x"}')
    assert code == 2 and "CALLBOT_SECRET_KEY" in err and "never on the command line" in err


def forging_sign(app: Any) -> Any:
    """``app`` with every answer's sign header replaced: answers as an intermediary that forged them."""

    async def forged(scope: Any, receive: Any, send: Any) -> None:
        async def send_forged(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, b"0" * 32 if name.lower() == b"sign" else value) for name, value in message["headers"]
                ]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_forged)

    return forged


def test_an_answer_whose_signature_we_refuse_is_exit_4(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_in_thread(forging_sign(sandbox.asgi_app())) as served:
        monkeypatch.setenv("CALLBOT_BASE_URL", served)
        monkeypatch.setenv("CALLBOT_UUID", MD5_ACCOUNT.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
        code, out, err = cli(capsys, "--max-retries", "0", "tasks", "list")
    assert code == 4 and out == "", err
    assert "the response's sign does not match" in err


def test_a_profile_file_gives_the_account_and_its_keys_win(
    url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CALLBOT_SECRET_KEY", "not-the-account-key")
    profile = tmp_path / "profile.toml"
    profile.write_text(f'uuid = "{MD5_ACCOUNT.uuid}"\nsecret_key = "{SECRET}"\nalgorithm = "md5"\n')
    profile.chmod(0o600)
    code, out, err = cli(capsys, "--profile", str(profile), "call", "ping", "--data", '{"data": "p"}')
    assert code == 0 and json.loads(out)["data"] == "p", err
    profile.write_text('uuid = "x"\nsecret = "y"\n')
    code, _, err = cli(capsys, "--profile", str(profile), "call", "ping", "--data", '{"data": "p"}')
    assert code == 2 and "unknown keys ['secret']" in err


def test_tasks_are_listed_shown_and_operated(sandbox: Sandbox, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "tasks", "list", "--json")
    assert code == 0 and [task["userTaskID"] for task in json.loads(out)] == [TASK]
    code, out, _ = cli(capsys, "tasks", "list")
    assert code == 0 and TASK in out and "pending" in out
    for verb, status in (("start", "running"), ("pause", "paused"), ("finish", "finished")):
        code, out, err = cli(capsys, "tasks", verb, TASK)
        assert code == 0 and f"task {TASK}: {status}" in out, err
    code, out, _ = cli(capsys, "tasks", "status", TASK, "--json")
    assert code == 0 and json.loads(out)[0]["taskStatus"] == TaskStatus.FINISHED
    code, _, err = cli(capsys, "tasks", "status", "no-such-task")
    assert code == 2 and "no task 'no-such-task'" in err
    code, _, err = cli(capsys, "tasks", "start", "no-such-task")
    assert code == 3


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[Any]]]:
    """The README's receiver block, served on 127.0.0.1, with the account in the environment."""
    monkeypatch.setenv("CALLBOT_UUID", MD5_ACCOUNT.uuid)
    monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
    monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
    namespace = run_readme_block("receiver")
    with serve_in_thread(namespace["app"]) as served:
        yield served, namespace["received"]


def test_webhook_send_reaches_the_readme_receiver_which_refuses_tampered_stale_and_replayed_deliveries(
    receiver: tuple[str, list[Any]],
) -> None:
    served, received = receiver
    variants: list[list[str]] = [[], ["--tamper"], ["--stale"], ["--replay"]]
    commands = [
        [CALLBOT, "webhook", "send", "--to", f"{served}/callbot/{kind}", "--kind", kind, *variant]
        for kind, variant in zip(["task", "order", "call", "task"], variants, strict=True)
    ]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    outputs = [process.communicate(timeout=LIMIT) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, out + err
        assert SECRET not in out + err
    genuine, tampered, stale, replayed = (out for out, _ in outputs)
    assert "delivery: HTTP 200 ok" in genuine and "accepted the delivery" in genuine
    assert "tampered: HTTP 400 rejected" in tampered and "does not match" in tampered
    assert "stale: HTTP 400 rejected" in stale
    assert "delivery: HTTP 200 ok" in replayed and "replayed: HTTP 400 rejected" in replayed and "replay" in replayed
    assert sorted(type(event).__name__ for event in received) == ["TaskCallback", "TaskCallback"]


def test_webhook_send_fails_when_a_receiver_accepts_a_forged_delivery(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def accept_anything(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    careless = Starlette(routes=[Route("/hook", accept_anything, methods=["POST"])])
    with serve_in_thread(careless) as served:
        code, _, err = cli(capsys, "webhook", "send", "--to", f"{served}/hook", "--kind", "order", "--tamper")
        assert code == 6 and "did not refuse the tamper" in err
        code, out, _ = cli(capsys, "webhook", "send", "--to", f"{served}/hook", "--kind", "order")
        assert code == 0 and "accepted" in out


def test_webhook_verify_says_which_rule_a_captured_delivery_breaks(
    url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = json.dumps({"callbackType": 1, "userTaskID": "t", "taskID": "T", "sceneID": "s", "taskStatus": 3,
                       "createTs": 1, "taskStat": {"answerOrderCount": 0, "finishOrderCount": 0, "totalOrderCount": 0,
                       "finishRate": 0, "totalAnswerCall": 0, "totalCall": 0, "answerRate": 0}}).encode()  # fmt: skip
    headers = signature_headers(SECRET, body, MD5_ACCOUNT.uuid)
    del headers["algorithm"]
    (tmp_path / "body").write_bytes(body)
    captured = "POST /callbot/task HTTP/1.1\n" + "".join(f"{name}: {value}\n" for name, value in headers.items())
    (tmp_path / "headers.txt").write_text(captured)
    (tmp_path / "headers.json").write_text(json.dumps(headers))
    files = ["--body", str(tmp_path / "body")]
    code, out, _ = cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "headers.txt"), *files)
    assert code == 0 and "valid: a TaskCallback" in out
    assert (
        cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "headers.json"), *files, "--kind", "task")[0] == 0
    )
    (tmp_path / "body").write_bytes(body.replace(b'"t"', b'"u"'))
    code, _, err = cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "headers.json"), *files)
    assert code == 4 and "rule sign_mismatch" in err
    old = signature_headers(SECRET, body, MD5_ACCOUNT.uuid, create_ts=str(int(time.time()) - 900))
    (tmp_path / "body").write_bytes(body)
    (tmp_path / "old.json").write_text(json.dumps(old))
    code, _, err = cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "old.json"), *files)
    assert code == 4 and "rule clock_skew" in err
    code, _, _ = cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "old.json"), *files, "--max-age", "1000")
    assert code == 0
    envelope = b'{"retCode":0,"retMsg":"success","responseID":"r"}'  # signed like a callback, but not one
    (tmp_path / "body").write_bytes(envelope)
    (tmp_path / "reply.json").write_text(json.dumps(signature_headers(SECRET, envelope, MD5_ACCOUNT.uuid)))
    code, _, err = cli(capsys, "webhook", "verify", "--headers", str(tmp_path / "reply.json"), *files, "--kind", "task")
    assert code == 6 and "refused" in err


def test_without_the_cli_extra_the_command_says_what_to_install_and_the_library_still_imports() -> None:
    blocked = "import sys; sys.modules['click'] = None; from callbot_cli import main; sys.exit(main(['operations']))"
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=LIMIT)
    assert result.returncode == 2
    assert "pip install 'nxcloud-callbot[cli]'" in result.stderr and "needs click" in result.stderr
    library = (
        "import sys; sys.modules['click'] = None; sys.modules['rich'] = None\n"
        "from callbot_cli import OrderJournal, add_orders, stop_orders\n"
        "assert not [m for m in sys.modules if m.startswith(('click', 'rich')) and sys.modules[m] is not None]\n"
        "print(add_orders.__name__)"
    )
    result = subprocess.run([sys.executable, "-c", library], capture_output=True, text=True, timeout=LIMIT)
    assert result.returncode == 0 and result.stdout.strip() == "add_orders", result.stderr
