"""``nxcloud_callbot``, the one import root: the client, its errors, the webhook functions, bulk import, models,
types and the wire format, the same objects as under their older names; reprs, tracebacks and pickles name
it; and bulk import works from the library alone, as a wheel installed without the cli extra has it."""

from __future__ import annotations

import importlib.metadata
import json
import os
import pickle
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import callbot_cli
import callbot_client.models
import callbot_client.types
import callbot_signing
import callbot_signing.wire
import nxcloud_callbot
import pytest
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread

REPO = Path(__file__).resolve().parents[2]
BULK_SCRIPT = REPO / "contract_tests" / "consumer" / "callbot_bulk.py"
ACCOUNT = Account("bulk-uuid", "bulk-Secret-Key-0c1d2e", "SHA256")
TASK = "bulk-task"
LIMIT = 60  # seconds a subprocess may take

#: Run first in the subprocesses: click and rich cannot be imported, as in an install without the cli extra.
WITHOUT_CLI_EXTRA = "import sys; sys.modules['click'] = None; sys.modules['rich'] = None\n"
CLASSES = [name for name in nxcloud_callbot.__all__ if isinstance(getattr(nxcloud_callbot, name), type)]


def test_the_root_has_the_names_of_callbot_signing_and_bulk_import_as_the_same_objects() -> None:
    for name in callbot_signing.__all__:
        assert getattr(nxcloud_callbot, name) is getattr(callbot_signing, name), name
    for name in callbot_cli.__all__:
        if name != "main":
            assert getattr(nxcloud_callbot, name) is getattr(callbot_cli, name), name
    assert "main" not in nxcloud_callbot.__all__  # the command stays in callbot_cli, behind the cli extra


@pytest.mark.parametrize(
    ("public", "generated"),
    [
        (nxcloud_callbot.models, callbot_client.models),
        (nxcloud_callbot.types, callbot_client.types),
        (nxcloud_callbot.wire, callbot_signing.wire),
    ],
    ids=["models", "types", "wire"],
)
def test_models_types_and_wire_are_those_of_the_packages_underneath(public: object, generated: object) -> None:
    names = generated.__all__  # type: ignore[attr-defined]
    assert list(public.__all__) == list(names) and names  # type: ignore[attr-defined]
    for name in names:
        assert getattr(public, name) is getattr(generated, name), name


def test_the_classes_are_named_by_the_root_in_reprs_and_tracebacks() -> None:
    for name in CLASSES:
        cls = getattr(nxcloud_callbot, name)
        assert (cls.__module__, cls.__qualname__) == ("nxcloud_callbot", name)
    error = nxcloud_callbot.InvalidRequestError("orderIDs is required", ret_code=2)
    assert repr(type(error)) == "<class 'nxcloud_callbot.InvalidRequestError'>"
    assert traceback.format_exception_only(error) == ["nxcloud_callbot.InvalidRequestError: orderIDs is required\n"]
    journal_error = nxcloud_callbot.JournalError("the journal is of another task")
    assert traceback.format_exception_only(journal_error)[0].startswith("nxcloud_callbot.JournalError: ")


def test_every_class_and_error_pickles_by_its_public_name_and_loads_in_a_fresh_process() -> None:
    """A class is pickled by reference (module and name): the name reprs give must lead back to it, in a
    process that imported nothing yet (a worker of a process pool)."""
    for name in CLASSES:
        cls = getattr(nxcloud_callbot, name)
        assert pickle.loads(pickle.dumps(cls)) is cls, name
    errors = [
        nxcloud_callbot.APITimeoutError("no answer", operation="addBatchCall", outcome_unknown=True),
        nxcloud_callbot.SignatureError("forged", rule="sign_mismatch"),
        nxcloud_callbot.InvalidRequestError("too long", ret_code=4001, ret_msg="bad", response_id="r-1"),
        nxcloud_callbot.JournalError("damaged at line 3"),
        nxcloud_callbot.OrderResult("o-1", "refused", "a duplicate"),
    ]
    load = (
        "import pickle, sys\n"
        "for thing in pickle.loads(sys.stdin.buffer.read()):\n"
        "    print(type(thing).__module__, type(thing).__qualname__, str(thing), vars(thing))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", load], input=pickle.dumps(errors), capture_output=True, timeout=LIMIT, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == [
        f"{type(thing).__module__} {type(thing).__qualname__} {thing} {vars(thing)}" for thing in errors
    ]
    assert "nxcloud_callbot APITimeoutError no answer" in result.stdout.decode()


# --- bulk import without the cli extra ------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    return sandbox


@pytest.fixture
def url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_thread(sandbox.asgi_app()) as served:
        yield served


def test_without_click_and_rich_the_library_bulk_adds_orders_once_and_stops_them(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    """contract_tests/consumer/callbot_bulk.py (type-checked by test_callbot_consumer.py) in a process where
    click and rich cannot be imported: a wheel installed without extras, against a sandbox on 127.0.0.1."""
    journal = tmp_path / "orders.journal.jsonl"
    code = (
        WITHOUT_CLI_EXTRA + "import runpy, nxcloud_callbot\n"
        # the submodules come with the package: no import of their own is needed
        "assert nxcloud_callbot.models.CallOrder and nxcloud_callbot.types.Unset and nxcloud_callbot.wire.SIGN_HEADER\n"
        f"sys.argv = ['callbot_bulk.py', {TASK!r}, {str(journal)!r}]\n"
        f"runpy.run_path({str(BULK_SCRIPT)!r}, run_name='__main__')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('click', 'rich', 'callbot_cli') and sys.modules[m]]\n"
        "assert not loaded, loaded\n"
    )
    env = {
        **os.environ,
        "CALLBOT_BASE_URL": url,
        "CALLBOT_UUID": ACCOUNT.uuid,
        "CALLBOT_SECRET_KEY": ACCOUNT.secret_key,
        "CALLBOT_ALGORITHM": ACCOUNT.algorithm,
        "CALLBOT_LOG": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=LIMIT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "added": {"accepted": 25},
        "again": {"accepted": 25},
        "settledFromJournal": 25,
        "found": 25,
        "stopped": {"stopped": 1},
    }
    orders = sandbox.state.orders_of(TASK)
    assert sorted(order.order_id for order in orders) == sorted(f"{TASK}-{n}" for n in range(1, 26))
    assert sandbox.state.orders[f"{TASK}-1"].state is OrderState.STOPPED
    assert len(journal.read_text(encoding="utf-8").splitlines()) > 1


def test_the_distribution_needs_click_and_rich_only_for_the_cli_extra() -> None:
    """What pip reads from the wheel's metadata: the base install has neither; `[cli]` brings both."""
    requirements = importlib.metadata.requires("nxcloud-callbot") or []
    base = [line for line in requirements if "extra ==" not in line]
    cli = [line for line in requirements if line.replace(" ", "").endswith('extra=="cli"')]
    assert base and not [line for line in base if line.lower().startswith(("click", "rich"))]
    assert sorted(line.split(">")[0].split("<")[0].lower() for line in cli) == ["click", "rich"]
