"""When a failed attempt is retried, and how long to wait first."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass
from typing import Final

import httpx

from ._constants import (
    DEFAULT_BASE_DELAY,
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_AFTER,
)

#: Operations that are safe to repeat when an attempt *may* have been carried out (read timeout, reset
#: connection, 502/504, retCode 5001): the reads, and the writes whose repeat changes nothing more.
#: stopOrder: a stopped order stays stopped (a repeat after a lost reply lists them as already stopped);
#: mgrTaskStatus and updateTask set a state. Not here: createTask, addBatchCall and createAndCall (a repeat
#: is refused as a duplicate, hiding the first attempt's success) and importBatchCall (a repeat starts a
#: new batch, which drops the previous batch's undialed orders).
IDEMPOTENT_OPERATIONS: Final = frozenset(
    {
        "ping",
        "listTask",
        "listCall",
        "listOrder",
        "listOrderDetail",
        "exportBatchCall",
        "stopOrder",
        "mgrTaskStatus",
        "updateTask",
    }
)

#: The service (or a proxy in front of it) refused before doing anything: always safe to retry.
NOT_PROCESSED_STATUSES: Final = frozenset({429, 503})
NOT_PROCESSED_RET_CODES: Final = frozenset({5, 7})
#: The attempt may have been carried out: retried for idempotent operations only.
MAYBE_PROCESSED_STATUSES: Final = frozenset({502, 504})
MAYBE_PROCESSED_RET_CODES: Final = frozenset({5001})


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter. ``max_retries=0`` turns retries off."""

    max_retries: int = DEFAULT_MAX_RETRIES
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    #: A Retry-After longer than this is not waited for: the error is raised at once.
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {self.max_retries}")

    def allows(self, attempt: int, operation: str, *, maybe_processed: bool) -> bool:
        """May attempt number ``attempt`` (1-based) be followed by another?"""
        return attempt <= self.max_retries and (not maybe_processed or operation in IDEMPOTENT_OPERATIONS)

    def delay(self, attempt: int, retry_after: str | None = None) -> float | None:
        """Seconds to wait after attempt ``attempt``; None when Retry-After asks for too long a wait."""
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        wait = backoff * random.uniform(0.5, 1.0)  # jitter keeps many clients from retrying in step
        asked = parse_retry_after(retry_after)
        if asked is not None:
            if asked > self.max_retry_after:
                return None
            wait = max(wait, asked)
        return wait


NO_RETRIES: Final = RetryPolicy(max_retries=0)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # str.isdigit() alone accepts '²'
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def operation_of(request: httpx.Request) -> str:
    """The operation a request calls: the last segment of its path (``stopOrder``)."""
    return request.url.path.rstrip("/").rsplit("/", 1)[-1]
