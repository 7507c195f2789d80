"""The client decodes answers with a compiled decoder (msgspec), held to what ``json.loads`` made of the same bytes
before: the same object, key order and number types, and the same refusals (not strict UTF-8, NaN and the
infinities, integers of more than 4,300 digits, nesting past the recursion limit, lone surrogates decoded as
json.loads does). ``json_object`` is the client's own decode (public in ``nxcloud_callbot.wire``)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nxcloud_callbot.wire import json_object


def _refuse(name: str) -> Any:
    raise ValueError(name)


def stdlib_json_object(body: bytes) -> dict[str, Any] | None:
    """What the client made of a body with json.loads alone (its decode before msgspec)."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def same(body: bytes) -> None:
    fast, slow = json_object(body), stdlib_json_object(body)
    # repr tells 1 from 1.0 and 0.0 from -0.0, and shows the key order; NaN cannot come out of either
    assert repr(fast) == repr(slow), body[:200]


HOSTILE = [
    b'{"a":1,"a":2}',
    b'{"a":1,"b":2,"a":3}',
    b'{"a":123456789012345678901234567890}',
    b'{"a":18446744073709551616}',
    b'{"a":-9223372036854775809}',
    b'{"a":1' + b"0" * 4299 + b"}",
    b'{"a":1' + b"0" * 4300 + b"}",
    b'{"a":NaN}',
    b'{"a":Infinity}',
    b'{"a":-Infinity}',
    b'{"a":1e400}',
    b'{"a":-1e400}',
    b'{"a":1.8e308}',
    b'{"a":1e-400}',
    b'{"a":4.9e-324}',
    b'{"a":-0}',
    b'{"a":-0.0}',
    b'{"a":0.1e1}',
    b'{"a":1.0000000000000000000001}',
    b'{"a":"\\ud800"}',
    b'{"a":"\\udc00x"}',
    b'{"\\ud800":1}',
    b'{"a":"\\ud800\\udc00"}',
    b'{"a":"\xed\xa0\x80"}',
    b'{"a":"\xed\xbf\xbf"}',
    b'{"a":"\xc0\xaf"}',
    b'{"a":"\xff"}',
    b'\xef\xbb\xbf{"a":1}',
    b"\xff\xfe{\x00}\x00",
    b'{"a":"\x01"}',
    b'{"a":"\x7f"}',
    b'{"a":"\\u0000"}',
    b'{"a":01}',
    b'{"a":1.}',
    b'{"a":.5}',
    b'{"a":[1,]}',
    b'{"a":1}x',
    b'{"a":1}\x00',
    b'{"a":1}\x0c',
    b'{"a":\xc2\xa0 1}',
    b' \t\r\n{"a" : [ ] }\r\n',
    b'[{"a":1}]',
    b'"a"',
    b"null",
    b"",
    b"{",
]


@pytest.mark.parametrize("body", HOSTILE)
def test_the_decoder_agrees_with_json_loads_on_hostile_bodies(body: bytes) -> None:
    same(body)


@pytest.mark.parametrize("depth", [10, 500, *range(900, 1001, 4), 1020, 1100, 100_000])
def test_the_decoder_refuses_nesting_exactly_where_json_loads_does(depth: int) -> None:
    """Both count against the interpreter's recursion limit, so they agree at any stack depth."""
    body = b'{"a":' + b"[" * depth + b"]" * depth + b"}"
    same(body)
    for extra in (20, 60):
        nested(extra, lambda: same(body))


def nested(levels: int, call: Any) -> Any:
    return call() if levels == 0 else nested(levels - 1, call)


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=5), JSON, max_size=5), st.booleans())
def test_the_decoder_agrees_with_json_loads_on_any_json_object(value: dict[str, Any], ascii_only: bool) -> None:
    try:
        body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a str: only its \\u escape can be sent
        body = json.dumps(value, ensure_ascii=True).encode("utf-8")
    same(body)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet='{}[]:,"\\ud80ce+-.0123456789NaIfinty lrus ', max_size=40))
def test_the_decoder_agrees_with_json_loads_on_scraps_of_json(scrap: bytes | str) -> None:
    body = scrap.encode("utf-8", "surrogatepass") if isinstance(scrap, str) else scrap
    same(b'{"a":' + body + b"}")
    same(body)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["{!r}", "{:.17e}", "{:.40f}", "{:g}"]))
def test_the_decoder_reads_every_float_as_json_loads_does(number: float, form: str) -> None:
    text = form.format(number)
    if not math.isfinite(float(text)) or "inf" in text:
        return
    same(b'{"a":' + text.encode() + b"}")


def test_the_recursion_limit_is_what_it_was_when_these_ran() -> None:
    assert sys.getrecursionlimit() >= 1000
