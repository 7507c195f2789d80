"""Every operation of the spec, called through ``Callbot``, against signed answers built from the spec and
then spoiled: a missing required field, a list set to null, a field of the wrong JSON type each raise
UnexpectedResponseError naming the field; an unknown field (and an unknown enum value) still give a model.

The cases come from the spec (``spec_answers``), so a new operation is covered without touching this file;
the answers are signed with the documented rule written independently of the package.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
import yaml
from callbot_client.models import TaskStatus
from callbot_signing import Callbot, UnexpectedResponseError

from openapi import derived

from ..spec_answers import (
    Fault,
    Operation,
    SignedAnswers,
    call,
    enum_fields,
    faults,
    full_answer,
    operations,
)

REPO = Path(__file__).resolve().parents[2]
UUID = "faults-uuid"
SECRET = "faults-secret-key-0123"


@pytest.fixture(scope="module")
def answers() -> SignedAnswers:
    return SignedAnswers(UUID, SECRET)


@pytest.fixture(scope="module")
def client(answers: SignedAnswers) -> Iterator[Callbot[Any]]:
    with Callbot(
        "http://callbot.test", UUID, SECRET, max_retries=0, httpx_args={"transport": httpx.MockTransport(answers)}
    ) as callbot:
        yield callbot


def attribute(model: Any, json_name: str) -> Any:
    """The attribute of a generated model that holds the JSON key ``json_name`` (acronyms kept whole)."""
    for name in attrs.fields_dict(type(model)):
        if name.replace("_", "").lower() == json_name.lower():
            return getattr(model, name)
    raise AttributeError(f"{type(model).__name__} has no attribute for {json_name!r}")


def value_at(model: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        model = model[part] if isinstance(part, int) else attribute(model, part)
    return model


def fault_cases() -> list[Any]:
    cases = []
    for operation in operations():
        for fault in faults(operation):
            cases.append(pytest.param(operation, fault, id=f"{operation.operation_id}:{fault.kind}:{fault.where}"))
    return cases


def test_every_operation_has_a_method_and_fault_cases() -> None:
    """The parametrization below really is driven by the spec: one method and some cases per operation."""
    for operation in operations():
        assert callable(getattr(Callbot, operation.method, None)), operation.operation_id
        assert {fault.kind for fault in faults(operation)} >= {"missing", "wrong type"}, operation.operation_id
    assert len(operations()) >= 13


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
def test_the_full_answer_built_from_the_spec_is_accepted_whole(
    client: Callbot[Any], answers: SignedAnswers, operation: Operation
) -> None:
    """The base every fault below spoils is valid: read into a model that gives back exactly what was sent."""
    answers.answer = full_answer(operation.response_schema)
    result = call(client, operation)
    assert type(result).__name__ == operation.response_schema["$ref"].rsplit("/", 1)[1]
    assert result.to_dict() == answers.answer
    assert answers.requests[-1].url.path == operation.path


@pytest.mark.parametrize(("operation", "fault"), fault_cases())
def test_a_spoiled_answer_raises_unexpected_response_error_naming_the_field(
    client: Callbot[Any], answers: SignedAnswers, operation: Operation, fault: Fault
) -> None:
    answers.answer = fault.answer
    with pytest.raises(UnexpectedResponseError) as caught:
        call(client, operation)
    error = caught.value
    assert (error.operation, error.status_code) == (operation.operation_id, 200)
    assert error.request_id == answers.requests[-1].headers["requestID"]
    if fault.kind == "missing":
        # A missing field is named by its own path, or by the object that lacks it with the name in the message.
        name = str(fault.path[-1])
        assert error.field_path == fault.where or (
            error.field_path == fault.parent and re.search(f"[\"']{name}[\"']", str(error).split(": HTTP 200")[0])
        ), (error.field_path, str(error))
    else:
        assert error.field_path == fault.where, str(error)


@pytest.mark.parametrize("operation", operations(), ids=lambda op: op.operation_id)
def test_unknown_fields_anywhere_in_an_answer_are_kept(
    client: Callbot[Any], answers: SignedAnswers, operation: Operation
) -> None:
    answer = full_answer(operation.response_schema)
    extra = {"fieldFromTheFuture": {"nested": [1, "two"]}}

    def add_extras(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                add_extras(value)
            node.update(copy.deepcopy(extra))
        elif isinstance(node, list):
            for item in node:
                add_extras(item)

    add_extras(answer)
    answers.answer = answer
    result = call(client, operation)
    assert result.additional_properties == extra
    assert result.to_dict() == answer  # the nested extras were kept too, each in its own row's model


def assert_unknown_enum_values_are_kept(client: Callbot[Any], answers: SignedAnswers) -> list[str]:
    """Each enum field of each answer of the spec the client was generated from, set to a value its enum does
    not list: the answer is still read, and the model keeps the value. Returns the fields checked."""
    checked = []
    for operation in operations():
        for field in enum_fields(operation):
            known = field.schema["enum"]
            unknown: Any = max(known) + 1000 if all(isinstance(v, int) for v in known) else "valueFromTheFuture"
            answer = full_answer(operation.response_schema)
            node = answer
            for part in field.path[:-1]:
                node = node[part]
            node[field.path[-1]] = unknown
            answers.answer = answer
            result = call(client, operation)
            assert value_at(result, field.path).value == unknown, (operation.operation_id, field.path)
            checked.append(f"{operation.operation_id}:{'/'.join(map(str, field.path))}")
    return checked


#: Run with a generated package first on sys.path: checks every enum in its spec's answers, prints the fields.
ENUM_CHILD = textwrap.dedent(
    """
    import json, sys
    import httpx
    import callbot_client
    assert callbot_client.__file__.startswith(sys.argv[1]), callbot_client.__file__
    from callbot_signing import Callbot
    from contract_tests.spec_answers import SignedAnswers
    from contract_tests.client.test_callbot_faults import SECRET, UUID, assert_unknown_enum_values_are_kept
    answers = SignedAnswers(UUID, SECRET)
    transport = httpx.MockTransport(answers)
    with Callbot("https://callbot.test", UUID, SECRET, max_retries=0, httpx_args={"transport": transport}) as client:
        print(json.dumps(assert_unknown_enum_values_are_kept(client, answers)))
    """
)


@pytest.mark.generator
def test_an_unknown_enum_value_in_an_answer_is_kept(tmp_path: Path) -> None:
    """No answer of the shipped spec has an enum (taskStatus is a plain integer, see
    test_an_undocumented_task_status_is_read_as_an_integer), so the check runs on a client generated from the
    spec with TaskStatusValue made an enum: the answer's schema check leaves enums out and the generated enum
    keeps a value it does not list. Every enum a later spec puts in an answer is checked the same way."""
    spec = yaml.safe_load((REPO / "openapi" / "callbot.yaml").read_text(encoding="utf-8"))
    spec["components"]["schemas"]["TaskStatusValue"]["enum"] = [1, 2, 3, 4, 5]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
    docs = tmp_path / "docs-root"  # the documents make generate rewrites, copied: the repository's stay as they are
    for where in derived.DOCUMENTS:
        (docs / where).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / where, docs / where)
    package = tmp_path / "pkg" / "callbot_client"
    command = [sys.executable, "-m", "openapi.generate", "--spec", str(tmp_path / "spec.yaml"),
               "--package", str(package), "--docs", str(docs)]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package.parent), str(REPO)])}
    child = subprocess.run(
        [sys.executable, "-c", ENUM_CHILD, str(package)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stdout + child.stderr
    assert {"listTask:taskData/0/taskStatus", "mgrTaskStatus:taskStatus"} <= set(json.loads(child.stdout))


def test_an_undocumented_task_status_is_read_as_an_integer(client: Callbot[Any], answers: SignedAnswers) -> None:
    """taskStatus in listTask rows and in mgrTaskStatus is a plain integer in the spec; 42 is read, and
    TaskStatus (the request-side enum) turns it into a pseudo-member that keeps the value."""
    by_id = {operation.operation_id: operation for operation in operations()}
    list_task = full_answer(by_id["listTask"].response_schema)
    list_task["taskData"][0]["taskStatus"] = 42
    answers.answer = list_task
    rows = call(client, by_id["listTask"]).task_data
    assert value_at(rows, (0, "taskStatus")) == 42
    assert (TaskStatus(rows[0].task_status).value, TaskStatus(42).name) == (42, "UNKNOWN_42")
    mgr = full_answer(by_id["mgrTaskStatus"].response_schema)
    answers.answer = {**mgr, "taskStatus": 42}
    assert call(client, by_id["mgrTaskStatus"]).task_status == 42
