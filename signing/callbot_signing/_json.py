"""Decoding answers: one decode per attempt, refusing bodies too dense to decode within memory bounds.

The decoder is msgspec's (a compiled one, about a third faster than ``json.loads`` on a listCall answer), held to
exactly what ``json.loads`` makes of the same bytes: wherever the two could differ, msgspec refuses the body (a
lone surrogate escape, a number beyond the float range, an integer of more than 4,300 digits, NaN and the
infinities) and the body is decoded again by the standard library, whose answer stands. Both keep the last of
duplicate keys, both refuse what is not strict UTF-8, and both nest only as deep as the interpreter's
recursion limit allows (msgspec counts against the same limit). The signature is checked on the raw bytes
before any of this.

The garbage collector is left alone while a body is decoded: it is a process-wide setting that belongs to the
application, and pausing it would only postpone the collection of the new objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

#: msgspec's decode and the errors it raises, imported with the first answer (not with the client).
_fast: tuple[Callable[[bytes], Any], tuple[type[BaseException], ...]] | None = None


def _fast_decoder() -> tuple[Callable[[bytes], Any], tuple[type[BaseException], ...]]:
    global _fast
    if _fast is None:
        import msgspec.json

        _fast = (msgspec.json.Decoder().decode, (msgspec.MsgspecError, RecursionError))
    return _fast


#: How many frames deeper than ``json.loads`` is called msgspec runs. Both refuse nesting by the interpreter's
#: recursion limit, counted from where they start: json.loads's scanner starts 4 frames below its caller
#: (loads, decode, raw_decode, the scanner's own). Two more make msgspec refuse a little earlier, never later,
#: than json.loads would, and what it refuses the stdlib decodes: the result is json.loads's at any depth.
_PADDING_FRAMES = 6


def _fast_decode_deeper(frames: int, decode: Callable[[bytes], Any], body: bytes) -> Any:
    return decode(body) if frames <= 1 else _fast_decode_deeper(frames - 1, decode, body)


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
    decode, refused = _fast or _fast_decoder()
    try:
        data = _fast_decode_deeper(_PADDING_FRAMES, decode, body)
    except refused:  # not JSON, or JSON that msgspec does not decode as json.loads does
        pass
    else:
        return data if isinstance(data, dict) else None
    try:
        # UTF-8 only, strict (json.loads would also take UTF-16 and UTF-32, and decode UTF-8-encoded
        # surrogates into a str that cannot be written out again).
        data = json.loads(body.decode("utf-8"), parse_constant=_not_json)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None
