"""`callbot --help` imports neither httpx nor the client (nor Rich's console): the subcommands are imported
when one is used, and the listing shows each from its summary, exactly as Click shows the command itself.
Each case runs the command in a fresh interpreter: what is imported is a property of the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CALLBOT = str(Path(sys.executable).parent / "callbot")
LIMIT = 60  # seconds a subprocess may take
#: Packages `callbot --help` does not import: the client stack, and Rich beyond its package (the extra check).
NOT_FOR_HELP = ("httpx", "httpcore", "callbot_signing", "callbot_client", "nxcloud_callbot", "rich.console")


def imported_by(*command: str) -> tuple[set[str], str]:
    """The modules a fresh interpreter imports running ``command`` (its ``-X importtime`` report), and what it
    printed."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert result.returncode == 0, result.stderr
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    return modules, result.stdout


def test_help_imports_neither_httpx_nor_the_client() -> None:
    modules, shown = imported_by(CALLBOT, "--help")
    assert "Commands:" in shown and "call" in shown
    assert sorted(m for m in modules if m.split(".")[0] in NOT_FOR_HELP or m in NOT_FOR_HELP) == []


def test_a_subcommand_help_imports_that_command_and_not_the_others() -> None:
    modules, shown = imported_by(CALLBOT, "tasks", "--help")
    assert "List tasks" in shown
    assert not any(m.endswith("_orders_command") or m.endswith("_webhook_command") for m in modules)


LISTING = (
    "import contextlib, io, sys\n"
    "from callbot_cli import main\n"
    "def listing() -> str:\n"
    "    out = io.StringIO()\n"
    "    with contextlib.redirect_stdout(out):\n"
    "        main(['--help'])\n"
    "    return out.getvalue()\n"
    "before = listing()\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    for name in ('call', 'operations', 'orders', 'tasks', 'webhook'):\n"
    "        main([name, '--help'])\n"
    "after = listing()\n"
    "assert before == after, (before, after)\n"
    "print(after)\n"
)


@pytest.mark.parametrize("columns", ["40", "80", "200"])
def test_help_lists_each_subcommand_as_click_does_once_it_is_imported(columns: str) -> None:
    """The summaries the group lists before a command is imported give the very lines Click gives from the
    command's own help once it is, at every terminal width (the listing cuts them to fit)."""
    result = subprocess.run(
        [sys.executable, "-c", LISTING],
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
        env={**os.environ, "COLUMNS": columns},
    )
    assert result.returncode == 0, result.stderr
    for name in ("call", "operations", "orders", "tasks", "webhook"):
        assert f"  {name} " in result.stdout


def test_a_subcommand_runs_with_what_it_imports_when_it_runs() -> None:
    modules, shown = imported_by(CALLBOT, "operations")
    assert "stopOrder" in shown
    assert "callbot_signing" in modules
