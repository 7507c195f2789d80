"""No single-step tampering of a genuine signed callback is accepted (hypothesis: 10,000 cases in `make contract`,
300 in `make test`)."""

from __future__ import annotations

import json

import pytest
from callbot_signing import CallbotError, parse_webhook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .._support import PAYLOADS, documented_sign
from .._support import WEBHOOK_SECRET as SECRET
from .._support import WEBHOOK_UUID as UUID

NOW = 1_800_000_000
SIGNED = ("requestID", "uuid", "createTs", "sign")


def genuine(algorithm: str) -> tuple[list[tuple[str, str]], bytes]:
    body = json.dumps(PAYLOADS["order"], ensure_ascii=False).encode()
    sign = documented_sign(SECRET, body, str(NOW), "tamper-req-1", UUID, algorithm)
    return [("requestID", "tamper-req-1"), ("uuid", UUID), ("createTs", str(NOW)), ("sign", sign)], body


GENUINE = {algorithm: genuine(algorithm) for algorithm in ("MD5", "SHA256")}


def edit(data: st.DataObject, value: bytes) -> bytes:
    """One byte flipped, inserted or deleted."""
    how = data.draw(st.sampled_from(["flip", "insert", "delete"]))
    at = data.draw(st.integers(0, len(value) - (0 if how == "insert" else 1)))
    if how == "insert":
        return value[:at] + bytes([data.draw(st.integers(0, 255))]) + value[at:]
    if how == "delete":
        return value[:at] + value[at + 1 :]
    return value[:at] + bytes([value[at] ^ data.draw(st.integers(1, 255))]) + value[at + 1 :]


Tampering = tuple[str, str, list[tuple[str, str]], bytes]


@st.composite
def tamperings(draw: st.DrawFn) -> Tampering:
    """One single-step tampering of a genuine callback: (what was changed, algorithm to check with, headers, body)."""
    data = draw(st.data())
    algorithm = draw(st.sampled_from(["MD5", "SHA256"]))
    headers, body = GENUINE[algorithm]
    headers = list(headers)
    target = draw(st.sampled_from(["body", "header", "sign case", "algorithm", "duplicate"]))
    if target == "body":
        body = edit(data, body)
    elif target == "header":
        index = draw(st.integers(0, len(headers) - 1))
        name, value = headers[index]
        headers[index] = (name, edit(data, value.encode("latin-1")).decode("latin-1"))
    elif target == "sign case":
        name, value = headers[3]
        lowered = draw(st.sets(st.sampled_from([i for i, c in enumerate(value) if c.isalpha()]), min_size=1))
        headers[3] = (name, "".join(c.lower() if i in lowered else c for i, c in enumerate(value)))
    elif target == "algorithm":
        other = "SHA256" if algorithm == "MD5" else "MD5"
        stated = draw(st.sampled_from([other, other.lower(), "SHA1", "", "none"]))
        headers.append(("algorithm", stated))
        algorithm = draw(st.sampled_from([algorithm, other])) if stated else other
    else:
        name, value = headers[draw(st.integers(0, len(headers) - 1))]
        headers.append((name.upper(), value + "0"))
    return target, algorithm, headers, body


#: 1,000 examples of 10 tamperings each: 10,000 cases, without paying hypothesis's per-example cost 10,000 times.
@pytest.mark.slow
@settings(max_examples=1_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tamperings(), min_size=10, max_size=10))
def test_no_single_tampering_of_a_genuine_callback_is_accepted(cases: list[Tampering]) -> None:
    for target, algorithm, headers, body in cases:
        try:
            event = parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, algorithm=algorithm, now=NOW)
        except CallbotError:
            continue
        raise AssertionError(f"a tampered callback was accepted: {target} {headers} {body!r} -> {event}")


#: The same check in 300 cases (30 examples of 10), for `make test`; the 10,000 above run in `make contract`.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(tamperings(), min_size=10, max_size=10))
def test_no_single_tampering_of_a_genuine_callback_is_accepted_in_300_cases(cases: list[Tampering]) -> None:
    test_no_single_tampering_of_a_genuine_callback_is_accepted.hypothesis.inner_test(cases)


def test_the_untampered_callback_is_accepted_with_either_algorithm() -> None:
    for algorithm, (headers, body) in GENUINE.items():
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, algorithm=algorithm, now=NOW)
