"""parse_webhook and verify_webhook, rule by rule: the size limit, each way a signed body can fail to be a
callback (with the requestID on the error), the kind, every option of verify_webhook, and what the replay
guard is asked to remember. Callbacks are signed with the documented rule written out in the test."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import pytest
from callbot_client.models import CallCallback, OrderCallback, TaskCallback
from callbot_signing import (
    InvalidWebhookError,
    ReplayGuard,
    SignatureError,
    parse_webhook,
    verify_webhook,
    webhook_kind,
)

from .._support import NOW, PAYLOADS, SECRET, UUID, callback, signed_headers


class RecordingStore:
    """A ReplayStore that remembers everything and records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float]] = []

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        seen = any(call[0] == request_id for call in self.calls)
        self.calls.append((request_id, expires_at, now))
        return not seen


def parse(headers: Any, body: bytes, **options: Any) -> Any:
    options.setdefault("now", NOW)
    return parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, **options)


def verify(headers: Any, body: bytes, **options: Any) -> None:
    options.setdefault("now", NOW)
    verify_webhook(headers, body, uuid=UUID, secret_key=SECRET, **options)


def invalid(body: bytes, **options: Any) -> InvalidWebhookError:
    with pytest.raises(InvalidWebhookError) as caught:
        parse(signed_headers(body, request_id="hook-7"), body, **options)
    return caught.value


# -- the kind ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"taskStat": {}}, "task"),
        ({"taskStat": {}, "callbackType": "1"}, "task"),
        ({"callbackType": "1"}, "order"),
        ({"callbackType": 1}, "call"),
        ({}, "call"),
    ],
)
def test_the_kind_is_told_by_task_stat_then_by_the_type_of_callback_type(payload: dict[str, Any], kind: str) -> None:
    assert webhook_kind(payload) == kind


@pytest.mark.parametrize(("kind", "model"), [("call", CallCallback), ("order", OrderCallback), ("task", TaskCallback)])
def test_each_kind_parses_into_its_model_given_or_guessed(kind: str, model: type) -> None:
    headers, body = callback(kind)
    assert type(parse(headers, body)) is model
    assert type(parse(headers, body, kind=kind)) is model


def test_a_given_kind_wins_over_the_guess() -> None:
    headers, body = callback("order")
    with pytest.raises(InvalidWebhookError, match=r"^the task webhook payload is incomplete or malformed at "):
        parse(headers, body, kind="task")


def test_an_unknown_kind_is_a_value_error_naming_the_kinds() -> None:
    headers, body = callback("order")
    with pytest.raises(ValueError, match=r"^unknown webhook kind 'sms': use one of call, order, task$"):
        parse(headers, body, kind="sms")


# -- bodies that are signed but not a callback ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"callbackType": "\xff"}', "the webhook body is not UTF-8 text"),
        (b'{"callbackType": ', "the webhook body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "the webhook body is nested too deeply"),
        (b'["callbackType", 1]', "the webhook body is not a JSON object"),
    ],
)
def test_a_signed_body_that_is_not_a_json_object_is_invalid_with_its_request_id(body: bytes, message: str) -> None:
    error = invalid(body)
    assert (str(error), error.request_id) == (message, "hook-7")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_a_non_json_number_in_a_signed_callback_is_invalid(constant: str) -> None:
    text = json.dumps(PAYLOADS["task"]).replace('"finishRate": 1.0', f'"finishRate": {constant}')
    assert constant in text
    error = invalid(text.encode())
    assert (str(error), error.request_id) == ("the webhook body is not JSON", "hook-7")


def test_a_signed_payload_missing_a_field_is_invalid_saying_where() -> None:
    payload = {key: value for key, value in PAYLOADS["order"].items() if key != "orderID"}
    error = invalid(json.dumps(payload).encode(), kind="order")
    assert str(error).startswith("the order webhook payload is incomplete or malformed at ")
    assert "orderID" in str(error)
    assert error.request_id == "hook-7"


# -- the size limit ---------------------------------------------------------------------------------------


def test_a_body_at_the_size_limit_is_read_and_one_byte_more_is_refused_unread() -> None:
    headers, body = callback("order")
    assert type(parse(headers, body, max_body_bytes=len(body))) is OrderCallback
    with pytest.raises(InvalidWebhookError) as caught:
        parse(headers, body, max_body_bytes=len(body) - 1)
    assert caught.value.request_id == "req-1"
    assert str(caught.value).startswith(f"the webhook body has {len(body):,} bytes, more than max_body_bytes=")


def test_the_default_size_limit_is_4_mib() -> None:
    body = b" " * (4 * 1024 * 1024 + 1)
    with pytest.raises(InvalidWebhookError, match="4,194,305 bytes, more than max_body_bytes=4,194,304"):
        parse(signed_headers(body), body)
    with pytest.raises(InvalidWebhookError) as caught:
        parse({}, body)
    assert caught.value.request_id is None  # no requestID header: None, not ""


# -- the clock --------------------------------------------------------------------------------------------


def test_without_now_the_local_clock_is_used_for_the_window_and_the_guard() -> None:
    fresh = int(time.time())
    store = RecordingStore()
    headers, body = callback("call", ts=fresh)
    parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, replay_guard=ReplayGuard(store))
    ((key, expires_at, now),) = store.calls
    assert key.endswith("req-1") and expires_at == fresh + 300
    assert abs(now - time.time()) < 60
    stale_headers, stale_body = callback("call", ts=fresh - 400)
    with pytest.raises(SignatureError, match="createTs"):
        parse_webhook(stale_headers, stale_body, uuid=UUID, secret_key=SECRET)


def test_the_window_and_the_guard_share_one_clock_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    readings = itertools.count(float(NOW), 1000.0)  # each reading 1000 s after the one before
    monkeypatch.setattr(time, "time", lambda: next(readings))
    store = RecordingStore()
    headers, body = callback("call")
    parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, replay_guard=ReplayGuard(store))
    monkeypatch.undo()
    assert [now for _, _, now in store.calls] == [NOW]


def test_a_refused_webhook_says_it_is_a_webhook() -> None:
    headers, body = callback("call")
    with pytest.raises(SignatureError, match=r"^the webhook lacks the signed header\(s\) sign, so"):
        parse({key: value for key, value in headers.items() if key != "sign"}, body)


# -- the replay guard -------------------------------------------------------------------------------------


def test_an_accepted_callback_is_remembered_until_its_create_ts_plus_the_window() -> None:
    store = RecordingStore()
    headers, body = callback("order", ts=NOW - 100)
    parse(headers, body, replay_guard=ReplayGuard(store), max_clock_skew=200, now=NOW)
    ((key, expires_at, now),) = store.calls
    assert key.endswith("req-1") and (expires_at, now) == (NOW - 100 + 200, NOW)


def test_accounts_sharing_a_guard_each_have_their_own_request_ids() -> None:
    guard = ReplayGuard()
    body = json.dumps(PAYLOADS["order"]).encode()
    for uuid in (UUID, "other-uuid"):
        headers = signed_headers(body, uuid=uuid, request_id="shared-1")
        parse_webhook(headers, body, uuid=uuid, secret_key=SECRET, replay_guard=guard, now=NOW)
        with pytest.raises(SignatureError) as caught:
            parse_webhook(headers, body, uuid=uuid, secret_key=SECRET, replay_guard=guard, now=NOW)
        assert caught.value.rule == "replay"


def test_a_callback_that_fails_any_check_is_not_remembered() -> None:
    store = RecordingStore()
    guard = ReplayGuard(store)
    headers, body = callback("order")
    with pytest.raises(SignatureError):
        parse({**headers, "sign": "0" * 32}, body, replay_guard=guard)
    with pytest.raises(InvalidWebhookError):
        parse(signed_headers(b"[]"), b"[]", replay_guard=guard)
    assert store.calls == []


def test_a_replay_is_refused_with_its_request_id() -> None:
    guard = ReplayGuard()
    headers, body = callback("order")
    parse(headers, body, replay_guard=guard)
    with pytest.raises(SignatureError) as caught:
        parse(headers, body, replay_guard=guard)
    assert (caught.value.rule, caught.value.request_id) == ("replay", "req-1")
    assert "requestID 'req-1' was already accepted" in str(caught.value)


# -- verify_webhook passes every option on ----------------------------------------------------------------


def test_verify_webhook_accepts_a_genuine_callback() -> None:
    headers, body = callback("task", algorithm="SHA256")
    verify(headers, body, algorithm="SHA256")


def test_verify_webhook_checks_the_given_kind() -> None:
    headers, body = callback("order")
    verify(headers, body, kind="order")
    with pytest.raises(InvalidWebhookError, match=r"^the task webhook payload"):
        verify(headers, body, kind="task")


def test_verify_webhook_uses_the_given_algorithm() -> None:
    headers, body = callback("order", algorithm="SHA256")
    with pytest.raises(SignatureError) as caught:
        verify(headers, body)
    assert caught.value.rule == "malformed_sign"


def test_verify_webhook_uses_the_given_window_and_clock() -> None:
    headers, body = callback("order")
    verify(headers, body, max_clock_skew=10, now=NOW + 10)
    with pytest.raises(SignatureError) as caught:
        verify(headers, body, max_clock_skew=10, now=NOW + 11)
    assert caught.value.rule == "clock_skew"
    with pytest.raises(SignatureError) as caught:
        verify(headers, body, now=NOW + 301)
    assert caught.value.rule == "clock_skew"


def test_verify_webhook_consults_the_replay_guard() -> None:
    store = RecordingStore()
    headers, body = callback("order")
    verify(headers, body, replay_guard=ReplayGuard(store), max_clock_skew=50)
    ((key, expires_at, now),) = store.calls
    assert key.endswith("req-1") and (expires_at, now) == (NOW + 50, NOW)
    with pytest.raises(SignatureError) as caught:
        verify(headers, body, replay_guard=ReplayGuard(store))
    assert caught.value.rule == "replay"


def test_verify_webhook_applies_the_size_limit() -> None:
    headers, body = callback("order")
    verify(headers, body, max_body_bytes=len(body))
    with pytest.raises(InvalidWebhookError, match="more than max_body_bytes"):
        verify(headers, body, max_body_bytes=len(body) - 1)
