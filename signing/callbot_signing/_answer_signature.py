"""Whether an answer is the service's own: its signature checked, and a refusal of our credentials told apart.

One entry point, :func:`check_answer_signature`, asked by ``_judge.py`` for every 200 answer when
``verify_responses`` is on. A refusal of our credentials (retCode 6, 6001, 6002) cannot always be signed (the
service does not know an unknown uuid) nor verified (with a wrong secret key nothing can be), so such a reply
is raised as the refusal it is, saying whether it could be verified and what the likely cause is, rather than
as a bare SignatureError.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from ._constants import ALGORITHM_HEADER, SIGN_HEADER
from ._envelope import EnvelopeError, read_envelope
from ._errors import (
    CallbotError,
    SignatureError,
    error_for_ret_code,
    mark_outcome_unknown,
    may_be_carried_out,
    unexpected_answer,
)
from ._json import json_object
from ._secret import SecretKey
from ._verify import verify_response, verify_signed_message

#: Refusals of our credentials. The service cannot sign them when it does not know the uuid, and with a
#: wrong secret key we cannot verify them: either way they are raised as refusals, but an unverified one of
#: a write that is not idempotent has ``outcome_unknown`` set (a forger may have forwarded the request).
REFUSAL_RET_CODES = frozenset({6, 6001, 6002})

#: The largest unsigned or unverifiable body that is decoded, to tell a refusal from anything else.
_REFUSAL_MAX_BYTES = 64 * 1024

_OTHER_ALGORITHM = {"MD5": "SHA256", "SHA256": "MD5"}


class Credentials(Protocol):
    """What the check reads from the ``CallbotAuth`` of the call, at each answer: the account's uuid, key and
    algorithm, the clock-skew window and the clock (the key and the clock are the auth's private attributes,
    read only here and in ``_judge.py``)."""

    uuid: str
    algorithm: str
    max_clock_skew: float
    _secret_key: SecretKey
    _clock: Callable[[], float]


def check_answer_signature(auth: Credentials, response: httpx.Response, request_id: str, operation: str) -> None:
    """Return when ``response`` (a 200, its body read) is signed by the service for the request ``request_id``;
    else raise.

    A refusal of our credentials (6, 6001, 6002) that is unsigned or fails verification is raised as that
    refusal, with ``outcome_unknown`` set for an operation that is not idempotent: an intermediary may have
    forwarded the request and forged the refusal. A refusal signed under our key with the *other* algorithm is
    the service's own (the account is set to that algorithm): it is final, and its message names the algorithm
    to configure; so is one whose sign matches but whose createTs is too far from local time (its sign covers
    our fresh requestID, so it is no replay). An unsigned small body that is not JSON is an
    UnexpectedResponseError; any other answer that fails verification raises its SignatureError
    (``outcome_unknown`` set likewise)."""
    body = response.content
    try:
        if SIGN_HEADER not in response.headers:
            refusal = _refusal(body)
            if refusal is not None:
                raise _refusal_error(refusal, "an unsigned reply", request_id, operation, unverified=True)
            if len(body) <= _REFUSAL_MAX_BYTES and json_object(body) is None:  # a large one is never decoded
                raise unexpected_answer(response, "a 2xx answer that is neither signed nor JSON", request_id, operation)
        _verify_with(auth, response, request_id, auth.algorithm)
    except SignatureError as exc:
        refusal = _refusal(body)
        if refusal is None or exc.rule in ("request_id_echo", "uuid_echo"):
            exc.operation = operation
            if may_be_carried_out(operation):
                mark_outcome_unknown(exc, " (its answer could not be verified, so it does not show what was done)")
            raise
        clock = "check the clock (NTP): the service refuses a createTs too far from its own time"
        if exc.rule == "clock_skew":  # checked after the sign, which matched: the service's own refusal
            skew = abs(_signed_create_ts(auth, response, request_id, auth.algorithm) - auth._clock())
            note = f"signed under this secret key, but its createTs is {skew:.0f} s off local time"
            raise _refusal_error(refusal, note, request_id, operation, action=clock) from None
        other = _OTHER_ALGORITHM[auth.algorithm]
        other_rule = _failed_rule(auth, response, request_id, other)
        if other_rule in (None, "clock_skew"):  # signed under our key with the other algorithm: the service's
            note = f"the reply is signed with {other} under this secret key: the account is set to {other}"
            action = (
                f"configure algorithm={other!r} (CALLBOT_ALGORITHM={other}), or set the account to "
                f"{auth.algorithm} in the console"
            )
            if other_rule == "clock_skew":
                action += f"; and {clock}"
            raise _refusal_error(refusal, note, request_id, operation, action=action) from None
        rules = {auth.algorithm: exc.rule, other: other_rule}
        cause = _likely_cause(response.headers.get(ALGORITHM_HEADER), rules)
        note = f"a reply that could not be verified either: {cause}"
        raise _refusal_error(refusal, note, request_id, operation, unverified=True) from exc


def _verify_with(auth: Credentials, response: httpx.Response, request_id: str, algorithm: str) -> None:
    verify_response(
        response.headers,
        response.content,
        request_id=request_id,
        uuid=auth.uuid,
        secret_key=auth._secret_key,
        algorithm=algorithm,
        max_clock_skew=auth.max_clock_skew,
        now=auth._clock(),
    )


def _failed_rule(auth: Credentials, response: httpx.Response, request_id: str, algorithm: str) -> str | None:
    """The rule on which the answer fails verification under our key with ``algorithm``; None when it
    verifies (only asked of a refusal)."""
    try:
        _verify_with(auth, response, request_id, algorithm)
    except SignatureError as exc:
        return exc.rule
    return None


def _signed_create_ts(auth: Credentials, response: httpx.Response, request_id: str, algorithm: str) -> int:
    """The createTs of an answer signed under our key with ``algorithm``, whatever its clock skew (read as the
    verification reads it: a header repeated with the same value counts once)."""
    return verify_signed_message(
        response.headers,
        response.content,
        uuid=auth.uuid,
        secret_key=auth._secret_key,
        algorithm=algorithm,
        max_clock_skew=math.inf,
        now=auth._clock(),
        expected_request_id=request_id,
        what="response",
    )


def _refusal_error(
    data: dict[str, Any], note: str, request_id: str, operation: str, *, unverified: bool = False, action: str = ""
) -> CallbotError:
    envelope = read_envelope(data)
    return error_for_ret_code(
        envelope.ret_code,
        envelope.ret_msg,
        response_id=envelope.response_id,
        request_id=request_id,
        operation=operation,
        note=note,
        action=action,
        unverified=unverified,
    )


def _refusal(body: bytes) -> dict[str, Any] | None:
    """The body, when it is a small JSON refusal of our credentials (retCode 6, 6001 or 6002)."""
    if len(body) > _REFUSAL_MAX_BYTES:
        return None
    data = json_object(body)
    if data is None:
        return None
    try:
        code = read_envelope(data).ret_code
    except EnvelopeError:
        return None
    return data if code in REFUSAL_RET_CODES else None


def _likely_cause(stated: str | None, rules: dict[str, str]) -> str:
    """Why a refusal could not be verified under our key, for its message, claiming only what was compared:
    ``rules`` gives for each algorithm (this client's first) the rule its verification failed on."""
    (ours, our_rule), (other, other_rule) = rules.items()
    compared = [algorithm for algorithm, rule in rules.items() if rule in ("sign_mismatch", "malformed_sign")]
    if compared == [ours, other]:
        return (
            f"its sign matches neither {ours} nor {other} under this secret key ({our_rule}): the secret key is "
            "probably wrong"
        )
    if compared == [ours] and other_rule == "algorithm_mismatch":  # it names this client's algorithm
        return (
            f"it names {ours}, the algorithm of this client, and its sign does not match {ours} under this secret "
            f"key ({our_rule}): the secret key is probably wrong"
        )
    if compared == [other] and our_rule == "algorithm_mismatch":  # it names the other algorithm
        return (
            f"it names {other} (this client signs with {ours}), and its sign does not match {other} under this "
            f"secret key ({other_rule}): the secret key is probably wrong, and the algorithm differs too (the account "
            f"may be set to {other})"
        )
    if our_rule == "bad_algorithm":
        return (
            f"it names the algorithm {(stated or '')[:20]!r}, neither MD5 nor SHA256, so its sign was not compared "
            "(bad_algorithm): the service does not sign that way"
        )
    return f"it is not signed the way the service signs ({our_rule})"
