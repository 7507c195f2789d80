"""Each rule of verify_signed_message, directly: its boundary on both sides, the rule named in the error,
and the order of the checks. Genuine messages are signed with the documented rule written out in the test
(``_support.documented_sign``), never with the code under test."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from callbot_signing import SecretKey, SignatureError, verify_response
from callbot_signing.wire import MAX_REQUEST_ID_CHARS

from .._support import NOW, SECRET, UUID, documented_sign, signed_headers
from ..verify_cases import BODY, refusal, verify

# -- the genuine message and its return value ------------------------------------------------------------


def test_a_genuine_message_is_accepted_and_its_create_ts_returned() -> None:
    assert verify(signed_headers(BODY)) == NOW


@pytest.mark.parametrize("algorithm", ["MD5", "SHA256", "md5", "sha256"])
def test_a_genuine_message_is_accepted_with_either_algorithm_in_any_case(algorithm: str) -> None:
    headers = signed_headers(BODY, algorithm=algorithm)
    assert verify(headers, algorithm=algorithm) == NOW
    assert verify({**headers, "algorithm": algorithm.swapcase()}, algorithm=algorithm) == NOW


def test_the_key_may_be_given_as_a_secret_key() -> None:
    assert verify(signed_headers(BODY), secret_key=SecretKey(SECRET)) == NOW


def test_now_defaults_to_the_local_clock() -> None:
    fresh = int(time.time())
    assert verify(signed_headers(BODY, ts=fresh), now=None) == fresh
    assert refusal(signed_headers(BODY, ts=NOW - 10_000), now=None).rule == "clock_skew"


# -- every header container a framework gives ------------------------------------------------------------


# -- 2. missing_header ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["requestID", "uuid", "createTs", "sign"])
@pytest.mark.parametrize("how", ["absent", "empty"])
def test_each_signed_header_absent_or_empty_is_missing(name: str, how: str) -> None:
    headers = signed_headers(BODY)
    if how == "absent":
        del headers[name]
    else:
        headers[name] = ""
    error = refusal(headers, expected_request_id="req-1", what="response")
    assert (error.rule, error.request_id) == ("missing_header", "req-1")
    assert f"the response lacks the signed header(s) {name}, so" in str(error)


def test_every_missing_header_is_named_in_order() -> None:
    error = refusal({"createTs": str(NOW)})
    assert "lacks the signed header(s) requestID, uuid, sign, so" in str(error)


def test_the_algorithm_header_is_not_required() -> None:
    assert "algorithm" not in signed_headers(BODY)
    assert verify(signed_headers(BODY)) == NOW


# -- the hint from an unverified error body ---------------------------------------------------------------


def hint(body: bytes) -> str:
    message = str(refusal({}, body))
    return message.partition("cannot be verified.")[2]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"retCode": 6002, "retMsg": "no such uuid"},
            " The unverified body reports retCode=6002 retMsg='no such uuid'.",
        ),
        ({"code": 6001, "msg": "bad sign"}, " The unverified body reports retCode=6001 retMsg='bad sign'."),
        ({"retCode": 6002, "code": 1, "msg": "m"}, " The unverified body reports retCode=6002 retMsg='m'."),
        ({"retCode": 5}, " The unverified body reports retCode=5 retMsg=(none)."),
        ({"retCode": 5, "retMsg": 7}, " The unverified body reports retCode=5 retMsg=(none)."),
        ({"retCode": 5, "retMsg": "x" * 300}, f" The unverified body reports retCode=5 retMsg={'x' * 200!r}."),
        ({"retCode": 0, "retMsg": "ok"}, ""),
        ({"retCode": True, "retMsg": "ok"}, ""),
        ({"retCode": "6002", "retMsg": "ok"}, ""),
        ({"retMsg": "ok"}, ""),
        ([6002], ""),
    ],
)
def test_a_small_error_envelope_is_quoted_unverified(data: Any, expected: str) -> None:
    assert hint(json.dumps(data).encode()) == expected


def test_no_hint_from_a_body_over_4_kib_or_not_json() -> None:
    envelope = b'{"retCode":6002,"retMsg":"m"}'
    assert hint(envelope + b" " * (4096 - len(envelope))) != ""
    assert hint(envelope + b" " * (4097 - len(envelope))) == ""
    assert hint(b"\xff\xfe") == ""
    assert hint(b"[" * 100_000 + b"]" * 100_000) == ""


def test_a_sign_mismatch_also_quotes_the_unverified_body() -> None:
    body = b'{"retCode":6001,"retMsg":"sign error"}'
    headers = {**signed_headers(body), "sign": "0" * 32}
    assert str(refusal(headers, body)).endswith(" The unverified body reports retCode=6001 retMsg='sign error'.")


# -- 3. bad_request_id ------------------------------------------------------------------------------------


def test_a_request_id_of_the_longest_length_is_accepted_and_one_more_refused() -> None:
    longest = "r" * MAX_REQUEST_ID_CHARS
    assert MAX_REQUEST_ID_CHARS == 128
    assert verify(signed_headers(BODY, request_id=longest)) == NOW
    error = refusal(signed_headers(BODY, request_id=longest + "r"), expected_request_id=longest + "r")
    assert (error.rule, error.request_id) == ("bad_request_id", longest + "r")
    assert "(129 characters:" in str(error)


@pytest.mark.parametrize("character", ["\x00", "\t", "\x1f", "\x7f", "\x85", "\x9f", "\xa0", "é", "\u2028"])
def test_a_request_id_with_a_control_or_non_ascii_character_is_refused(character: str) -> None:
    error = refusal(signed_headers(BODY, request_id=f"req{character}1"))
    assert error.rule == "bad_request_id"
    assert "(5 characters:" in str(error)


@pytest.mark.parametrize("character", [" ", "~", "!", "_"])
def test_a_request_id_with_printable_characters_is_accepted(character: str) -> None:
    assert verify(signed_headers(BODY, request_id=f"req{character}1")) == NOW


# -- 4. request_id_echo, 5. uuid_echo ---------------------------------------------------------------------


def test_a_response_must_echo_the_request_id_and_a_webhook_need_not() -> None:
    headers = signed_headers(BODY, request_id="req-2")
    error = refusal(headers, expected_request_id="req-1", what="response")
    assert (error.rule, error.request_id) == ("request_id_echo", "req-1")
    assert verify(headers, expected_request_id="req-2") == NOW
    assert verify(headers, expected_request_id=None) == NOW


def test_another_accounts_uuid_is_refused_even_when_correctly_signed() -> None:
    error = refusal(signed_headers(BODY, uuid="other-uuid"), expected_request_id="req-1")
    assert (error.rule, error.request_id) == ("uuid_echo", "req-1")
    assert "'other-uuid' is not this account's uuid 'rules-uuid'" in str(error)


# -- 6. bad_algorithm, 7. algorithm_mismatch --------------------------------------------------------------


@pytest.mark.parametrize("stated", ["SHA1", "none", "HMAC-MD5"])
def test_a_stated_unknown_algorithm_is_refused(stated: str) -> None:
    error = refusal({**signed_headers(BODY), "algorithm": stated}, expected_request_id="req-1")
    assert (error.rule, error.request_id) == ("bad_algorithm", "req-1")
    assert "MD5, SHA256" in str(error)


def test_a_configured_unknown_algorithm_is_refused() -> None:
    assert refusal(signed_headers(BODY), algorithm="SHA1").rule == "bad_algorithm"


def test_a_message_is_verified_with_the_configured_algorithm_not_the_stated_one() -> None:
    sha_signed = signed_headers(BODY, algorithm="SHA256")
    error = refusal({**sha_signed, "algorithm": "sha256"}, algorithm="MD5", expected_request_id="req-1")
    assert (error.rule, error.request_id) == ("algorithm_mismatch", "req-1")
    assert "says it is signed with SHA256, but this account is configured for MD5" in str(error)
    assert "configure algorithm='SHA256'" in str(error)
    # without the header, the MD5 account reads a SHA256 sign as malformed (64, not 32 characters)
    assert refusal(sha_signed, algorithm="MD5").rule == "malformed_sign"
    assert verify({**signed_headers(BODY), "algorithm": ""}) == NOW  # an empty header says nothing


# -- 8. malformed_sign ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("algorithm", "length"), [("MD5", 32), ("SHA256", 64)])
def test_a_sign_of_another_length_or_not_upper_case_hex_is_malformed(algorithm: str, length: int) -> None:
    genuine = signed_headers(BODY, algorithm=algorithm)
    sign = genuine["sign"]
    for bad in (sign[:-1], sign + "0", sign.lower(), "G" + sign[1:], " " + sign[1:]):
        error = refusal({**genuine, "sign": bad}, algorithm=algorithm, expected_request_id="req-1")
        assert (error.rule, error.request_id) == ("malformed_sign", "req-1"), bad
        assert f"is not {length} upper-case hex characters, the form of a {algorithm.upper()} sign" in str(error)


# -- 9. bad_create_ts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("create_ts", ["-1", "1.5", "+1800000000", " 1800000000", "1e9", "1" * 13, "١٢٣"])
def test_a_create_ts_that_is_not_unix_seconds_is_refused(create_ts: str) -> None:
    error = refusal(signed_headers(BODY, ts=create_ts), expected_request_id="req-1")
    assert (error.rule, error.request_id) == ("bad_create_ts", "req-1")


def test_a_create_ts_of_twelve_digits_is_read_as_seconds() -> None:
    assert verify(signed_headers(BODY, ts="0" + str(NOW))) == NOW


# -- 10. sign_mismatch ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    ["body", "secret", "request id", "uuid", "create ts", "algorithm"],
)
def test_a_sign_over_anything_else_is_a_mismatch(change: str) -> None:
    body = BODY
    signing: dict[str, Any] = {}
    if change == "body":
        body = BODY + b" "
    elif change == "secret":
        signing["secret"] = SECRET + "x"
    elif change == "request id":
        signing["request_id"] = "req-2"
    elif change == "uuid":
        signing["uuid"] = UUID + "x"
    elif change == "create ts":
        signing["ts"] = NOW + 1
    headers = signed_headers(body, **signing)
    headers.update(requestID="req-1", uuid=UUID, createTs=str(NOW))
    if change == "algorithm":  # the SHA256 sign cut to MD5's length
        headers["sign"] = documented_sign(SECRET, BODY, str(NOW), "req-1", UUID, "SHA256")[:32]
    error = refusal(headers, BODY, expected_request_id="req-1", what="response")
    assert (error.rule, error.request_id) == ("sign_mismatch", "req-1")
    assert str(error).startswith("the response's sign does not match its body and headers (MD5)")


# -- 11. clock_skew ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-300, 300, 0])
def test_a_create_ts_at_the_edge_of_the_window_is_accepted(offset: int) -> None:
    assert verify(signed_headers(BODY), now=NOW + offset) == NOW


@pytest.mark.parametrize("offset", [-301, 301, -300.5, 300.5])
def test_a_create_ts_beyond_the_window_is_refused_either_way(offset: float) -> None:
    error = refusal(signed_headers(BODY), now=NOW + offset, expected_request_id="req-1")
    assert (error.rule, error.request_id) == ("clock_skew", "req-1")
    assert f"createTs {NOW} is {abs(offset):.0f} s from local time" in str(error)


def test_the_window_is_the_given_max_clock_skew() -> None:
    assert verify(signed_headers(BODY), now=NOW + 10, max_clock_skew=10) == NOW
    assert refusal(signed_headers(BODY), now=NOW + 11, max_clock_skew=10).rule == "clock_skew"


# -- the order of the checks: the first failing rule is named ---------------------------------------------


def test_the_first_failing_rule_is_the_one_named() -> None:
    bad = {
        "requestID": "x" * 200,
        "uuid": "other",
        "createTs": "soon",
        "sign": "lower",
        "algorithm": "SHA1",
    }
    expected_order = ["bad_request_id", "request_id_echo", "uuid_echo", "bad_algorithm", "malformed_sign"]
    fixes: list[tuple[str, str]] = [
        ("requestID", "req-9"),
        ("requestID", "req-1"),
        ("uuid", UUID),
        ("algorithm", "MD5"),
        ("sign", "0" * 32),
    ]
    headers = dict(bad)
    for rule, (name, fixed) in zip(expected_order, fixes, strict=True):
        assert refusal(headers, expected_request_id="req-1").rule == rule
        headers[name] = fixed
    assert refusal(headers, expected_request_id="req-1").rule == "bad_create_ts"
    headers["createTs"] = str(NOW + 10_000)
    assert refusal(headers, expected_request_id="req-1").rule == "sign_mismatch"  # before clock_skew


# -- the secret key -------------------------------------------------------------------------------------

PLAIN_KEY = "plain-secret-key-4242"


def test_no_frame_of_a_failed_verification_holds_the_key_as_text() -> None:
    headers = {**signed_headers(BODY, secret=PLAIN_KEY), "sign": "0" * 32}
    with pytest.raises(SignatureError) as caught:
        verify(headers, secret_key=PLAIN_KEY)
    frame = caught.value.__traceback__.tb_next if caught.value.__traceback__ else None
    while frame is not None:
        assert PLAIN_KEY not in [v for v in frame.tb_frame.f_locals.values() if isinstance(v, str)], frame
        frame = frame.tb_next


@pytest.mark.parametrize("key", ["", " "])
def test_verify_signed_message_refuses_an_empty_or_blank_key_like_the_other_verifiers(key: str) -> None:
    with pytest.raises(ValueError, match="secret key"):
        verify(signed_headers(BODY, secret=key), secret_key=key)


# -- verify_response --------------------------------------------------------------------------------------


def test_verify_response_checks_the_echo_and_the_default_window() -> None:
    headers = signed_headers(BODY, request_id="req-1")
    verify_response(headers, BODY, request_id="req-1", uuid=UUID, secret_key=SECRET, now=NOW + 300)
    for now, request_id, rule in [(NOW + 301, "req-1", "clock_skew"), (NOW, "req-2", "request_id_echo")]:
        with pytest.raises(SignatureError) as caught:
            verify_response(headers, BODY, request_id=request_id, uuid=UUID, secret_key=SECRET, now=now)
        assert (caught.value.rule, caught.value.request_id) == (rule, request_id)
        assert str(caught.value).startswith("the response")


def test_verify_response_uses_the_given_algorithm_and_window() -> None:
    headers = signed_headers(BODY, algorithm="SHA256")
    verify_response(headers, BODY, request_id="req-1", uuid=UUID, secret_key=SECRET, algorithm="sha256", now=NOW)
    with pytest.raises(SignatureError) as caught:
        verify_response(headers, BODY, request_id="req-1", uuid=UUID, secret_key=SECRET, now=NOW)
    assert caught.value.rule == "malformed_sign"  # MD5 by default: a SHA256 sign has the wrong length
    with pytest.raises(SignatureError) as caught:
        verify_response(
            headers,
            BODY,
            request_id="req-1",
            uuid=UUID,
            secret_key=SECRET,
            algorithm="SHA256",
            max_clock_skew=5,
            now=NOW + 6,
        )
    assert caught.value.rule == "clock_skew"
