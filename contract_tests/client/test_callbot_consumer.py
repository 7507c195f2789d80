"""The consumer scripts in contract_tests/consumer/ (every operation through Callbot and AsyncCallbot,
configured from the environment) run against a live sandbox and type-check under mypy --strict as they are,
with no assert, cast or type: ignore; the ErrorReply union of a raise_on_error=False client is seen by mypy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from callbot_sandbox import Account, OrderState, Sandbox, TaskStatus, serve_in_thread
from callbot_sandbox.dialer import VirtualClock

from .._support import mypy_strict
from ..from_spec import WIKI_OPERATIONS
from ..recording import RecordingApp
from ..spec_answers import operations

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = {"sync": REPO / "contract_tests" / "consumer" / "callbot_sync.py"}
SCRIPTS["async"] = SCRIPTS["sync"].with_name("callbot_async.py")
ACCOUNTS = {
    "sync": Account("consumer-sync-uuid", "consumer-sync-secret-0123", "MD5"),
    "async": Account("consumer-async-uuid", "consumer-async-secret-4567", "SHA256"),
}
SCRIPT_TIMEOUT = 60


@dataclass
class Run:
    report: dict[str, Any]
    stderr: str
    sandbox: Sandbox
    recorder: RecordingApp


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, Run]]:
    """Both scripts at once, each with its own account, against one sandbox on 127.0.0.1 whose (virtual)
    clock does not move: nothing is dialed, so what the scripts read back is exactly what they wrote."""
    sandbox = Sandbox(list(ACCOUNTS.values()), virtual_clock=VirtualClock(time.time()))
    recorder = RecordingApp(sandbox.asgi_app())
    with serve_in_thread(recorder) as url:
        processes = {}
        for name, script in SCRIPTS.items():
            account = ACCOUNTS[name]
            env = {
                **os.environ,
                "CALLBOT_BASE_URL": url,
                "CALLBOT_UUID": account.uuid,
                "CALLBOT_SECRET_KEY": account.secret_key,
                "CALLBOT_ALGORITHM": account.algorithm,
            }
            processes[name] = subprocess.Popen(
                [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        outputs = {name: process.communicate(timeout=SCRIPT_TIMEOUT) for name, process in processes.items()}
    for name, process in processes.items():
        assert process.returncode == 0, outputs[name][1]
    yield {name: Run(json.loads(out), err, sandbox, recorder) for name, (out, err) in outputs.items()}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_the_consumer_script_calls_every_documented_operation(runs: dict[str, Run], name: str) -> None:
    """Seen by the server: each operation the wiki documents at least once from this script's account,
    listOrder once more per page of iter_list_order (4 orders, size 2: two pages). The scripts are written by
    hand, as a user's are; an operation added to the spec is called through every generated method by
    test_client_arguments.py and test_spec_change.py."""
    run = runs[name]
    paths = run.recorder.paths_of(ACCOUNTS[name].uuid)
    spec_paths = {operation.operation_id: operation.path for operation in operations()}
    assert set(paths) == {spec_paths[operation_id] for operation_id in WIKI_OPERATIONS}
    assert paths.count("/callcentre/api/v3/listOrder") == 1 + 2
    assert run.stderr == ""


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_what_the_consumer_script_reports_is_the_sandbox_state(runs: dict[str, Run], name: str) -> None:
    run, state = runs[name], runs[name].sandbox.state
    report = run.report
    task_id, other_id = report["task"], report["otherTask"]
    task, other = state.tasks[task_id], state.tasks[other_id]
    assert task.owner == other.owner == ACCOUNTS[name].uuid

    assert report["ping"]["data"].startswith("hello ") and report["ping"]["code"] == 0
    assert abs(report["ping"]["timestamp"] - time.time()) < 120
    assert report["codes"] == {"createTask": 0, "updateTask": 0, "addBatchCall": 0}
    assert task.setting == {"taskName": f"{name} run", "maxCall": 1}  # updateTask changed only the name

    # stopOrder: a-1 stopped for good, the unknown order refused with a reason.
    assert report["stopOrder"] == {"totalCount": 2, "successCount": 1, "refused": [f"{task_id}-none"]}
    assert state.orders[f"{task_id}-a-1"].state is OrderState.STOPPED
    # importBatchCall (gzip-compressed): a new batch, which dropped the undialed a-2 and kept the stopped a-1.
    assert report["importBatchCall"] == 0 and task.batch == 2
    assert f"{task_id}-a-2" not in state.orders
    expected_orders = [f"{task_id}-a-1", *(f"{task_id}-b-{n}" for n in (1, 2, 3))]
    assert [order.order_id for order in state.orders_of(task_id)] == expected_orders
    # mgrTaskStatus started it; createAndCall created and started the other task with its two orders.
    assert task.status is other.status is TaskStatus.RUNNING
    assert report["mgrTaskStatus"] == {"taskStatus": int(TaskStatus.RUNNING), "taskID": task.task_id}
    assert report["createAndCall"] == 0
    assert [order.order_id for order in state.orders_of(other_id)] == [f"{other_id}-1", f"{other_id}-2"]

    assert report["listTask"] == {task_id: len(state.orders_of(task_id)), other_id: 2}
    rows = [{"orderID": order_id, "finish": False} for order_id in expected_orders]
    assert report["listOrder"] == {"totalCount": 4, "orders": rows}
    assert report["iterListOrder"] == rows
    assert report["listOrderDetail"] == {f"{task_id}-b-1": 0, f"{task_id}-a-1": 0}
    assert sum(len(order.calls) for order in state.orders_of(task_id)) == 0
    assert report["listCall"] == {"totalCount": 0, "callIDs": []}
    assert report["exportBatchCall"] == {"batchID": "2", "calls": 0}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_the_consumer_script_has_no_assert_cast_or_type_ignore(name: str) -> None:
    text = SCRIPTS[name].read_text(encoding="utf-8")
    assert not re.search(r"\bassert\b|\bcast\b|type:\s*ignore", text)
    assert "Callbot()" in text if name == "sync" else "AsyncCallbot()" in text  # configured from the environment
    if name == "async":
        assert "async with AsyncCallbot() as" in text and "async for row in client.iter_list_order" in text


# mypy --strict over both scripts and two snippets about ErrorReply, in one run.

NARROWED = """
from callbot_signing import Callbot, ErrorReply


def lenient() -> Callbot[ErrorReply]:
    return Callbot("http://127.0.0.1:1", "uuid", "secret", raise_on_error=False)


def stopped(client: Callbot[ErrorReply]) -> int:
    result = client.stop_order(user_task_id="t", order_ids=["o"])
    if isinstance(result, ErrorReply):
        code: int = result.ret_code
        return -code
    count: int = result.success_count
    return count


def strict() -> int:
    with Callbot("http://127.0.0.1:1", "uuid", "secret") as client:  # raises instead: no union to narrow
        return client.stop_order(user_task_id="t", order_ids=["o"]).success_count


def bare(client: Callbot) -> int:  # a bare annotation is the raising client
    return client.stop_order(user_task_id="t", order_ids=["o"]).success_count


def from_config(flag: bool) -> Callbot[ErrorReply]:  # a bool from a setting: the lenient type, to be safe
    return Callbot("http://127.0.0.1:1", "uuid", "secret", raise_on_error=flag)
"""

NOT_NARROWED = """
from callbot_signing import Callbot


def stopped() -> int:
    client = Callbot("http://127.0.0.1:1", "uuid", "secret", raise_on_error=False)
    return client.stop_order(user_task_id="t", order_ids=["o"]).success_count
"""


@pytest.mark.slow
@pytest.mark.generator
def test_mypy_strict_accepts_the_scripts_and_sees_the_error_reply_union(tmp_path: Path) -> None:
    (tmp_path / "narrowed.py").write_text(NARROWED, encoding="utf-8")
    (tmp_path / "not_narrowed.py").write_text(NOT_NARROWED, encoding="utf-8")
    bulk = SCRIPTS["sync"].with_name("callbot_bulk.py")  # run by test_import_root.py, without click and rich
    scripts = [str(SCRIPTS["sync"]), str(SCRIPTS["async"]), str(bulk)]
    result = mypy_strict(tmp_path, [*scripts, "narrowed.py", "not_narrowed.py"])
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert [line for line in errors if not line.startswith("not_narrowed.py:")] == [], result.stdout + result.stderr
    assert len(errors) == 1 and result.returncode == 1, result.stdout + result.stderr
    assert 'Item "ErrorReply" of "StopOrderResponse | ErrorReply" has no attribute "success_count"' in errors[0]
    assert errors[0].endswith("[union-attr]")
