"""``check_response_schemas=False``: a signed answer that does not fit the spec becomes the model where the
generated code can build it, with one warning per operation naming the field; where it cannot, a typed error
naming the field. The signature and the envelope are checked all the same, and the default stays strict.

The spoiled answers come from the spec (``spec_answers.faults``) and are signed with the documented rule,
written independently of the package.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import httpx
import pytest
from callbot_cli import main
from callbot_client.api.orders import stop_order
from callbot_client.models import StopOrderRequest, StopOrderResponse
from callbot_sandbox import serve_in_thread
from callbot_signing import Callbot, SignatureError, UnexpectedResponseError, connect

from .._support import documented_sign
from ..spec_answers import Fault, Operation, SignedAnswers, call, faults, full_answer, operations

UUID = "switch-uuid"
#: The envelope's fields: read (and checked) before the schema, with or without the switch.
ENVELOPE = {"retCode", "retMsg", "responseID", "code", "msg", "reqId"}
SECRET = "switch-secret-key-0123"


def signed(answer: Any, request_id: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(answer).encode()
    headers = {"requestID": request_id, "uuid": UUID, "createTs": str(int(time.time()))}
    headers["sign"] = documented_sign(SECRET, body, headers["createTs"], request_id, UUID, "MD5")
    return body, {**headers, "Content-Type": "application/json"}


@pytest.fixture
def answers() -> SignedAnswers:
    return SignedAnswers(UUID, SECRET)


def lenient(answers: SignedAnswers) -> Callbot[Any]:
    """A client with the schema check off, answered by ``answers``."""
    transport = httpx.MockTransport(answers)
    return Callbot("http://callbot.test", UUID, SECRET, max_retries=0, check_response_schemas=False,
                   httpx_args={"transport": transport})  # fmt: skip


def by_id(operation_id: str) -> Operation:
    return next(operation for operation in operations() if operation.operation_id == operation_id)


def stop_order_fault(kind: str, where: str) -> Fault:
    return next(f for f in faults(by_id("stopOrder")) if (f.kind, f.where) == (kind, where))


def test_a_misfit_answer_becomes_the_model_and_is_logged_once_per_operation(
    answers: SignedAnswers, caplog: pytest.LogCaptureFixture
) -> None:
    fault = stop_order_fault("wrong type", "successCount")
    answers.answer = fault.answer
    with lenient(answers) as callbot, caplog.at_level(logging.WARNING, logger="callbot"):
        first = callbot.stop_order(user_task_id="t", order_ids=["a"])
        second = callbot.stop_order(user_task_id="t", order_ids=["a"])
    assert isinstance(first, StopOrderResponse) and isinstance(second, StopOrderResponse)
    assert first.success_count == fault.answer["successCount"]  # the value as it came
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "stopOrder" in warnings[0] and "successCount" in warnings[0]


def test_each_operation_gets_its_own_warning(answers: SignedAnswers, caplog: pytest.LogCaptureFixture) -> None:
    with lenient(answers) as callbot, caplog.at_level(logging.WARNING, logger="callbot"):
        for operation in (by_id("stopOrder"), by_id("ping")):
            wrong = next(
                f for f in faults(operation) if f.kind == "wrong type" and len(f.path) == 1 and f.where not in ENVELOPE
            )
            answers.answer = wrong.answer
            call(callbot, operation)
    warned = [r.getMessage().split(":")[0] for r in caplog.records if r.levelno == logging.WARNING]
    assert warned == ["stopOrder", "ping"]


def test_the_default_stays_strict(answers: SignedAnswers) -> None:
    answers.answer = stop_order_fault("wrong type", "successCount").answer
    transport = httpx.MockTransport(answers)
    with (
        Callbot("http://callbot.test", UUID, SECRET, max_retries=0, httpx_args={"transport": transport}) as callbot,
        pytest.raises(UnexpectedResponseError) as caught,
    ):
        callbot.stop_order(user_task_id="t", order_ids=["a"])
    assert caught.value.field_path == "successCount"


@pytest.mark.parametrize(
    "fault",
    [f for operation in operations() for f in faults(operation)],
    ids=lambda f: f"{f.kind}:{f.where}",
)
def test_every_spoiled_answer_ends_in_a_model_or_an_error_naming_the_field(
    answers: SignedAnswers, fault: Fault
) -> None:
    """Never a KeyError or TypeError from the generated code: a model, or UnexpectedResponseError."""
    operation = next(op for op in operations() if any(f == fault for f in faults(op)))
    answers.answer = fault.answer
    with lenient(answers) as callbot:
        try:
            result = call(callbot, operation)
        except UnexpectedResponseError as exc:
            # The envelope is read first (its own message); the rest of the schema only when the model fails.
            assert exc.field_path is not None, str(exc)
            assert "cannot be built" in str(exc) or (fault.where in ENVELOPE and exc.field_path == fault.where)
            assert str(fault.path[-1]) in str(exc).split(": HTTP 200")[0]  # named, by path or in the message
        else:
            assert type(result).__name__ == operation.response_schema["$ref"].rsplit("/", 1)[1]


def test_some_misfits_are_accepted_and_some_cannot_be(answers: SignedAnswers) -> None:
    """The switch changes something both ways: a wrong scalar is accepted, a missing required field is not."""
    with lenient(answers) as callbot:
        answers.answer = stop_order_fault("wrong type", "successCount").answer
        assert isinstance(callbot.stop_order(user_task_id="t", order_ids=["a"]), StopOrderResponse)
        answers.answer = stop_order_fault("missing", "errList").answer
        with pytest.raises(UnexpectedResponseError, match="cannot be built") as caught:
            callbot.stop_order(user_task_id="t", order_ids=["a"])
    assert caught.value.field_path == "(the body)" and "errList" in str(caught.value)


def test_the_signature_is_still_checked(answers: SignedAnswers) -> None:
    answers.answer = stop_order_fault("wrong type", "successCount").answer
    answers.secret = "another-secret-key-999"
    with lenient(answers) as callbot, pytest.raises(SignatureError):
        callbot.stop_order(user_task_id="t", order_ids=["a"])


def test_the_envelope_is_still_checked(answers: SignedAnswers) -> None:
    answer = full_answer(by_id("stopOrder").response_schema)
    del answer["retCode"]
    answers.answer = answer
    with lenient(answers) as callbot, pytest.raises(UnexpectedResponseError, match="retCode"):
        callbot.stop_order(user_task_id="t", order_ids=["a"])


def test_connect_takes_the_switch_too(answers: SignedAnswers) -> None:
    client = connect("http://callbot.test", UUID, SECRET, max_retries=0, check_response_schemas=False,
                     httpx_args={"transport": httpx.MockTransport(answers)})  # fmt: skip
    body = StopOrderRequest(user_task_id="t", order_ids=["a"])
    with client:
        answers.answer = stop_order_fault("wrong type", "successCount").answer
        assert isinstance(stop_order.sync(client=client, body=body), StopOrderResponse)
        answers.answer = stop_order_fault("missing", "errList").answer
        with pytest.raises(UnexpectedResponseError, match="cannot be built"):
            stop_order.sync(client=client, body=body)


@pytest.fixture
def misfit_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A server on 127.0.0.1 whose listTask answers carry a task with a wrong-typed field, signed."""
    answer = full_answer(by_id("listTask").response_schema)
    answer["taskData"][0]["taskStatus"] = "running"  # an integer in the spec

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        request_id = dict(scope["headers"])[b"requestid"].decode()
        body, headers = signed(answer, request_id)
        raw = [(name.encode(), value.encode()) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": 200, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    with serve_in_thread(app) as url:
        monkeypatch.setenv("CALLBOT_BASE_URL", url)
        monkeypatch.setenv("CALLBOT_UUID", UUID)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
        monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
        monkeypatch.delenv("CALLBOT_PROFILE", raising=False)
        yield url


def test_the_cli_flag_switches_the_check_off(misfit_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    strict = main(["--max-retries", "0", "tasks", "list", "--json"])
    strict_err = capsys.readouterr().err
    lenient_code = main(["--no-check-response-schemas", "--max-retries", "0", "tasks", "list", "--json"])
    out = capsys.readouterr().out
    assert strict != 0 and "taskStatus" in strict_err
    assert lenient_code == 0 and '"running"' in out
