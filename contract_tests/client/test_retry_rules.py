"""The retry rules seen through the transport loop: which operation a request calls (the last path segment,
whatever trails it), which transport faults may have reached the service, and what the log says; and the
policy's own checks. The table of decisions itself is test_retry.py."""

from __future__ import annotations

import logging

import httpx
import pytest
from callbot_signing import APIConnectionError, CallbotAuth, CallbotTransport, RetryPolicy

from ..from_spec import spec_document, spec_operations

BASE = "https://callbot.test"


def client(
    fault: type[httpx.TransportError],
    waits: list[float],
    failures: int = 1,
    retry: RetryPolicy | None = None,
    attempts: list[httpx.Request] | None = None,
) -> httpx.Client:
    """A client whose first ``failures`` attempts end in ``fault``; later ones get a success envelope. ``retry``
    defaults to two retries; each attempt is appended to ``attempts``."""
    attempts = [] if attempts is None else attempts

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        if len(attempts) <= failures:
            raise fault("injected", request=request)
        return httpx.Response(200, json={"retCode": 0, "retMsg": "ok", "responseID": "resp-1"})

    auth = CallbotAuth(
        "acc-uuid",
        "secret-key-0123",
        verify_responses=False,
        retry=retry or RetryPolicy(max_retries=2, base_delay=0.25, max_delay=1.0),
        sleep=waits.append,
    )
    return httpx.Client(transport=CallbotTransport(auth, sync_transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize("fault", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
def test_a_fault_before_the_service_is_retried_even_for_a_non_idempotent_operation(
    fault: type[httpx.TransportError], caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []
    with caplog.at_level(logging.INFO, logger="callbot"), client(fault, waits) as http:
        assert http.post(f"{BASE}/v1/createTask", json={}).status_code == 200
    assert len(waits) == 1 and 0.125 <= waits[0] <= 0.25
    assert f"createTask: retrying in {waits[0]:.2f} s after connect fault (attempt 1 of 3) ({fault.__name__})" in (
        caplog.messages
    )


@pytest.mark.parametrize("fault", [httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.WriteError])
def test_a_fault_after_the_request_left_is_not_retried_for_a_non_idempotent_operation(
    fault: type[httpx.TransportError], caplog: pytest.LogCaptureFixture
) -> None:
    waits: list[float] = []
    with (
        caplog.at_level(logging.DEBUG, logger="callbot"),
        client(fault, waits) as http,
        pytest.raises(APIConnectionError) as caught,
    ):
        http.post(f"{BASE}/v1/createTask", json={})
    assert waits == [] and caught.value.operation == "createTask"
    expected = "createTask: not retried: read fault: createTask may have been carried out and is not idempotent"
    assert f"{expected} ({fault.__name__})" in caplog.messages


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/v1/stopOrder", "stopOrder"), ("/v1/stopOrder/", "stopOrder"), ("/stopOrder//", "stopOrder")],
)
def test_the_operation_is_the_last_path_segment_whatever_trails_it(path: str, operation: str) -> None:
    waits: list[float] = []
    with client(httpx.ReadError, waits) as http:
        assert http.post(f"{BASE}{path}", json={}).status_code == 200  # stopOrder is idempotent: retried
    assert len(waits) == 1


@pytest.mark.parametrize("path", ["/", "/v1/stopOrder /", "/v1/stopOrder/x/", "/v1/stopOrderX", "/v1/stopOrderX/"])
def test_a_path_naming_no_idempotent_operation_is_not_retried(path: str) -> None:
    waits: list[float] = []
    with client(httpx.ReadError, waits) as http, pytest.raises(APIConnectionError):
        http.post(f"{BASE}{path}", json={})
    assert waits == []


def _marked_idempotent(operation_id: str) -> bool:
    operation = spec_document()["paths"][spec_operations()[operation_id]]["post"]
    return operation.get("x-idempotent") is True


@pytest.mark.parametrize("operation_id", list(spec_operations()))
def test_every_operation_of_the_spec_is_retried_after_a_read_fault_exactly_when_marked_idempotent(
    operation_id: str,
) -> None:
    """Through the transport, from the spec's mark alone: a new operation needs nothing but its mark."""
    waits: list[float] = []
    with client(httpx.ReadTimeout, waits, failures=3) as http, pytest.raises(APIConnectionError) as caught:
        http.post(f"{BASE}{spec_operations()[operation_id]}", json={})
    assert len(waits) == (2 if _marked_idempotent(operation_id) else 0)  # max_retries=2: three attempts, or one
    assert caught.value.operation == operation_id


def test_a_negative_max_retries_is_refused_and_zero_turns_retries_off() -> None:
    with pytest.raises(ValueError, match=r"^max_retries must be 0 to 100, got -1$"):
        RetryPolicy(max_retries=-1)
    waits: list[float] = []
    attempts: list[httpx.Request] = []
    policy_off = RetryPolicy(max_retries=0)
    with (
        client(httpx.ConnectError, waits, failures=3, retry=policy_off, attempts=attempts) as http,
        pytest.raises(APIConnectionError),
    ):
        http.post(f"{BASE}/v1/ping", json={})  # a connect fault of an idempotent operation: retried if allowed
    assert len(attempts) == 1 and waits == []  # one attempt, no wait
    attempts.clear()
    with client(httpx.ConnectError, waits, failures=3, attempts=attempts) as http, pytest.raises(APIConnectionError):
        http.post(f"{BASE}/v1/ping", json={})
    assert len(attempts) == 3 and len(waits) == 2  # the same fault with max_retries=2: three attempts, two waits
