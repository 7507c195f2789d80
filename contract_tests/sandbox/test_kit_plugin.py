"""The pytest plugin (entry point pytest11 -> callbot_sandbox_pytest) and the example test file users copy
(examples/test_my_campaign.py), each run by pytest in a subprocess in a directory of its own, as a user's
project would run them; and, marked slow, the example in a fresh venv that installs the built wheel."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from .._support import doc_blocks, run_doc_block

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "test_my_campaign.py"
#: A pytest run in a subprocess: the example's six tests take a few seconds; a bound, not a wait.
RUN_TIMEOUT = 300

#: Makes Starlette and uvicorn unimportable, as where the sandbox extra is not installed.
WITHOUT_EXTRA = """
import sys
class NoExtra:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("starlette", "uvicorn"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NoExtra())
"""


#: The plugins a run loads when it does not load every installed one (this venv has schemathesis and
#: hypothesis, slow to import): the sandbox's and pytest-asyncio.
PLUGINS = ("-p", "callbot_sandbox_pytest", "-p", "pytest_asyncio.plugin")


def run_pytest(
    project: Path, *args: str, python: str = sys.executable, prelude: str = "", every_plugin: bool = False
) -> subprocess.CompletedProcess[str]:
    """pytest on ``project`` in a subprocess (rootdir there: none of this repo's settings), results listed.
    ``every_plugin``: load every installed plugin by its entry point, as pytest does by default."""
    code = prelude + "import sys, pytest; sys.exit(pytest.main(sys.argv[1:]))"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CALLBOT_"))}
    plugins: tuple[str, ...] = ()
    if not every_plugin:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        plugins = PLUGINS
    return subprocess.run(
        [python, "-c", code, *plugins, "-p", "no:cacheprovider", "-q", "-rA", "--rootdir", str(project), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=env,
    )


def outcomes(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The ``PASSED test_x`` / ``FAILED test_y`` lines of a run, sorted."""
    return sorted(re.findall(r"^(?:PASSED|FAILED|ERROR|SKIPPED) \S+", done.stdout, flags=re.MULTILINE))


def project_with(tmp_path: Path, source: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "test_user.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path


def test_the_plugin_is_registered_with_the_distribution() -> None:
    (entry,) = [e for e in metadata.entry_points(group="pytest11") if e.value == "callbot_sandbox_pytest"]
    assert entry.name == "callbot_sandbox"


def test_the_fixtures_are_there_with_no_conftest_and_the_seed_option_changes_the_accounts(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        """
        import pytest

        def test_fixtures(callbot_sandbox, callbot, request):
            assert callbot.uuid == callbot_sandbox.accounts[0].uuid
            assert callbot.ping(data="x").code == 0
            print("UUID", callbot_sandbox.accounts[0].uuid, "SEED", callbot_sandbox.seed)

        def test_session_sandbox_is_shared(callbot_sandbox_session, callbot_sandbox):
            assert callbot_sandbox_session is not callbot_sandbox

        @pytest.mark.callbot_sandbox(accounts=2, transport="http")
        def test_marker_options(callbot_sandbox):
            assert len(callbot_sandbox.accounts) == 2 and "127.0.0.1" in callbot_sandbox.base_url
        """,
    )
    default, seeded = (run_pytest(project, "-s", *args) for args in ((), ("--callbot-seed", "5")))
    assert default.returncode == 0, default.stdout + default.stderr
    assert outcomes(default) == [
        f"PASSED test_user.py::{name}"
        for name in ("test_fixtures", "test_marker_options", "test_session_sandbox_is_shared")
    ]
    assert re.findall(r"UUID (\w+) SEED (\d+)", default.stdout)[0][1] == "0"
    assert re.findall(r"UUID (\w+) SEED (\d+)", seeded.stdout)[0][1] == "5"
    assert re.findall(r"UUID (\w+)", seeded.stdout) != re.findall(r"UUID (\w+)", default.stdout)


@pytest.mark.slow  # make contract, with the wheel installed without the extra (the held-out check below)
def test_without_the_sandbox_extra_pytest_works_and_the_fixture_says_what_to_install(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        """
        def test_plain():
            assert True

        def test_wants_the_sandbox(callbot_sandbox):
            pass
        """,
    )
    done = run_pytest(project, prelude=WITHOUT_EXTRA, every_plugin=True)
    assert outcomes(done) == ["ERROR test_user.py::test_wants_the_sandbox", "PASSED test_user.py::test_plain"]
    assert "pip install 'nxcloud-callbot[sandbox]'" in done.stdout


def test_a_module_level_callbot_helper_wins_over_the_plugins_fixture(tmp_path: Path) -> None:
    project = project_with(
        tmp_path,
        """
        import pytest

        @pytest.fixture
        def callbot():
            return "mine"

        def test_own(callbot):
            assert callbot == "mine"
        """,
    )
    assert outcomes(run_pytest(project)) == ["PASSED test_user.py::test_own"]


def test_the_example_test_file_passes_as_a_users_project_runs_it(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert len(outcomes(done)) == 6 and all(line.startswith("PASSED") for line in outcomes(done))


def test_the_readmes_test_passes_under_pytest_with_the_fixtures(tmp_path: Path) -> None:
    (tmp_path / "test_readme_block.py").write_text(doc_blocks()["testing-your-code"].code, encoding="utf-8")
    done = run_pytest(tmp_path)
    assert outcomes(done) == ["PASSED test_readme_block.py::test_every_order_is_called"], done.stdout[-3000:]


def test_the_sandbox_guides_running_block_runs_and_prints_each_callback(capsys: pytest.CaptureFixture[str]) -> None:
    run_doc_block("kit-running")
    printed = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("order http://app.test/cb/order 204 t-1") for line in printed) == 5
    assert any(line.startswith("task http://app.test/cb/task 204 t-1") for line in printed)


@pytest.mark.slow
def test_the_example_passes_twice_alike_in_a_fresh_venv_from_the_wheel_with_the_sandbox_extra(tmp_path: Path) -> None:
    """The held-out check: a project with nothing of this repository but the wheel, installed with its extra."""
    wheels, venv, project = tmp_path / "wheels", tmp_path / "venv", tmp_path / "project"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels), str(REPO)],
        check=True,
        timeout=RUN_TIMEOUT,
    )
    (wheel,) = wheels.glob("nxcloud_callbot-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=RUN_TIMEOUT)
    python = str(venv / "bin" / "python")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{wheel}[sandbox]", "pytest", "pytest-asyncio"],
        check=True,
        timeout=RUN_TIMEOUT,
    )
    project.mkdir()
    shutil.copy(EXAMPLE, project / EXAMPLE.name)
    first, second = (run_pytest(project, python=python, every_plugin=True) for _ in range(2))
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    assert len(outcomes(first)) == 6 and outcomes(first) == outcomes(second)
    # Without the extra: the plugin is registered all the same, and pytest runs a project's plain tests.
    bare, plain = tmp_path / "bare", project_with(tmp_path / "plain", "def test_plain():\n    assert True\n")
    subprocess.run([sys.executable, "-m", "venv", str(bare)], check=True, timeout=RUN_TIMEOUT)
    subprocess.run(
        [str(bare / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel), "pytest"],
        check=True,
        timeout=RUN_TIMEOUT,
    )
    done = run_pytest(plain, python=str(bare / "bin" / "python"), every_plugin=True)
    assert outcomes(done) == ["PASSED test_user.py::test_plain"], done.stdout[-3000:] + done.stderr[-2000:]


#: A campaign of two accounts in a fresh interpreter: a digest of its call records and callbacks (all but
#: what the real time signs: createTs, requestID, sign).
DIGEST = """
import hashlib, json, sys
from callbot_sandbox import running
from nxcloud_callbot.models import CallInfoList, CallOrder, TaskOperate

with running(seed=int(sys.argv[1]), accounts=2) as sb:
    for account in sb.accounts:
        callbot = sb.client(account)
        callbot.create_task(user_task_id="t", scene_id="s", task_callback_url="http://r.test/task")
        orders = [CallOrder(order_id=f"o{n}", user_phone=f"8613800{n:06d}") for n in range(40)]
        info = CallInfoList(call_list=orders, call_callback_url="http://r.test/call", order_callback_url="http://r.test/order")
        callbot.add_batch_call(user_task_id="t", call_info_list=info)
        callbot.mgr_task_status(user_task_id="t", task_operate=TaskOperate.START)
    sb.advance(3600)
    calls = [[c.detail() for _, c in sb.sandbox.state.task("t", a.uuid).calls] for a in sb.accounts]
    callbacks = [(r.url, r.account, json.loads(r.body)) for r in sb.callbacks]
    print(len(callbacks), hashlib.sha256(json.dumps([calls, callbacks]).encode()).hexdigest())
"""


@pytest.mark.slow  # make contract; the same seed in one process: test_kit_sandbox.py
def test_the_same_seed_gives_the_same_calls_and_callbacks_in_another_process() -> None:
    def digest(seed: int, hash_seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", DIGEST, str(seed)], capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip()

    first = digest(3, "1")
    assert first == digest(3, "2") and first.split()[0] != "0"
    assert digest(4, "1") != first
