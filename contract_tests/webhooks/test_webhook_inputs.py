"""Hostile or odd inputs to the verifiers end in the named CallbotError subclass, never another exception."""

from __future__ import annotations

import copy
import json
import time
from types import MappingProxyType
from typing import Any

import httpx
import pytest
from callbot_signing import (
    InvalidWebhookError,
    ReplayGuard,
    ReplayGuardFullError,
    SecretKey,
    SignatureError,
    parse_webhook,
    signature_headers,
    verify_response,
    verify_webhook,
)
from callbot_signing.wire import WEBHOOK_OPERATIONS, webhook_problem
from starlette.datastructures import Headers as StarletteHeaders

from .._support import PAYLOADS, documented_sign
from .._support import WEBHOOK_SECRET as SECRET
from .._support import WEBHOOK_UUID as UUID

NOW = 1_800_000_000


def signed(
    body: bytes | dict[str, Any],
    *,
    algorithm: str = "MD5",
    request_id: str = "req-1",
    create_ts: str = str(NOW),
    **extra: str,
) -> tuple[dict[str, str], bytes]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    sign = documented_sign(SECRET, raw, create_ts, request_id, UUID, algorithm)
    return {"requestID": request_id, "uuid": UUID, "createTs": create_ts, "sign": sign, **extra}, raw


def parse(headers: Any, body: bytes, **options: Any) -> Any:
    return parse_webhook(headers, body, **{"uuid": UUID, "secret_key": SECRET, "now": NOW, **options})


def rule_of(headers: Any, body: bytes, **options: Any) -> str:
    with pytest.raises(SignatureError) as caught:
        parse(headers, body, **options)
    return caught.value.rule


# --- the sign header --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_sign",
    ["é" * 32, "A" * 31 + "é", "Ω" * 32, "0" * 31, "0" * 33, "G" * 32, " " + "0" * 31, "0" * 64, "0" * 31 + "\n"],
    ids=["non-ascii", "one-non-ascii", "non-latin1", "short", "long", "not-hex", "space", "sha256-length", "newline"],
)
def test_a_malformed_sign_is_a_signature_error_not_a_type_error(bad_sign: str) -> None:
    headers, body = signed(PAYLOADS["call"])
    assert rule_of({**headers, "sign": bad_sign}, body) == "malformed_sign"


def test_a_lower_case_sign_is_refused_as_malformed() -> None:
    headers, body = signed(PAYLOADS["call"])
    assert rule_of({**headers, "sign": headers["sign"].lower()}, body) == "malformed_sign"


# --- algorithm pinning --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stated", ["MD5", "md5", "Md5"])
def test_a_sha256_account_refuses_a_message_that_says_it_is_md5_signed(stated: str) -> None:
    headers, body = signed(PAYLOADS["call"], algorithm="MD5")
    headers["algorithm"] = stated
    parse(headers, body, algorithm="MD5")  # validly MD5-signed: an MD5 account takes it ...
    assert rule_of(headers, body, algorithm="SHA256") == "algorithm_mismatch"  # ... a SHA256 one must not


def test_a_sha256_account_refuses_an_md5_signed_message_without_an_algorithm_header() -> None:
    headers, body = signed(PAYLOADS["call"], algorithm="MD5")
    assert rule_of(headers, body, algorithm="SHA256") == "malformed_sign"


def test_an_md5_account_refuses_a_message_that_says_sha256() -> None:
    headers, body = signed(PAYLOADS["call"], algorithm="SHA256")
    assert rule_of({**headers, "algorithm": "sha256"}, body, algorithm="MD5") == "algorithm_mismatch"
    assert rule_of({**headers, "algorithm": "SHA1"}, body, algorithm="SHA256") == "bad_algorithm"
    parse({**headers, "algorithm": "sha256"}, body, algorithm="SHA256")  # the same name: fine


def test_a_response_is_verified_with_the_configured_algorithm_not_its_own() -> None:
    headers, body = signed({"retCode": 0}, algorithm="SHA256", request_id="r-1")
    with pytest.raises(SignatureError) as caught:
        verify_response(
            {**headers, "algorithm": "SHA256"}, body, request_id="r-1", uuid=UUID, secret_key=SECRET, now=NOW
        )
    assert caught.value.rule == "algorithm_mismatch"
    verify_response(headers, body, request_id="r-1", uuid=UUID, secret_key=SECRET, algorithm="SHA256", now=NOW)


# --- duplicated headers -----------------------------------------------------------------------------------


def conflicting_forms(headers: dict[str, str], name: str, other: str) -> list[Any]:
    pairs = [*headers.items(), (name, other)]
    return [
        pairs,
        httpx.Headers(pairs),
        StarletteHeaders(raw=[(k.lower().encode(), v.encode()) for k, v in pairs]),
        {**headers, name.upper(): other},
        MappingProxyType({**headers, name.upper(): other}),  # a Mapping that is neither a dict nor a multi-dict
    ]


@pytest.mark.parametrize("name", ["requestID", "uuid", "createTs", "sign", "algorithm"])
def test_a_signature_header_given_twice_with_different_values_is_refused(name: str) -> None:
    headers, body = signed(PAYLOADS["call"], algorithm="MD5")
    original = headers.get(name, "MD5")
    for form in conflicting_forms({**headers, "algorithm": "MD5"}, name, original + "0"):
        assert rule_of(form, body) == "duplicate_header", type(form)


def test_a_signature_header_repeated_with_the_same_value_is_accepted() -> None:
    headers, body = signed(PAYLOADS["call"])
    pairs = [*headers.items(), ("sign", headers["sign"])]
    parse(pairs, body)
    parse(httpx.Headers(pairs), body)
    parse(StarletteHeaders(raw=[(k.lower().encode(), v.encode()) for k, v in pairs]), body)
    parse(MappingProxyType(headers), body)


# --- requestID and createTs -------------------------------------------------------------------------------


@pytest.mark.parametrize("request_id", ["r" * 129, "r" * 5000, "req\n1", "req\x00", "req\x7f", "req\x85"])
def test_an_overlong_or_control_character_request_id_is_refused(request_id: str) -> None:
    headers, body = signed(PAYLOADS["call"], request_id=request_id)
    assert rule_of(headers, body) == "bad_request_id"


def test_a_128_character_request_id_is_accepted() -> None:
    parse(*signed(PAYLOADS["call"], request_id="r" * 128))


@pytest.mark.parametrize("create_ts", ["1_800_000_000", " 1800000000", "+1800000000", "1800000000.0", "١٨٠٠٠٠٠٠٠٠"])
def test_a_signed_create_ts_that_is_not_plain_unix_seconds_is_refused(create_ts: str) -> None:
    headers, body = signed(PAYLOADS["call"], create_ts=create_ts)
    assert rule_of(headers, body) == "bad_create_ts"


# --- bodies -----------------------------------------------------------------------------------------------


def test_a_signed_body_nested_100_000_levels_is_an_invalid_webhook() -> None:
    headers, body = signed(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InvalidWebhookError, match="nested too deeply"):
        parse(headers, body)
    headers, body = signed(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    with pytest.raises(InvalidWebhookError, match="nested too deeply"):
        parse(headers, body)


@pytest.mark.parametrize(
    "body",
    [b"[" * 2000 + b"]" * 2000, b'{"retCode": 6, "retMsg": {"a": [1]}}', b'{"retCode": true}', b"\xff\xfe", b""],
    ids=["deep", "retMsg-object", "retCode-bool", "not-utf8", "empty"],
)
def test_the_hint_from_an_unverified_body_never_raises(body: bytes) -> None:
    headers, _ = signed(body)
    assert rule_of({**headers, "sign": "0" * 32}, body) == "sign_mismatch"
    del headers["sign"]
    assert rule_of(headers, body) == "missing_header"


def test_the_hint_quotes_an_unverified_error_envelope() -> None:
    headers, body = signed({"retCode": 6002, "retMsg": "account does not exist"})
    with pytest.raises(SignatureError, match="retCode=6002 retMsg='account does not exist'"):
        parse({**headers, "sign": "0" * 32}, body)


def without(payload: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    node = changed
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return changed


def with_value(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(payload)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


REQUIRED = {
    "call": ["callbackType", "orderID", "userPhone", "userName", "sceneID", "userTaskID", "taskID"],
    "order": ["callbackType", "orderID", "userPhone", "userName", "sceneID", "userTaskID", "taskID"],
    "task": ["callbackType", "userTaskID", "taskID", "sceneID", "taskStatus", "createTs", "taskStat"],
}


@pytest.mark.parametrize(("kind", "field"), [(kind, field) for kind, fields in REQUIRED.items() for field in fields])
def test_a_signed_callback_lacking_a_required_field_is_an_invalid_webhook(kind: str, field: str) -> None:
    headers, body = signed(without(PAYLOADS[kind], (field,)))
    with pytest.raises(InvalidWebhookError, match=field):
        parse(headers, body, kind=kind)


def test_a_signed_task_callback_lacking_a_task_stat_field_is_an_invalid_webhook() -> None:
    headers, body = signed(without(PAYLOADS["task"], ("taskStat", "totalCall")))
    with pytest.raises(InvalidWebhookError, match=r"at taskStat: \"totalCall\" is a required property"):
        parse(headers, body, kind="task")


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("call", ("callInfoDetail", "intents"), None),
        ("call", ("callInfoDetail", "intents"), [None]),
        ("call", ("callInfoDetail", "intents"), {"intentID": "i"}),
        ("call", ("callInfoDetail",), None),
        ("call", ("callInfoDetail",), []),
        ("call", ("callInfoDetail", "agent"), "nobody"),
        ("call", ("callInfoDetail", "callStatus"), "1"),
        ("call", ("callInfoDetail", "callStatus"), True),
        ("call", ("orderID",), None),
        ("call", ("orderID",), 7),
        ("call", ("callbackType",), None),
        ("call", ("callbackType",), [1]),
        ("order", ("finish",), "yes"),
        ("task", ("taskStat",), None),
        ("task", ("taskStat", "totalCall"), "3"),
        ("task", ("taskStat", "answerRate"), None),
        ("task", ("taskStatus",), 3.5),
        ("task", ("createTs",), "99"),
    ],
)
def test_a_signed_callback_with_a_null_or_wrongly_typed_field_is_an_invalid_webhook(
    kind: str, path: tuple[str, ...], value: Any
) -> None:
    headers, body = signed(with_value(PAYLOADS[kind], path, value))
    with pytest.raises(InvalidWebhookError, match=path[-1]):
        parse(headers, body, kind=kind)


@pytest.mark.parametrize(
    "body",
    [b"\xff" + json.dumps(PAYLOADS["call"]).encode(), b'{"callbackType": NaN}', b"[]", b"null", b"{"],
    ids=["not-utf8", "nan", "array", "null", "cut"],
)
def test_a_signed_body_that_is_not_a_json_object_is_an_invalid_webhook(body: bytes) -> None:
    with pytest.raises(InvalidWebhookError):
        parse(*signed(body))


def test_a_payload_of_another_kind_is_an_invalid_webhook() -> None:
    with pytest.raises(InvalidWebhookError, match="taskStat"):
        parse(*signed(PAYLOADS["call"]), kind="task")


@pytest.mark.parametrize("kind", sorted(WEBHOOK_OPERATIONS))
def test_each_webhook_schema_loads_from_the_shipped_spec(kind: str) -> None:
    assert webhook_problem(WEBHOOK_OPERATIONS[kind], {}) is not None  # {} lacks the required fields


# --- the replay guard and the key ---------------------------------------------------------------------------


def test_a_full_replay_guard_refuses_a_genuine_delivery_with_what_to_do() -> None:
    guard = ReplayGuard(max_bytes=600)  # room for two requestIDs
    parse(*signed(PAYLOADS["call"], request_id="a"), replay_guard=guard)
    parse(*signed(PAYLOADS["call"], request_id="b"), replay_guard=guard)
    with pytest.raises(ReplayGuardFullError, match=r"max_bytes.*shared store"):
        parse(*signed(PAYLOADS["call"], request_id="c"), replay_guard=guard)
    parse(*signed(PAYLOADS["call"], request_id="c"), replay_guard=guard, now=NOW + 301, max_clock_skew=301)


def test_a_replayed_delivery_is_remembered_for_its_create_ts_plus_the_window() -> None:
    guard = ReplayGuard()
    headers, body = signed(PAYLOADS["call"], create_ts=str(NOW + 200))  # 200 s ahead of the receiver's clock
    parse(headers, body, replay_guard=guard)
    assert rule_of(headers, body, replay_guard=guard, now=NOW + 500) == "replay"  # arrival + 500 s: still
    assert rule_of(headers, body, replay_guard=guard, now=NOW + 501) == "clock_skew"


def test_the_verifiers_take_the_key_as_a_secret_key() -> None:
    headers, body = signed(PAYLOADS["call"])
    parse(headers, body, secret_key=SecretKey(SECRET))
    headers, body = signed({"retCode": 0}, request_id="r-1")
    verify_response(headers, body, request_id="r-1", uuid=UUID, secret_key=SecretKey(SECRET), now=NOW)


def test_a_body_over_the_size_limit_is_refused_before_it_is_hashed_or_parsed() -> None:
    headers, body = signed(PAYLOADS["call"])
    assert parse(headers, body, max_body_bytes=len(body))  # at the limit: accepted
    with pytest.raises(InvalidWebhookError, match="more than max_body_bytes"):
        parse(headers, body + b" " * 10, max_body_bytes=len(body))
    with pytest.raises(InvalidWebhookError, match="more than max_body_bytes"):
        parse(headers, b"[" * (5 * 1024 * 1024))  # the default limit is 4 MiB


# --- headers read once, a guard shared by accounts, an empty key, what cannot be reported ------------------

CALL = {
    "callbackType": 1,
    "orderID": "o-1",
    "userPhone": "8613800000000",
    "userName": "n",
    "sceneID": "s",
    "userTaskID": "t",
    "taskID": "T",
    "finish": True,
    "other": "",
    "callInfoDetail": {},
}


def delivery(request_id: str, uuid: str = UUID, secret: str = SECRET) -> tuple[list[tuple[str, str]], bytes]:
    body = json.dumps(CALL).encode()
    headers = signature_headers(secret, body, uuid, request_id=request_id)
    del headers["algorithm"]
    return list(headers.items()), body


def test_headers_given_as_a_one_shot_iterator_are_read_once_and_the_replay_guard_still_works() -> None:
    guard = ReplayGuard()
    for request_id in ("first", "second"):
        pairs, body = delivery(request_id)
        parse_webhook(iter(pairs), body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)
    pairs, body = delivery("second")
    with pytest.raises(SignatureError, match="replay"):
        parse_webhook(iter(pairs), body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)


def test_accounts_sharing_a_replay_guard_cannot_claim_each_others_request_ids() -> None:
    guard = ReplayGuard()
    pairs, body = delivery("shared-id", uuid="tenant-b", secret="key-b")
    parse_webhook(pairs, body, uuid="tenant-b", secret_key="key-b", kind="call", replay_guard=guard)
    pairs, body = delivery("shared-id")
    parse_webhook(pairs, body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)  # not a replay


@pytest.mark.parametrize("secret", ["", " "])
def test_the_verifiers_refuse_an_empty_secret_key(secret: str) -> None:
    body = json.dumps(CALL).encode()
    headers = dict(delivery("r", secret=secret)[0]) if secret else {}
    with pytest.raises(ValueError, match="secret key"):
        parse_webhook(headers, body, uuid=UUID, secret_key=secret)
    with pytest.raises(ValueError, match="secret key"):
        verify_webhook(headers, body, uuid=UUID, secret_key=secret)
    with pytest.raises(ValueError, match="secret key"):
        verify_response(headers, body, request_id="r", uuid=UUID, secret_key=secret)


def test_a_webhook_whose_schema_report_cannot_be_built_is_an_invalid_webhook() -> None:
    body = json.dumps({"callbackType": 1, "orderID": "\ud800"}).encode()
    headers = signature_headers(SECRET, body, UUID)
    with pytest.raises(InvalidWebhookError):
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, kind="call")


def test_a_request_id_that_is_not_printable_ascii_is_a_signature_error() -> None:
    body = b'{"retCode":0}'
    headers = {"requestID": "abc\udcff", "uuid": UUID, "createTs": str(int(time.time())), "sign": "0" * 32}
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET)
    assert caught.value.rule == "bad_request_id"
