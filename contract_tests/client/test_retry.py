"""The one retry decision, as a table: what happened on an attempt -> wait (seconds) or give up, and why."""

from __future__ import annotations

import email.utils
import json
from importlib import resources

import pytest
from callbot_signing import RetryPolicy
from callbot_signing.wire import (
    IDEMPOTENT_OPERATIONS,
    NOT_IDEMPOTENT_OPERATIONS,
    Attempt,
    decide_retry,
    parse_retry_after,
)

NOW = 1_800_000_000.0
POLICY = RetryPolicy(max_retries=2, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)


def wait(attempt: Attempt, policy: RetryPolicy = POLICY, jitter: float = 1.0) -> float | None:
    return decide_retry(policy, attempt, jitter=lambda: jitter, now=lambda: NOW).wait


HTTP_DATE_IN_30_S = email.utils.formatdate(NOW + 30, usegmt=True)

# (what happened, expected wait with jitter 1.0 or None to give up)
TABLE: list[tuple[Attempt, float | None]] = [
    # never reached the service: retried for every operation
    (Attempt("importBatchCall", 1, transport_fault="connect"), 0.5),
    (Attempt("createTask", 2, transport_fault="connect"), 1.0),
    (Attempt("createTask", 3, transport_fault="connect"), None),  # no retries left
    (Attempt("createTask", 1, status=429), 0.5),
    (Attempt("createTask", 1, status=503), 0.5),
    (Attempt("createTask", 1, status=200, ret_code=5), 0.5),
    (Attempt("createTask", 1, status=200, ret_code=7), 0.5),
    # may have been carried out: idempotent operations only
    (Attempt("stopOrder", 1, transport_fault="read"), 0.5),
    (Attempt("listOrder", 2, status=502), 1.0),
    (Attempt("ping", 1, status=504), 0.5),
    (Attempt("mgrTaskStatus", 1, status=200, ret_code=5001), 0.5),
    (Attempt("importBatchCall", 1, transport_fault="read"), None),
    (Attempt("addBatchCall", 1, status=502), None),
    (Attempt("createAndCall", 1, status=200, ret_code=5001), None),
    # never retried
    (Attempt("ping", 1, status=500), None),
    (Attempt("ping", 1, status=404), None),
    (Attempt("ping", 1, status=200, ret_code=4), None),
    (Attempt("ping", 1, status=200, ret_code=6), None),
    (Attempt("ping", 1, status=200, ret_code=1), None),
    # Retry-After: honoured up to the cap, in both forms; an unreadable one is ignored
    (Attempt("createTask", 1, status=429, retry_after="2"), 2.0),
    (Attempt("createTask", 1, status=429, retry_after="0"), 0.5),
    (Attempt("createTask", 1, status=503, retry_after=HTTP_DATE_IN_30_S), 30.0),
    (Attempt("createTask", 1, status=503, retry_after="61"), None),
    (Attempt("createTask", 1, status=503, retry_after="²"), 0.5),
    (Attempt("createTask", 1, status=503, retry_after="soon"), 0.5),
]


@pytest.mark.parametrize(("attempt", "expected"), TABLE, ids=[f"{a}" for a, _ in TABLE])
def test_the_retry_decision_table(attempt: Attempt, expected: float | None) -> None:
    assert wait(attempt) == pytest.approx(expected) if expected is not None else wait(attempt) is None


def test_the_backoff_doubles_and_is_capped_by_max_delay() -> None:
    policy = RetryPolicy(max_retries=10, base_delay=0.5, max_delay=3.0)
    waits = [wait(Attempt("ping", n, status=503), policy) for n in range(1, 7)]
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


@pytest.mark.parametrize("jitter", [0.5, 0.73, 1.0])
def test_the_jitter_scales_the_backoff(jitter: float) -> None:
    assert wait(Attempt("ping", 2, status=503), jitter=jitter) == pytest.approx(1.0 * jitter)


def test_the_default_jitter_lies_between_half_and_all_of_the_backoff_and_varies() -> None:
    waits = {decide_retry(POLICY, Attempt("ping", 2, status=503)).wait for _ in range(200)}
    assert all(w is not None and 0.5 <= w <= 1.0 for w in waits)
    assert len(waits) > 100  # not a constant


def test_a_retry_after_wins_over_a_shorter_backoff_only() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=10.0, max_delay=10.0)
    assert wait(Attempt("ping", 1, status=429, retry_after="2"), policy) == 10.0


def test_every_decision_says_why() -> None:
    given_up = decide_retry(POLICY, Attempt("addBatchCall", 1, status=502))
    assert given_up.wait is None and "addBatchCall may have been carried out and is not idempotent" in given_up.reason
    retried = decide_retry(POLICY, Attempt("ping", 1, status=503), jitter=lambda: 1.0)
    assert retried.reason == "HTTP 503 (attempt 1 of 3)"
    exhausted = decide_retry(POLICY, Attempt("ping", 3, status=503))
    assert exhausted.reason == "HTTP 503: no retries left (2 allowed)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 7 ", 7.0), (HTTP_DATE_IN_30_S, 30.0), (email.utils.formatdate(NOW - 30, usegmt=True), 0.0)],
)
def test_retry_after_is_read_in_both_forms(value: str, expected: float) -> None:
    assert parse_retry_after(value, lambda: NOW) == pytest.approx(expected)


def test_the_retry_classes_are_the_marks_of_the_spec() -> None:
    """IDEMPOTENT_OPERATIONS is what the shipped spec marks x-idempotent: true, NOT_IDEMPOTENT_OPERATIONS every
    other operation of it: a new operation is classified by its mark alone, with no list to edit."""
    spec = json.loads(resources.files("callbot_client").joinpath("openapi.json").read_text(encoding="utf-8"))
    marks = {op["operationId"]: op.get("x-idempotent") for item in spec["paths"].values() for op in item.values()}
    assert set(marks.values()) <= {True, False, None}  # make generate refuses any other value
    assert {name for name, mark in marks.items() if mark is True} == IDEMPOTENT_OPERATIONS
    assert {name for name, mark in marks.items() if mark is not True} == NOT_IDEMPOTENT_OPERATIONS
    assert isinstance(IDEMPOTENT_OPERATIONS, frozenset) and isinstance(NOT_IDEMPOTENT_OPERATIONS, frozenset)


def test_the_classification_of_the_documented_operations_is_kept() -> None:
    """The reads, stopOrder, mgrTaskStatus and updateTask are marked; the operations that create or import are not."""
    reads = {"ping", "listTask", "listCall", "listOrder", "listOrderDetail", "exportBatchCall"}
    assert reads | {"stopOrder", "mgrTaskStatus", "updateTask"} <= IDEMPOTENT_OPERATIONS
    assert {"createTask", "addBatchCall", "createAndCall", "importBatchCall"} <= NOT_IDEMPOTENT_OPERATIONS


def test_the_read_only_operations_of_a_live_contract_run_are_idempotent() -> None:
    from ..run_contract import READ_ONLY

    assert set(READ_ONLY) <= IDEMPOTENT_OPERATIONS
