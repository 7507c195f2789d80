"""Every code block of README.md, CONTRIBUTING.md and docs/*.md is accounted for: each is named by a
``<!-- block: NAME -->`` line, every Python block runs (here or in test_readme.py) and passes one
``mypy --strict`` run over all of them, and every shell block either runs here or is listed below with the
reason it does not (and is then at least valid shell). A new block that is neither fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .._support import REPO, doc_blocks, mypy_strict, run_doc_block

HERE = Path(__file__).resolve().parent

#: Python blocks run by another module of this folder (it names each).
CLIENT_EXAMPLES = ("quick-start", "campaign", "types", "errors", "async", "generated", "other-clients", "bulk")
RUN_ELSEWHERE = {name: "test_readme.py" for name in (*CLIENT_EXAMPLES, "receiver")}
RUN_ELSEWHERE |= {
    name: "../webhooks/test_receiver_examples.py"
    for name in ("receiver-fastapi", "receiver-flask", "receiver-django", "receiver-redis")
}
RUN_ELSEWHERE |= {name: "../sandbox/test_kit_plugin.py" for name in ("testing-your-code", "kit-running")}
#: Blocks run by this module.
RUN_HERE = {"sandbox-in-tests", "cli-help", "sandbox-help", "list-assumptions"}
#: Shell blocks that are not run, and why.
NOT_RUN = {
    "install": "installs the package with pip into the environment; the tests run on the one make setup installed",
    "cli-campaign": "a walk-through with placeholder credentials and your own CSV files and receiver; each of its "
    "commands is run against a sandbox by contract_tests/cli/",
    "sandbox-start": "serves until stopped with Ctrl-C; contract_tests/sandbox/test_sandbox_cli.py starts and stops "
    "the command",
    "contract-live": "reaches the live NXCloud service with real credentials; the tests touch only 127.0.0.1",
    "contract-deviate": "a whole make contract run (minutes); contract_tests/contract/test_contract_phases.py checks "
    "each deviation",
    "contract-ci-job": "a whole contract run against a staging service, with its secrets",
    "contributing-recipe": "edits the spec and runs make test, which runs these tests",
    "build-and-test": "runs make test, which runs these tests",
    "webhook-listen": "serves until stopped with Ctrl-C; contract_tests/webhooks/test_receiver_listen.py starts the "
    "command, sends it deliveries (and forwards them) and stops it",
}
#: What a shell block run here must print (a word from each command's output).
SHELL_OUTPUT = {
    "cli-help": ("Usage: callbot", "stopOrder"),
    "sandbox-help": ("usage: callbot-sandbox", "--clock"),
    "list-assumptions": ("x-assumption",),
}


def test_every_block_is_run_or_listed_with_the_reason_it_is_not() -> None:
    blocks = doc_blocks()
    run = set(RUN_ELSEWHERE) | RUN_HERE
    assert not run & set(NOT_RUN)
    unlisted = sorted(f"{block.path}: {name}" for name, block in blocks.items() if name not in run | set(NOT_RUN))
    assert not unlisted, f"blocks neither run nor listed in NOT_RUN with a reason: {unlisted}"
    assert sorted(run | set(NOT_RUN)) == sorted(blocks), "a block listed here is no longer in the docs"
    for name, block in blocks.items():
        assert block.language in ("python", "sh"), f"{block.path}: block {name} is {block.language!r}"
        if block.language == "python":
            assert name in run, f"{block.path}: python block {name} must run"
    assert {name for name in RUN_HERE if blocks[name].language == "sh"} == set(SHELL_OUTPUT)


def test_the_blocks_run_elsewhere_are_run_there() -> None:
    for name, module in RUN_ELSEWHERE.items():
        assert f'"{name}"' in (HERE / module).read_text(encoding="utf-8"), f"{module} does not run block {name}"


def test_every_python_block_passes_mypy_strict(tmp_path: Path) -> None:
    names = []
    for name, block in doc_blocks().items():
        if block.language == "python":
            names.append(f"block_{name.replace('-', '_')}.py")
            (tmp_path / names[-1]).write_text(block.code, encoding="utf-8")
    result = mypy_strict(tmp_path, sorted(names))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.contract
def test_the_sandbox_example_dials_on_the_virtual_clock(capsys: pytest.CaptureFixture[str]) -> None:
    run_doc_block("sandbox-in-tests")
    assert capsys.readouterr().out.splitlines() == ["3 calls"]


@pytest.mark.parametrize("name", sorted(SHELL_OUTPUT))
def test_the_safe_shell_blocks_run(name: str) -> None:
    bin_dir = Path(sys.executable).parent  # callbot and callbot-sandbox, as make setup installed them
    env = {key: value for key, value in os.environ.items() if not key.startswith("CALLBOT_")}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", doc_blocks()[name].code],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    for expected in SHELL_OUTPUT[name]:
        assert expected in done.stdout, f"{name}: {expected!r} not in its output"


def test_the_shell_blocks_not_run_are_valid_shell() -> None:
    for name in NOT_RUN:
        done = subprocess.run(["bash", "-n", "-c", doc_blocks()[name].code], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{name}: {done.stderr}"
