"""The import graph of the hand-written packages (signing, sandbox, cli, tools, bench, openapi, contract_tests),
read with ``ast`` by tools/import_graph.py: no circle between modules, no private module of one package
imported by another. Each failure names the file and line of every import to change."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools.import_graph import FOLDERS, Import, circles, imports, private_imports

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def found() -> list[Import]:
    return imports()


def test_no_module_imports_itself_back_through_a_circle(found: list[Import]) -> None:
    problems = circles(found)
    assert problems == [], "\n".join(problems)


def test_no_package_imports_a_private_module_of_another(found: list[Import]) -> None:
    """Tests, tools, the sandbox and the CLI reach the client (and each other) through ``__all__`` names of
    public modules; ``callbot_signing._auth`` and ``callbot_cli._exit`` are free to change."""
    problems = private_imports(found)
    assert problems == [], "\n".join(problems)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_circle_is_named_with_the_imports_that_close_it_even_through_a_deferred_import(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "cli/callbot_cli/__init__.py": "",
            "cli/callbot_cli/_app.py": "def run() -> None:\n    from . import _commands\n",
            "cli/callbot_cli/_commands.py": "from . import _orders\n",
            "cli/callbot_cli/_orders.py": "import json\n\nfrom ._app import run\n",
            "cli/callbot_cli/_exit.py": "from callbot_cli import _orders\n",
        },
    )
    (problem,) = circles(imports(repo))
    assert problem.splitlines() == [
        "circle of callbot_cli._app, callbot_cli._commands, callbot_cli._orders:",
        "  cli/callbot_cli/_app.py:2: callbot_cli._app -> callbot_cli._commands",
        "  cli/callbot_cli/_commands.py:1: callbot_cli._commands -> callbot_cli._orders",
        "  cli/callbot_cli/_orders.py:3: callbot_cli._orders -> callbot_cli._app",
    ]


def test_private_imports_across_packages_are_named_in_code_strings_and_patch_targets_too(tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "signing/callbot_signing/__init__.py": "from ._auth import CallbotAuth\nfrom . import _auth\n",
            "signing/callbot_signing/_auth.py": "class CallbotAuth: ...\n_clock = 0\n",
            "cli/callbot_cli/__init__.py": "from callbot_signing import CallbotAuth\n",
            "contract_tests/__init__.py": "",
            "contract_tests/_support.py": "",
            "contract_tests/cli/__init__.py": "",
            "contract_tests/cli/test_x.py": (
                "import subprocess\n"
                "from callbot_signing import _clock\n"
                "from callbot_signing._auth import CallbotAuth\n"
                "from .._support import *\n"
                "CODE = 'import sys; from callbot_signing._auth import CallbotAuth'\n"
                "TARGET = 'callbot_signing._auth.CallbotAuth'\n"
            ),
        },
    )
    assert private_imports(imports(repo)) == [
        "contract_tests/cli/test_x.py:2: contract_tests.cli.test_x imports the private name callbot_signing._clock",
        "contract_tests/cli/test_x.py:3: contract_tests.cli.test_x imports the private module callbot_signing._auth",
        "contract_tests/cli/test_x.py:5: contract_tests.cli.test_x imports the private module callbot_signing._auth",
        "contract_tests/cli/test_x.py:6: contract_tests.cli.test_x imports the private module "
        "callbot_signing._auth.CallbotAuth",
    ]


def test_every_folder_of_hand_written_python_is_read() -> None:
    """A folder added to the repository and left out of tools/import_graph.py would go unguarded."""
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "*.py"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert {Path(path).parts[0] for path in tracked} - {"generated"} == set(FOLDERS)
