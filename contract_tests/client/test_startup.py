"""Start-up: importing the client loads only what a first call needs. ``import nxcloud_callbot`` (and
``callbot_signing``) builds no generated model, compiles no schema validator and imports neither httpcore nor
the async client, the webhook receiver, the Redis store or bulk import; ``from nxcloud_callbot import Callbot``
neither. A first call then imports the models it sends and reads and compiles its validator, and works. Every
name of ``__all__`` resolves, to the object of its home module, and ``dir()`` lists it.

Each case runs in a fresh interpreter (what is imported is a property of the process). httpx itself imports
Rich when it is installed (its own command line), so the library's imports are not checked for Rich here:
`callbot --help` is, in contract_tests/cli/test_cli_startup.py."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import callbot_client.models
import callbot_signing
import nxcloud_callbot
import pytest
from callbot_sandbox import serve_in_thread

from ..conftest import MD5_ACCOUNT, make_sandbox

LIMIT = 60  # seconds a subprocess may take
#: Modules (and their submodules) a first sync call does not need: none is imported with the client. A name
#: ending in a dot stands for the submodules alone.
NOT_FOR_A_FIRST_CALL = (
    "callbot_client.models.",  # each model is imported when a call sends or reads it
    "httpcore",  # with the first connection pool
    "anyio",
    "nxcloud_callbot.bulk",
    "nxcloud_callbot.journal",
    "nxcloud_callbot.models",
    "nxcloud_callbot.wire",
    "callbot_cli",
    # the modules of the async client, the webhook functions and receiver, the Redis store
    *(f"callbot_signing{callbot_signing._HOMES[name]}" for name in ("AsyncCallbot", "WebhookReceiver", "Webhook")),
    *(f"callbot_signing{callbot_signing._HOMES[name]}" for name in ("Delivery", "RedisReplayStore")),
)
#: Run first in each subprocess: counts the validators jsonschema_rs compiles.
COUNT_VALIDATORS = (
    "import sys, json, jsonschema_rs\n"
    "compiled = []\n"
    "_validator_for = jsonschema_rs.validator_for\n"
    "def counting(*args, **kwargs):\n"
    "    compiled.append(1)\n"
    "    return _validator_for(*args, **kwargs)\n"
    "jsonschema_rs.validator_for = counting\n"
    "def report(step):\n"
    "    print(json.dumps({'step': step, 'validators': len(compiled), 'modules': sorted(sys.modules)}))\n"
)


def run(code: str, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """``code`` after COUNT_VALIDATORS in a fresh interpreter; the reports it printed, one JSON line each."""
    environment = {**os.environ, "CALLBOT_LOG": "", **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", COUNT_VALIDATORS + code],
        capture_output=True,
        text=True,
        timeout=LIMIT,
        check=False,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def not_needed(modules: list[str]) -> list[str]:
    def listed(name: str, module: str) -> bool:
        return name.startswith(module) if module.endswith(".") else name == module or name.startswith(f"{module}.")

    return [name for name in modules if any(listed(name, module) for module in NOT_FOR_A_FIRST_CALL)]


@pytest.mark.parametrize(
    "statement",
    ["import nxcloud_callbot", "import callbot_signing", "from nxcloud_callbot import Callbot, CallbotError"],
)
def test_importing_the_client_builds_no_model_compiles_no_validator_and_skips_what_a_call_does_not_need(
    statement: str,
) -> None:
    [report] = run(f"{statement}\nreport('imported')\n")
    assert report["validators"] == 0
    assert not_needed(report["modules"]) == []


@pytest.fixture
def url() -> Iterator[str]:
    with serve_in_thread(make_sandbox().asgi_app()) as served:
        yield served


def test_a_first_call_imports_the_models_it_uses_compiles_its_validator_and_works(url: str) -> None:
    code = (
        "from nxcloud_callbot import Callbot\n"
        "report('imported')\n"
        f"with Callbot({url!r}, {MD5_ACCOUNT.uuid!r}, {MD5_ACCOUNT.secret_key!r}, max_retries=0) as bot:\n"
        "    answer = bot.ping(data='hello')\n"
        "assert type(answer).__name__ == 'PingResponse', answer\n"
        "report('called')\n"
    )
    imported, called = run(code)
    assert imported["validators"] == 0
    assert called["validators"] >= 1  # the ping answer's schema, compiled on first use
    models = [name for name in called["modules"] if name.startswith("callbot_client.models.")]
    assert "callbot_client.models.ping_request" in models and "callbot_client.models.ping_response" in models
    assert len(models) < len(callbot_client.models.__all__) // 4, models  # only what ping sends and reads


def test_a_class_of_a_module_the_client_imported_is_named_by_the_public_root_before_it_is_looked_up() -> None:
    """``__module__`` is ``nxcloud_callbot`` for every public class its import brought, not only for those
    looked up there: the warning of a script that imported Callbot alone names nxcloud_callbot.PlainHTTPWarning."""
    code = (
        "import warnings\n"
        "from nxcloud_callbot import Callbot\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    Callbot('http://callbot.example', {MD5_ACCOUNT.uuid!r}, {MD5_ACCOUNT.secret_key!r}).close()\n"
        "print(json.dumps([f'{w.category.__module__}.{w.category.__qualname__}' for w in caught]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", COUNT_VALIDATORS + code], capture_output=True, text=True, timeout=LIMIT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["nxcloud_callbot.PlainHTTPWarning"]


@pytest.mark.parametrize("package", [nxcloud_callbot, callbot_signing], ids=["nxcloud_callbot", "callbot_signing"])
def test_every_name_of_all_resolves_in_a_fresh_process_and_dir_lists_it(package: object) -> None:
    name = package.__name__  # type: ignore[attr-defined]
    code = (
        f"import {name} as package\n"
        "missing = [n for n in package.__all__ if n not in dir(package)]\n"
        "assert not missing, missing\n"
        "for n in package.__all__:\n"
        "    getattr(package, n)\n"
        f"from {name} import *\n"
        "report('resolved')\n"
    )
    [report] = run(code)
    assert name in report["modules"]


def test_the_lazy_names_and_the_type_checkers_imports_agree() -> None:
    """Each package lists its lazily imported names twice: in the TYPE_CHECKING imports (what mypy, griffe and
    `make compat` read) and in the table its ``__getattr__`` reads. Both say the same module for each name."""
    for package in (callbot_signing, nxcloud_callbot):
        path = Path(package.__file__ or "")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        [guard] = [node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"]
        declared = {
            alias.name: "." * node.level + (node.module or "")
            for node in guard.body
            if isinstance(node, ast.ImportFrom) and node.level > 0 and node.module
            for alias in node.names
        }
        assert declared == package._HOMES, path


def test_models_of_the_root_resolve_each_on_first_use_and_list_every_model() -> None:
    code = (
        "import nxcloud_callbot\n"
        "from nxcloud_callbot.models import StopOrderRequest\n"
        "assert StopOrderRequest.__module__ == 'callbot_client.models.stop_order_request'\n"
        "report('one model')\n"
    )
    [report] = run(code)
    models = [name for name in report["modules"] if name.startswith("callbot_client.models.")]
    assert "callbot_client.models.stop_order_request" in models
    assert len(models) < len(callbot_client.models.__all__) // 4, models
    assert set(callbot_client.models.__all__) <= set(dir(nxcloud_callbot.models))
