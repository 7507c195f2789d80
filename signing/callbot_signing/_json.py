"""Decoding answers: one ``json.loads`` per attempt, refusing bodies too dense to decode within memory bounds.

The garbage collector is left alone while a body is decoded: it is a process-wide setting that belongs to the
application, and pausing it would only postpone the collection of the new objects.
"""

from __future__ import annotations

import json
from typing import Any

#: Bodies from this size on must hold at most one JSON value per DENSE_BYTES_PER_VALUE bytes: a decoded
#: value costs 50 to 100 bytes of memory, so ``[{},{},...]`` would take 30 times its size. Callbot answers
#: hold about one value per 20 bytes (a 10 MB listCall decodes to 3.2 times its size).
DENSITY_CHECKED_BYTES = 1024 * 1024
DENSE_BYTES_PER_VALUE = 12


def too_dense(body: bytes) -> int | None:
    """The number of JSON values ``body`` may hold (counted by its commas, braces and brackets) when that
    is more than one per DENSE_BYTES_PER_VALUE bytes of a large body; else None."""
    if len(body) < DENSITY_CHECKED_BYTES:
        return None
    values = body.count(b",") + body.count(b"{") + body.count(b"[")
    return values if values * DENSE_BYTES_PER_VALUE > len(body) else None


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object; None when it is not one (not strict UTF-8, not JSON, NaN or Infinity, an integer
    of more than 4,300 digits, nested too deep, not an object)."""
    try:
        # UTF-8 only, strict (json.loads would also take UTF-16 and UTF-32, and decode UTF-8-encoded
        # surrogates into a str that cannot be written out again).
        data = json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None
