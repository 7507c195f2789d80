"""The settings a webhook (or an answer) is verified with: a value that would switch a bound off is refused
(clock skew, body limit, clock reading, guard window and size, guard type), and a message signed with another
algorithm than the one configured advises the verifier to configure it."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from callbot_signing import (
    MemoryReplayStore,
    ReplayGuard,
    SignatureError,
    parse_webhook,
    verify_response,
    verify_webhook,
)
from callbot_signing.wire import verify_signed_message

from .._support import PAYLOADS, documented_sign

NOW = 1_800_000_000
#: Two accounts served by one receiver; B holds its own key and signs whatever it likes.
A = ("acct-a-uuid", "acct-a-secret")
ID_CHARS = 16


def signed(
    account: tuple[str, str], request_id: str = "r" * ID_CHARS, *, create_ts: int = NOW, body: bytes | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    uuid, secret = account
    raw = json.dumps(PAYLOADS["call"]).encode() if body is None else body
    sign = documented_sign(secret, raw, str(create_ts), request_id, uuid, "MD5")
    return [("requestID", request_id), ("uuid", uuid), ("createTs", str(create_ts)), ("sign", sign)], raw


def receive(account: tuple[str, str], headers: Any, body: Any, **options: Any) -> Any:
    uuid, secret = account
    return parse_webhook(headers, body, **{"uuid": uuid, "secret_key": secret, "now": NOW, **options})


# --- 3. settings that would switch a bound off ----------------------------------------------------------

BAD_SECONDS = [math.nan, math.inf, -math.inf, -1, 0, True, "300", 10 * 366 * 86_400]
BAD_COUNTS = [math.nan, math.inf, 0, -5, True, 1.5, "4096"]


def _error_for(value: Any) -> type[Exception]:
    return TypeError if isinstance(value, bool | str) else ValueError


@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
@pytest.mark.parametrize("verifier", ["parse_webhook", "verify_webhook", "verify_response"])
def test_a_clock_skew_that_is_not_a_finite_positive_number_of_seconds_is_refused(verifier: str, value: Any) -> None:
    headers, body = signed(A)
    options: dict[str, Any] = {"uuid": A[0], "secret_key": A[1], "max_clock_skew": value}
    with pytest.raises(_error_for(value), match=r"^max_clock_skew must be a"):
        if verifier == "verify_response":
            verify_response(headers, body, request_id="r", **options)
        else:
            (parse_webhook if verifier == "parse_webhook" else verify_webhook)(headers, body, **options)


def test_the_longest_windows_are_a_day_for_answers_and_a_year_for_webhooks() -> None:
    headers, body = signed(A, create_ts=NOW - 366 * 86_400)
    receive(A, headers, body, max_clock_skew=366 * 86_400)  # an old capture re-checked
    with pytest.raises(ValueError, match=r"^max_clock_skew must be .* to 86,400, got 86401"):
        verify_response(headers, body, request_id="r", uuid=A[0], secret_key=A[1], max_clock_skew=86_401)


def test_a_nan_clock_skew_no_longer_accepts_a_ten_year_old_webhook() -> None:
    headers, body = signed(A, create_ts=NOW - 10 * 365 * 86_400)
    with pytest.raises(ValueError, match=r"^max_clock_skew must be a finite number of seconds"):
        receive(A, headers, body, max_clock_skew=math.nan)
    with pytest.raises(SignatureError) as caught:
        receive(A, headers, body)
    assert caught.value.rule == "clock_skew"


@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
def test_a_body_limit_that_is_not_a_positive_whole_number_is_refused(value: Any) -> None:
    with pytest.raises(_error_for(value), match=r"^max_body_bytes must be"):
        receive(A, *signed(A), max_body_bytes=value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, True, "now", 1e15], ids=repr)
def test_a_clock_reading_that_is_not_a_time_is_refused(value: Any) -> None:
    headers, body = signed(A)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        receive(A, headers, body, now=value)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        verify_response(headers, body, request_id="r", uuid=A[0], secret_key=A[1], now=value)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        ReplayGuard().check_and_remember("r", value)
    with pytest.raises(_error_for(value), match=r"^create_ts must be"):
        ReplayGuard().check_and_remember("r", NOW, create_ts=value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 0, True], ids=repr)
def test_a_guard_window_that_is_not_a_finite_positive_number_of_seconds_is_refused(value: Any) -> None:
    with pytest.raises(_error_for(value), match=r"^window must be"):
        ReplayGuard().check_and_remember("r", NOW, window=value)


@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
@pytest.mark.parametrize("setting", ["max_bytes", "max_entries", "max_accounts"])
def test_a_guard_size_that_is_not_a_positive_whole_number_is_refused(setting: str, value: Any) -> None:
    with pytest.raises(_error_for(value), match=rf"^{setting} must be"):
        ReplayGuard(**{setting: value})
    with pytest.raises(_error_for(value), match=rf"^{setting} must be"):
        if setting == "max_bytes":
            MemoryReplayStore(value)
        else:
            MemoryReplayStore(**{setting: value})


def test_a_replay_guard_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^replay_guard must be a ReplayGuard, got MemoryReplayStore"):
        receive(A, *signed(A), replay_guard=MemoryReplayStore())


# --- the wrong-algorithm message advises the verifier ------------------------------------------------------


@pytest.mark.parametrize("what", ["webhook", "response"])
def test_an_algorithm_mismatch_advises_the_verifier_to_configure_the_algorithm_the_message_names(what: str) -> None:
    """The client verifying a callback or an answer is the one to act. (A server verifying a request, the
    sandbox, words its own advice to its client.)"""
    headers, body = signed(A)  # MD5-signed
    stated = [*headers, ("algorithm", "SHA256")]  # the console says SHA256 now; the receiver is configured for MD5
    with pytest.raises(SignatureError) as caught:
        verify_signed_message(
            stated, body, uuid=A[0], secret_key=A[1], algorithm="MD5", max_clock_skew=300, now=NOW,
            expected_request_id=None, what=what,
        )  # fmt: skip
    assert caught.value.rule == "algorithm_mismatch"
    assert f"the {what} says it is signed with SHA256, but this account is configured for MD5" in str(caught.value)
    assert str(caught.value).endswith(
        "To do: if the account's console setting is SHA256 now, configure algorithm='SHA256'."
    )
