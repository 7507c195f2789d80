"""Decoding answers: one ``json.loads`` per attempt, with the garbage collector paused for large bodies.

A JSON tree has no reference cycles, yet building one allocates so many containers that the collector
runs again and again over them: for a 10 MB listCall that is more than half the time of ``json.loads``
and of the generated ``from_dict``. While a large body is decoded, automatic collection is paused
(process-wide, as ``gc.disable`` is; other threads only see collection delayed); it resumes when the
last decoding thread is done, if it was enabled before.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: Bodies from this size on are decoded with the collector paused.
LARGE_BODY_BYTES = 256 * 1024

_lock = threading.Lock()
_pausers = 0
_was_enabled = False


@contextmanager
def paused_gc(size: int) -> Iterator[None]:
    """Pause automatic garbage collection while decoding ``size`` bytes, when that is large."""
    global _pausers, _was_enabled
    if size < LARGE_BODY_BYTES:
        yield
        return
    with _lock:
        if _pausers == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausers += 1
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0 and _was_enabled:
                gc.enable()


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
        with paused_gc(len(body)):
            # UTF-8 only, strict (json.loads would also take UTF-16 and UTF-32, and decode UTF-8-encoded
            # surrogates into a str that cannot be written out again).
            data = json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None
