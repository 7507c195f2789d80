"""verify_webhook and parse_webhook: a valid delivery is accepted and parsed; every fault is refused."""

from __future__ import annotations

import json
import time

import pytest
from callbot_client.models import CallCallback, OrderCallback, TaskCallback
from callbot_signing import (
    InvalidWebhookError,
    ReplayGuard,
    ReplayGuardFullError,
    SignatureError,
    parse_webhook,
    verify_webhook,
    webhook_kind,
)

from .._support import PAYLOADS, WEBHOOK_SECRET, WEBHOOK_UUID, delivery
from .._support import documented_sign as independent_sign

UUID = WEBHOOK_UUID
SECRET = WEBHOOK_SECRET
MODELS = {"call": CallCallback, "order": OrderCallback, "task": TaskCallback}


@pytest.mark.parametrize("kind", ["call", "order", "task"])
def test_a_valid_delivery_parses_into_its_model(kind: str) -> None:
    headers, body = delivery(PAYLOADS[kind])
    event = parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, kind=kind)  # type: ignore[arg-type]
    assert type(event) is MODELS[kind]
    assert event.to_dict() == PAYLOADS[kind]


@pytest.mark.parametrize("kind", ["call", "order", "task"])
def test_the_kind_is_told_from_the_payload_when_not_given(kind: str) -> None:
    headers, body = delivery(PAYLOADS[kind])
    assert webhook_kind(PAYLOADS[kind]) == kind
    assert type(parse_webhook(headers, body, uuid=UUID, secret_key=SECRET)) is MODELS[kind]


def test_a_sha256_account_verifies_with_its_console_algorithm() -> None:
    headers, body = delivery(PAYLOADS["task"], algorithm="SHA256")
    verify_webhook(headers, body, uuid=UUID, secret_key=SECRET, algorithm="SHA256")
    with pytest.raises(SignatureError) as caught:
        verify_webhook(headers, body, uuid=UUID, secret_key=SECRET)  # MD5 assumed: a 64-character sign is not MD5
    assert caught.value.rule == "malformed_sign"


def test_a_tampered_body_is_rejected() -> None:
    headers, body = delivery(PAYLOADS["order"])
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body.replace(b'"finish": true', b'"finish": false'), uuid=UUID, secret_key=SECRET)
    assert caught.value.rule == "sign_mismatch"


def test_a_wrong_sign_is_rejected() -> None:
    headers, body = delivery(PAYLOADS["call"])
    with pytest.raises(SignatureError, match="does not match"):
        verify_webhook({**headers, "sign": "0" * 32}, body, uuid=UUID, secret_key=SECRET)
    with pytest.raises(SignatureError):
        verify_webhook(headers, body, uuid=UUID, secret_key="another-key")


def test_a_stale_delivery_is_rejected() -> None:
    headers, body = delivery(PAYLOADS["call"], age=301)
    with pytest.raises(SignatureError) as caught:
        verify_webhook(headers, body, uuid=UUID, secret_key=SECRET)
    assert caught.value.rule == "clock_skew"


@pytest.mark.parametrize("missing", ["requestID", "uuid", "createTs", "sign"])
def test_a_delivery_missing_a_signed_header_is_rejected(missing: str) -> None:
    headers, body = delivery(PAYLOADS["call"])
    del headers[missing]
    with pytest.raises(SignatureError, match=missing) as caught:
        verify_webhook(headers, body, uuid=UUID, secret_key=SECRET)
    assert caught.value.rule == "missing_header"


def test_a_delivery_for_another_account_is_rejected() -> None:
    headers, body = delivery(PAYLOADS["call"])
    with pytest.raises(SignatureError) as caught:
        verify_webhook(headers, body, uuid="someone-else", secret_key=SECRET)
    assert caught.value.rule == "uuid_echo"


def test_header_names_are_matched_whatever_their_case() -> None:
    headers, body = delivery(PAYLOADS["call"])
    verify_webhook({name.lower(): value for name, value in headers.items()}, body, uuid=UUID, secret_key=SECRET)


def test_the_replay_guard_refuses_a_request_id_seen_before() -> None:
    guard = ReplayGuard()
    headers, body = delivery(PAYLOADS["call"])
    parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, replay_guard=guard)
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, replay_guard=guard)
    assert caught.value.rule == "replay"
    other_headers, other_body = delivery(PAYLOADS["call"], request_id="hook-req-2")
    parse_webhook(other_headers, other_body, uuid=UUID, secret_key=SECRET, replay_guard=guard)


def test_a_forged_delivery_does_not_poison_the_replay_guard() -> None:
    guard = ReplayGuard()
    headers, body = delivery(PAYLOADS["call"])
    with pytest.raises(SignatureError):
        verify_webhook({**headers, "sign": "F" * 32}, body, uuid=UUID, secret_key=SECRET, replay_guard=guard)
    verify_webhook(headers, body, uuid=UUID, secret_key=SECRET, replay_guard=guard)


def test_the_replay_guard_forgets_a_request_id_only_after_its_create_ts_window() -> None:
    guard = ReplayGuard()
    guard.check_and_remember("a", now=1000, create_ts=1000, window=10)
    with pytest.raises(SignatureError):
        guard.check_and_remember("a", now=1010, create_ts=1000, window=10)  # createTs + window: still replayable
    guard.check_and_remember("a", now=1011, create_ts=1000, window=10)  # past it: the createTs check refuses it


def test_a_full_replay_guard_refuses_new_deliveries_instead_of_evicting() -> None:
    guard = ReplayGuard(max_entries=3)
    for name in "abc":
        guard.check_and_remember(name, now=0, create_ts=0, window=10)
    with pytest.raises(ReplayGuardFullError, match="max_bytes"):
        guard.check_and_remember("d", now=5, create_ts=5, window=10)
    with pytest.raises(SignatureError) as caught:
        guard.check_and_remember("a", now=5, create_ts=0, window=10)  # not evicted: still a replay
    assert caught.value.rule == "replay"
    guard.check_and_remember("d", now=11, create_ts=5, window=10)  # a, b, c expired: room again


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b"{oops", "not JSON"),
        (json.dumps({"callbackType": 1}).encode(), "incomplete"),
    ],
    ids=["array", "not json", "missing fields"],
)
def test_a_signed_but_malformed_payload_is_an_invalid_webhook_error(body: bytes, message: str) -> None:
    ts = str(int(time.time()))
    headers = {
        "requestID": "r",
        "uuid": UUID,
        "createTs": ts,
        "sign": independent_sign(SECRET, body, ts, "r", UUID, "MD5"),
    }
    with pytest.raises(InvalidWebhookError, match=message):
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, kind="call")
