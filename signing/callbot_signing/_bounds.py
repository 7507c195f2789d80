"""The bounds of one attempt: the monotonic time by which it must end, and the bytes it may still read from
the socket (its wire budget).

``CallbotTransport`` sets them in a context variable (:data:`BOUNDS`) for the attempt it makes; the network
wrapper of ``_network.py`` caps every wait by :func:`time_left` and counts every byte read with :func:`charge`.
"""

from __future__ import annotations

import contextvars
import time


class WireLimitExceeded(Exception):
    """More bytes came from the socket during one attempt than its wire budget (see ``CallbotTransport``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit:,} bytes came from the socket")
        self.limit = limit


class AttemptBounds:
    """The monotonic time by which an attempt must end (inf: none), and the bytes it may still read from
    the socket (None: no wire budget)."""

    __slots__ = ("deadline", "wire_left", "wire_limit")

    def __init__(self, deadline: float, wire_limit: int | None = None) -> None:
        self.deadline = deadline
        self.wire_limit = wire_limit
        self.wire_left = wire_limit

    def charge(self, count: int) -> None:
        """Count ``count`` bytes read from the socket; WireLimitExceeded once the budget is spent."""
        if self.wire_left is not None:
            self.wire_left -= count
            if self.wire_left < 0:
                assert self.wire_limit is not None
                raise WireLimitExceeded(self.wire_limit)


#: The current attempt's bounds; None outside an attempt.
BOUNDS: contextvars.ContextVar[AttemptBounds | None] = contextvars.ContextVar("callbot_bounds", default=None)


def time_left(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` capped by the time the current attempt has left (as given outside an attempt); ``error`` once
    that time is gone."""
    bounds = BOUNDS.get()
    if bounds is None or bounds.deadline == float("inf"):
        return timeout
    left = bounds.deadline - time.monotonic()
    if left <= 0:
        raise error("the attempt's deadline (the timeout) has passed")
    return left if timeout is None else min(timeout, left)


def charge(data: bytes) -> bytes:
    """``data``, its size counted against the current attempt's wire budget (WireLimitExceeded once spent)."""
    bounds = BOUNDS.get()
    if bounds is not None:
        bounds.charge(len(data))
    return data
