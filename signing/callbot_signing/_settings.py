"""Checks of the numeric settings, made once where a setting is given: a NaN, an infinity, a negative or a
value the operating system cannot take never switches a bound off or surfaces later as an OverflowError.

Each check names the setting in its error: ``ValueError`` for a number out of range, ``TypeError`` for
something that is not a number at all (``True`` is not a number of seconds).
"""

from __future__ import annotations

import math
from typing import Final

#: The longest time, in seconds, any setting takes (a timeout, a clock-skew window, a webhook's age): one
#: day. Sockets refuse timeouts past ~3e8 s on some platforms (``OverflowError``); no Callbot wait is
#: anywhere near a day.
MAX_SECONDS: Final = 86_400.0


def check_seconds(name: str, value: object, *, allow_zero: bool = False, maximum: float = MAX_SECONDS) -> float:
    """``value`` as a float number of seconds, > 0 (>= 0 with ``allow_zero``) and <= ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds, got {type(value).__name__} {value!r}")
    seconds = float(value)
    low_ok = seconds >= 0 if allow_zero else seconds > 0
    if not math.isfinite(seconds) or not low_ok or seconds > maximum:
        low = "0" if allow_zero else "more than 0"
        raise ValueError(f"{name} must be a finite number of seconds from {low} to {maximum:,.0f}, got {value!r}")
    return seconds


def check_count(name: str, value: object, *, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` as an int from ``minimum`` to ``maximum`` (a whole float such as ``1e6`` is taken too)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a whole number, got {type(value).__name__} {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    count = int(value)
    if count < minimum or (maximum is not None and count > maximum):
        top = f" to {maximum:,}" if maximum is not None else " or more"
        raise ValueError(f"{name} must be {minimum:,}{top}, got {value!r}")
    return count
