"""When a failed attempt is retried, and how long to wait first: one decision, :func:`decide_retry`.

``_judge.judge_attempt`` describes what happened on an attempt (an answer, or a fault below HTTP) as an
:class:`Attempt`, logs the reason of the returned :class:`RetryDecision`, and hands its wait to the loop that
made the attempt.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import httpx

from ._constants import (
    DEFAULT_BASE_DELAY,
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
)
from ._schemas import shipped_spec
from ._settings import check_count, check_seconds

#: The most retries a policy takes: more would keep one call going for hours.
MAX_RETRIES: Final = 100

#: The spec's mark of an operation that is safe to send twice.
IDEMPOTENT_MARK: Final = "x-idempotent"


def _classified() -> tuple[frozenset[str], frozenset[str]]:
    """(the operations the shipped spec marks ``x-idempotent: true``, every other operation of it)."""
    marked: set[str] = set()
    unmarked: set[str] = set()
    for item in shipped_spec()["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                (marked if operation.get(IDEMPOTENT_MARK) is True else unmarked).add(operation["operationId"])
    return frozenset(marked), frozenset(unmarked)


#: Operations that are safe to repeat when an attempt *may* have been carried out (read timeout, reset
#: connection, 502/504, retCode 5001): those the spec marks ``x-idempotent: true`` (the reads, and the writes
#: whose repeat changes nothing more: stopOrder, mgrTaskStatus, updateTask), each with its reason in the
#: spec. Read from the spec shipped with the generated client, so ``make generate`` carries a new mark here.
#: NOT_IDEMPOTENT_OPERATIONS: every other operation of the spec, never repeated after such a fault
#: (createTask, addBatchCall and createAndCall: a repeat is refused as a duplicate, hiding the first
#: attempt's success; importBatchCall: a repeat starts a new batch, dropping the undialed orders). An
#: operation the spec does not have is in neither set and not repeated either.
IDEMPOTENT_OPERATIONS: Final = _classified()[0]
NOT_IDEMPOTENT_OPERATIONS: Final = _classified()[1]

#: The service (or a proxy in front of it) refused before doing anything: always safe to retry.
NOT_PROCESSED_STATUSES: Final = frozenset({429, 503})
NOT_PROCESSED_RET_CODES: Final = frozenset({5, 7})
#: The attempt may have been carried out: retried for idempotent operations only.
MAYBE_PROCESSED_STATUSES: Final = frozenset({502, 504})
MAYBE_PROCESSED_RET_CODES: Final = frozenset({5001})

#: A transport fault: ``connect`` never reached the service (refused, connect or pool timeout); ``read``
#: may have been carried out (a read or write timeout, a reset, a broken or invalid answer).
TransportFault = Literal["connect", "read"]


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter. ``max_retries=0`` turns retries off."""

    max_retries: int = DEFAULT_MAX_RETRIES
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    #: A Retry-After longer than this is not waited for: the error is raised at once.
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        """Each setting checked when given (``_settings``): a NaN, an infinity, a negative or a bool is refused,
        naming the setting; whole floats become ints, the waits floats."""
        object.__setattr__(
            self, "max_retries", check_count("max_retries", self.max_retries, minimum=0, maximum=MAX_RETRIES)
        )
        for name in ("base_delay", "max_delay", "max_retry_after"):
            object.__setattr__(self, name, check_seconds(name, getattr(self, name), allow_zero=True))

    def backoff(self, attempt: int, jitter: float) -> float:
        """The wait after attempt ``attempt`` (1-based): min(max_delay, base_delay * 2**(attempt-1)) * jitter."""
        return min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1)) * jitter


NO_RETRIES: Final = RetryPolicy(max_retries=0)


@dataclass(frozen=True)
class Attempt:
    """What happened on one attempt: an HTTP ``status`` (with the answer's ``ret_code`` when it had one) or
    a ``transport_fault``; ``retry_after`` is the answer's Retry-After header."""

    operation: str
    number: int
    status: int | None = None
    ret_code: int | None = None
    transport_fault: TransportFault | None = None
    retry_after: str | None = None


@dataclass(frozen=True)
class RetryDecision:
    """``wait`` seconds before the next attempt, or None to give up; ``reason`` says why, for the log."""

    wait: float | None
    reason: str


def decide_retry(
    policy: RetryPolicy,
    attempt: Attempt,
    *,
    jitter: Callable[[], float] = lambda: random.uniform(0.5, 1.0),
    now: Callable[[], float] = time.time,
) -> RetryDecision:
    """Whether to retry after ``attempt``, and after how long. The jitter (in [0.5, 1], so that many clients
    do not retry in step) and the clock are parameters, so that the decision can be tested as a table."""
    if attempt.transport_fault is not None:
        what, maybe_processed = attempt.transport_fault + " fault", attempt.transport_fault != "connect"
    elif attempt.ret_code is not None and attempt.ret_code in NOT_PROCESSED_RET_CODES | MAYBE_PROCESSED_RET_CODES:
        what, maybe_processed = f"retCode {attempt.ret_code}", attempt.ret_code in MAYBE_PROCESSED_RET_CODES
    elif attempt.status is not None and attempt.status in NOT_PROCESSED_STATUSES | MAYBE_PROCESSED_STATUSES:
        what, maybe_processed = f"HTTP {attempt.status}", attempt.status in MAYBE_PROCESSED_STATUSES
    else:
        return RetryDecision(None, "not a retryable fault")
    if maybe_processed and attempt.operation not in IDEMPOTENT_OPERATIONS:
        return RetryDecision(None, f"{what}: {attempt.operation} may have been carried out and is not idempotent")
    if attempt.number > policy.max_retries:
        return RetryDecision(None, f"{what}: no retries left ({policy.max_retries} allowed)")
    wait = policy.backoff(attempt.number, jitter())
    asked = parse_retry_after(attempt.retry_after, now)
    if asked is not None:
        if asked > policy.max_retry_after:
            return RetryDecision(None, f"{what}: Retry-After {asked:.0f} s is over {policy.max_retry_after:.0f} s")
        wait = max(wait, asked)
    return RetryDecision(wait, f"{what} (attempt {attempt.number} of {policy.max_retries + 1})")


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone accepts '²'
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def transport_fault_of(exc: Exception) -> TransportFault:
    """``connect`` when the request cannot have reached the service, else ``read``."""
    return "connect" if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout) else "read"


def operation_of(request: httpx.Request) -> str:
    """The operation a request calls: the last segment of its path (``stopOrder``)."""
    return request.url.path.rstrip("/").rsplit("/", 1)[-1]
