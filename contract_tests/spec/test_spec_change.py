"""A spec change flows through `make generate` with no hand edit (openapi/generate.py, openapi/derived.py).

The change of spec_change.py (getBalance, whose request holds only productID; listBatch, a paged read marked
``x-idempotent``; deleteTask, an unmarked change; an optional response field) is generated into a temporary
directory, and what it derives is checked: the package imports, ``Callbot`` and ``AsyncCallbot`` have the
methods with the right signatures and return their models, the docs' generated blocks name them (the client
guide's table and retry lists, the README's list of methods), and the retry classes put the reads in
IDEMPOTENT_OPERATIONS and the change in NOT_IDEMPOTENT_OPERATIONS. Then the failures: a wrong mark, a
generator error or missing markers change nothing.

TODO (item 3 of issue 20): the same methods against the sandbox (which serves every operation of the spec);
``generated_change`` below is the fixture to start the sandbox from (its package on PYTHONPATH).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from openapi import derived, generate

from ..spec_change import NEW_OPERATIONS, NEW_RESPONSE_FIELD, changed_spec

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "openapi" / "callbot.yaml"
#: The files holding generated blocks, by path relative to the repository.
DOCUMENTS = tuple(derived.DOCUMENTS)


def repo_documents() -> dict[str, str]:
    return {where: (REPO / where).read_text(encoding="utf-8") for where in DOCUMENTS}


@dataclass(frozen=True)
class Generated:
    root: Path  # holds callbot_client/: put it first on PYTHONPATH
    documents: dict[str, str]  # the generated docs, by path relative to the repository
    spec: dict[str, Any]


def run_generate(tmp: Path, spec: dict[str, Any], *extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m openapi.generate`` (what `make generate` runs) on ``spec``, into ``tmp``."""
    (tmp / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    docs = tmp / "docs-root"
    for where in DOCUMENTS:
        if not (docs / where).exists():
            (docs / where).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / where, docs / where)
    package = tmp / "pkg" / "callbot_client"
    command = [sys.executable, "-m", "openapi.generate", "--spec", str(tmp / "spec.yaml"),
               "--package", str(package), "--docs", str(docs), *extra]  # fmt: skip
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def generated_change(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    tmp = tmp_path_factory.mktemp("spec-change")
    spec = changed_spec(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    before = repo_documents()
    done = run_generate(tmp, spec)
    assert done.returncode == 0, done.stdout + done.stderr
    assert repo_documents() == before  # the repository's own docs are not touched
    documents = {where: (tmp / "docs-root" / where).read_text(encoding="utf-8") for where in DOCUMENTS}
    yield Generated(tmp / "pkg", documents, spec)


PROBE = textwrap.dedent(
    """
    import inspect, json, sys
    import attrs, httpx
    import callbot_client
    assert callbot_client.__file__.startswith(sys.argv[1]), callbot_client.__file__
    from callbot_client import models
    from callbot_signing import AsyncCallbot, Callbot, CallbotError
    from callbot_signing.wire import IDEMPOTENT_OPERATIONS, NOT_IDEMPOTENT_OPERATIONS

    def parameters(function):
        return [[p.name, p.kind.name, p.default is inspect.Parameter.empty]
                for p in inspect.signature(function).parameters.values()]

    methods = ("get_balance", "list_batch", "iter_list_batch", "delete_task")
    report = {cls.__name__: {name: parameters(getattr(cls, name)) for name in methods}
              for cls in (Callbot, AsyncCallbot)}
    report["field"] = any(field.name == "export_ts" for field in attrs.fields(models.ExportBatchCallResponse))
    report["idempotent"] = sorted(IDEMPOTENT_OPERATIONS)
    report["not_idempotent"] = sorted(NOT_IDEMPOTENT_OPERATIONS)

    envelope = {"retCode": 0, "retMsg": "ok", "responseID": "r"}
    answers = {
        "getBalance": {**envelope, "balance": 12.5},
        "listBatch": {**envelope, "totalCount": 1, "batchList": [{"batchID": "b-1", "orderCount": 3}]},
        "deleteTask": envelope,
    }
    fail_first = {"listBatch", "deleteTask"}  # their first attempt ends in a 502: may have been carried out
    sent = []

    def handler(request):
        operation = request.url.path.rsplit("/", 1)[-1]
        sent.append([operation, json.loads(request.content)])
        if operation in fail_first:
            fail_first.discard(operation)
            return httpx.Response(502, text="bad gateway")
        return httpx.Response(200, json=answers[operation])

    transport = httpx.MockTransport(handler)
    with Callbot("http://127.0.0.1:9", "u", "k", verify_responses=False, httpx_args={"transport": transport}) as client:
        balance = client.get_balance()
        rows = list(client.iter_list_batch(user_task_id="t", size=10))
        try:
            client.delete_task(user_task_id="t")
            deleted = "returned"
        except CallbotError as exc:
            deleted = type(exc).__name__
    report["balance"] = [type(balance).__name__, balance.balance]
    report["rows"] = [[type(row).__name__, row.batch_id, row.order_count] for row in rows]
    report["deleted"] = deleted
    report["sent"] = sent
    print(json.dumps(report))
    """
)


@pytest.fixture(scope="module")
def probed(generated_change: Generated) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(generated_change.root), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(generated_change.root)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.generator
@pytest.mark.parametrize("client", ["Callbot", "AsyncCallbot"])
def test_the_new_operations_get_their_methods_with_the_right_signatures(probed: dict[str, Any], client: str) -> None:
    keyword, required = "KEYWORD_ONLY", True
    assert probed[client] == {
        "get_balance": [["self", "POSITIONAL_OR_KEYWORD", required]],  # productID only: no argument at all
        "list_batch": [["self", "POSITIONAL_OR_KEYWORD", required], ["user_task_id", keyword, required],
                       ["page", keyword, required], ["size", keyword, required]],
        "iter_list_batch": [["self", "POSITIONAL_OR_KEYWORD", required], ["user_task_id", keyword, required],
                            ["size", keyword, required]],
        "delete_task": [["self", "POSITIONAL_OR_KEYWORD", required], ["user_task_id", keyword, required]],
    }  # fmt: skip


@pytest.mark.generator
def test_the_new_methods_return_their_models_with_product_id_filled_in(probed: dict[str, Any]) -> None:
    assert probed["balance"] == ["GetBalanceResponse", 12.5]
    assert probed["rows"] == [["BatchInfo", "b-1", 3]]
    assert probed["field"] is True  # the optional response field is in the model
    assert probed["sent"][0] == ["getBalance", {"productID": "callbot"}]


@pytest.mark.generator
def test_the_new_reads_are_retried_like_the_old_ones_and_the_change_is_not(probed: dict[str, Any]) -> None:
    marked = {operation for operation, (_, idempotent) in NEW_OPERATIONS.items() if idempotent}
    assert marked == {"getBalance", "listBatch"}
    assert marked <= set(probed["idempotent"]) and "deleteTask" in probed["not_idempotent"]
    assert {"ping", "listTask", "stopOrder"} <= set(probed["idempotent"])  # the old classes are kept
    operations = [operation for operation, _ in probed["sent"]]
    assert operations.count("listBatch") == 2  # a 502, then the page: retried
    assert operations.count("deleteTask") == 1 and probed["deleted"] == "UnexpectedResponseError"  # not retried


@pytest.mark.generator
def test_the_generated_docs_name_the_new_methods_and_their_retry_class(generated_change: Generated) -> None:
    guide = generated_change.documents["docs/client.md"]
    table = guide.split("<!-- operations -->")[1].split("<!-- /operations -->")[0]
    rows = {line.split(" | ")[1]: line for line in table.strip().splitlines()[2:]}
    api = "`POST /callcentre/api/v3/"
    assert rows[api + "getBalance`"].startswith("| `get_balance()` |") and "`GetBalanceResponse`" in table
    assert rows[api + "listBatch`"].startswith("| `list_batch(...)`, `iter_list_batch(...)` |")
    assert "`ListBatchResponse` / `BatchInfo` rows | Callbot API listBatch |" in rows[api + "listBatch`"]
    assert rows[api + "deleteTask`"].startswith("| `delete_task(user_task_id=...)` |")
    idempotent = guide.split("<!-- idempotent -->")[1].split("<!-- /idempotent -->")[0]
    not_idempotent = guide.split("<!-- not-idempotent -->")[1].split("<!-- /not-idempotent -->")[0]
    assert "`getBalance`" in idempotent and "`listBatch`" in idempotent and "`deleteTask`" not in idempotent
    assert "`deleteTask`" in not_idempotent and "`getBalance`" not in not_idempotent
    readme = generated_change.documents["README.md"]
    methods = readme.split("<!-- methods -->")[1].split("<!-- /methods -->")[0]
    assert methods.endswith("`import_batch_call`, `get_balance`, `list_batch`, `delete_task`")  # the spec's order
    assert "iter_list_batch" not in methods


@pytest.mark.generator
def test_the_optional_response_field_is_in_the_shipped_spec(generated_change: Generated) -> None:
    shipped = json.loads((generated_change.root / "callbot_client" / "openapi.json").read_text(encoding="utf-8"))
    model, field = NEW_RESPONSE_FIELD
    assert field in shipped["components"]["schemas"][model]["allOf"][1]["properties"]
    assert not list(generated_change.root.glob(".generate-*"))  # the scratch directory is gone


# --- what make generate refuses, changing nothing ----------------------------------------------------------


def _package_with_sentinel(tmp: Path) -> Path:
    package = tmp / "pkg" / "callbot_client"
    package.mkdir(parents=True)
    (package / "sentinel.py").write_text("KEPT = True\n", encoding="utf-8")
    return package


def _unchanged(tmp: Path, package: Path) -> None:
    assert [path.name for path in package.iterdir()] == ["sentinel.py"]
    assert {where: (tmp / "docs-root" / where).read_text(encoding="utf-8") for where in DOCUMENTS} == repo_documents()
    assert [path.name for path in package.parent.iterdir()] == ["callbot_client"]  # no scratch directory left


def test_an_idempotent_mark_that_is_not_a_boolean_fails_naming_the_operation_and_changes_nothing(
    tmp_path: Path,
) -> None:
    package = _package_with_sentinel(tmp_path)
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec["paths"]["/callcentre/api/v3/createTask"]["post"]["x-idempotent"] = "yes"
    done = run_generate(tmp_path, spec)
    assert done.returncode == 1
    assert "createTask: x-idempotent is 'yes'" in done.stderr and "nothing was changed" in done.stderr
    _unchanged(tmp_path, package)


def test_an_operation_id_that_is_not_its_path_fails_since_retries_name_operations_by_path(tmp_path: Path) -> None:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    spec["paths"]["/callcentre/api/v3/ping"]["post"]["operationId"] = "healthCheck"
    with pytest.raises(derived.SpecError, match=r"healthCheck: the operationId must be the last segment"):
        derived.spec_operations(spec)


TINY_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/v3/broken": {
            "post": {
                "operationId": "broken",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Nowhere"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    "components": {"schemas": {}},
}


@pytest.mark.slow
@pytest.mark.generator
def test_a_generator_failure_is_printed_and_leaves_the_package_and_the_docs_as_they_were(tmp_path: Path) -> None:
    package = _package_with_sentinel(tmp_path)
    done = run_generate(tmp_path, TINY_SPEC)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "openapi-python-client warned: an operation or a model was left out" in done.stderr
    assert "POST /v3/broken" in done.stderr and "Could not find reference" in done.stderr  # the generator's words
    _unchanged(tmp_path, package)


def test_missing_markers_fail_naming_the_file_and_the_block() -> None:
    api_init = (REPO / "generated" / "callbot_client" / "api" / "__init__.py").read_text(encoding="utf-8")
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    documents = repo_documents()
    documents["docs/client.md"] = documents["docs/client.md"].replace("<!-- /not-idempotent -->", "")
    with pytest.raises(
        derived.SpecError,
        match=re.escape(
            "docs/client.md: expected the markers <!-- not-idempotent --> ... <!-- /not-idempotent --> once, found 0"
        ),
    ):
        derived.render_documents(documents, spec, api_init)
    with pytest.raises(
        derived.SpecError, match=re.escape("README.md: not found; it holds the generated blocks methods")
    ):
        derived.render_documents({"docs/client.md": repo_documents()["docs/client.md"]}, spec, api_init)


def test_a_stale_block_is_rewritten_and_the_rest_kept() -> None:
    api_init = (REPO / "generated" / "callbot_client" / "api" / "__init__.py").read_text(encoding="utf-8")
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    current = repo_documents()
    assert derived.render_documents(current, spec, api_init) == current  # what make check-generated checks
    stale = {
        "docs/client.md": current["docs/client.md"]
        .replace("| `stop_order(...)` |", "| `stop_orders(...)` |")
        .replace("`ping`, ", "", 1),
        "README.md": current["README.md"].replace("`create_task`, ", "", 1),
    }
    assert stale != current and derived.render_documents(stale, spec, api_init) == current


def test_check_names_each_file_that_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new, old = tmp_path / "new" / "callbot_client", tmp_path / "old" / "callbot_client"
    for folder, text in ((new, "A = 2\n"), (old, "A = 1\n")):
        (folder / "api").mkdir(parents=True)
        (folder / "api" / "module.py").write_text(text, encoding="utf-8")
    (new / "added.py").write_text("", encoding="utf-8")
    docs = tmp_path / "docs-root"
    for where, text in repo_documents().items():
        (docs / where).parent.mkdir(parents=True, exist_ok=True)
        (docs / where).write_text(text, encoding="utf-8")
    assert generate.check(new, old, docs, repo_documents()) == 1
    out = capsys.readouterr().out
    assert "only in the new package: added.py" in out and "+A = 2" in out and "-A = 1" in out
    assert "callbot_client/api/module.py (committed)" in out and "run 'make generate' and commit" in out
    assert "README.md (generated)" not in out and "client.md (generated)" not in out  # the blocks were current
    stale = {**repo_documents(), "README.md": repo_documents()["README.md"].replace("`ping`, ", "", 1)}
    assert generate.check(old, old, docs, stale) == 1
    out = capsys.readouterr().out
    assert "README.md (generated)" in out and "the generated blocks of README.md are stale" in out
    assert "docs/client.md (generated)" not in out
