"""A refusal that is not signed proves nothing: an intermediary can forward a request and forge the refusal.

For an operation that is not idempotent, such a refusal (retCode 6, 6001, 6002 unsigned or unverifiable)
is raised with ``outcome_unknown`` set and says so (what ``add_orders`` then does: test_add_orders_in_doubt.py;
the algorithm advice: test_algorithm_advice.py). A signed refusal stays a final refusal."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from callbot_signing import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    CallbotError,
    ServiceUnavailableError,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
)

from .._support import envelope, reply
from ..refusing_service import raised

# --- the attribute, and its message --------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["createTask", "addBatchCall"])
@pytest.mark.parametrize(("ret_code", "error_class"), [(6, SignatureRejectedError), (6002, AuthenticationError)])
def test_an_unsigned_refusal_of_a_write_is_raised_with_its_outcome_unknown(
    operation: str, ret_code: int, error_class: type[CallbotError]
) -> None:
    error = raised(operation, lambda request: reply(request, envelope(ret_code), signed=False))
    assert type(error) is error_class and error.ret_code == ret_code
    assert error.outcome_unknown is True
    assert "Outcome unknown" in str(error) and "not signed" in str(error) and "listOrder" in str(error)


def test_a_refusal_whose_signature_fails_is_an_unknown_outcome_too() -> None:
    def forged(request: httpx.Request) -> httpx.Response:
        return reply(request, envelope(6), sign="0" * 32)

    error = raised("addBatchCall", forged)
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is True
    assert "secret key is probably wrong" in str(error)


def test_a_signed_refusal_stays_a_final_refusal() -> None:
    error = raised("addBatchCall", lambda request: reply(request, envelope(6)))
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is False
    assert "Outcome unknown" not in str(error)


def test_an_unsigned_refusal_of_a_read_is_not_an_unknown_outcome() -> None:
    error = raised("listTask", lambda request: reply(request, envelope(6), signed=False))
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is False
    assert "Outcome unknown" not in str(error)


@pytest.mark.parametrize(
    ("answer", "error_class", "unknown"),
    [
        (lambda request: reply(request, envelope(5001)), ServiceUnavailableError, True),
        (lambda request: reply(request, envelope(7)), ServiceUnavailableError, False),
        (lambda request: reply(request, envelope(4)), CallbotError, False),
        (lambda request: reply(request, envelope(0), sign="F" * 32), SignatureError, True),
        (lambda request: httpx.Response(502, text="<html>bad gateway</html>"), UnexpectedResponseError, True),
        (lambda request: httpx.Response(404, text="not found"), UnexpectedResponseError, False),
        (lambda request: reply(request, b"not json"), UnexpectedResponseError, True),
    ],
    ids=["5001", "busy", "bad value", "bad sign", "502", "404", "not json"],
)
def test_outcome_unknown_is_set_when_a_write_may_have_been_carried_out(
    answer: Callable[[httpx.Request], httpx.Response], error_class: type[CallbotError], unknown: bool
) -> None:
    error = raised("createTask", answer)
    assert isinstance(error, error_class)
    assert error.outcome_unknown is unknown and ("Outcome unknown" in str(error)) is unknown
    assert raised("listTask", answer).outcome_unknown is False  # a read can be repeated


@pytest.mark.parametrize(
    ("fault", "error_class", "unknown"),
    [(httpx.ReadTimeout("slow"), APITimeoutError, True), (httpx.ConnectError("refused"), APIConnectionError, False)],
    ids=["read timeout", "refused connection"],
)
def test_a_fault_after_the_request_left_is_an_unknown_outcome(
    fault: Exception, error_class: type[CallbotError], unknown: bool
) -> None:
    def failing(request: httpx.Request) -> httpx.Response:
        raise fault

    error = raised("createTask", failing)
    assert type(error) is error_class and error.outcome_unknown is unknown


def test_outcome_unknown_survives_pickling() -> None:
    import pickle

    error = raised("createTask", lambda request: reply(request, envelope(6), signed=False))
    assert pickle.loads(pickle.dumps(error)).outcome_unknown is True


# --- an answer refused unread ----------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["createTask", "addBatchCall", "listTask"])
@pytest.mark.parametrize(
    "headers",
    [{"Content-Length": str(10**9)}, {"Content-Encoding": "snappy"}],
    ids=["too-large", "unasked-encoding"],
)
def test_an_answer_refused_unread_leaves_a_write_outcome_unknown(operation: str, headers: dict[str, str]) -> None:
    """The request reached the service and its answer was not read: for a write, nothing shows what was done."""

    def service(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"{}"))

    error = raised(operation, service)
    assert isinstance(error, UnexpectedResponseError)
    assert error.outcome_unknown is (operation != "listTask")
    assert ("Outcome unknown" in str(error)) is (operation != "listTask")
