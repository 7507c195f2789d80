"""Verification of signed messages from the service: responses now, webhooks later."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Mapping

from ._constants import (
    ALGORITHM_HEADER,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from ._errors import SignatureError
from ._signature import normalize_algorithm, sign

_SIGNED_HEADERS = (REQUEST_ID_HEADER, UUID_HEADER, CREATE_TS_HEADER, SIGN_HEADER)


_WANTED = {name.lower() for name in (*_SIGNED_HEADERS, ALGORITHM_HEADER)}


def _signature_fields(headers: Mapping[str, str]) -> dict[str, str]:
    """The signature headers, by lower-case name, in one pass over ``headers`` (any casing, any mapping)."""
    return {key.lower(): value for key, value in headers.items() if key.lower() in _WANTED}


def request_id_of(headers: Mapping[str, str]) -> str:
    """The requestID header, whatever its casing ("" when absent)."""
    return _signature_fields(headers).get(REQUEST_ID_HEADER.lower(), "")


def _unverified_hint(body: bytes) -> str:
    """What the (unverified) body says, when it is a small error envelope: helps to see e.g. 6002."""
    if len(body) > 4096:
        return ""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    code = data.get("retCode", data.get("code"))
    if code in (None, 0):
        return ""
    msg = data.get("retMsg", data.get("msg"))
    return f" The unverified body reports retCode={code!r} retMsg={msg!r}."


def verify_response(
    headers: Mapping[str, str],
    body: bytes,
    *,
    request_id: str,
    uuid: str,
    secret_key: str,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    now: float | None = None,
) -> None:
    """Check a signed response to the request that carried ``request_id``; raise SignatureError if not.

    Checks, in order: the signed headers are present; requestID and uuid echo the request's; the
    algorithm (the response's, else ``algorithm``) is known; ``sign`` matches the exact ``body`` bytes
    (constant-time compare); createTs is within ``max_clock_skew`` seconds of ``now``.
    """
    verify_signed_message(
        headers,
        body,
        uuid=uuid,
        secret_key=secret_key,
        algorithm=algorithm,
        max_clock_skew=max_clock_skew,
        now=now,
        expected_request_id=request_id,
        what="response",
    )


def verify_signed_message(
    headers: Mapping[str, str],
    body: bytes,
    *,
    uuid: str,
    secret_key: str,
    algorithm: str,
    max_clock_skew: float,
    now: float | None,
    expected_request_id: str | None,
    what: str,
) -> None:
    """Shared by responses (``expected_request_id`` set: it must be echoed) and webhooks (any id)."""
    fields = _signature_fields(headers)
    missing = [name for name in _SIGNED_HEADERS if not fields.get(name.lower())]
    if missing:
        raise SignatureError(
            f"the {what} lacks the signed header(s) {', '.join(missing)}, so it cannot be verified."
            + _unverified_hint(body),
            rule="missing_header",
            request_id=expected_request_id,
        )
    got_request_id = fields[REQUEST_ID_HEADER.lower()]
    got_uuid = fields[UUID_HEADER.lower()]
    create_ts = fields[CREATE_TS_HEADER.lower()]
    got_sign = fields[SIGN_HEADER.lower()]
    if expected_request_id is not None and got_request_id != expected_request_id:
        raise SignatureError(
            f"the {what}'s requestID {got_request_id!r} does not echo the request's {expected_request_id!r}.",
            rule="request_id_echo",
            request_id=expected_request_id,
        )
    if got_uuid != uuid:
        raise SignatureError(
            f"the {what}'s uuid {got_uuid!r} is not this account's uuid {uuid!r}.",
            rule="uuid_echo",
            request_id=expected_request_id,
        )
    try:
        used_algorithm = normalize_algorithm(fields.get(ALGORITHM_HEADER.lower()) or algorithm)
    except ValueError as exc:
        raise SignatureError(f"the {what}'s {exc}.", rule="bad_algorithm", request_id=expected_request_id) from None
    expected = sign(secret_key, body, create_ts, got_request_id, got_uuid, used_algorithm)
    if not hmac.compare_digest(expected, got_sign.upper()):
        raise SignatureError(
            f"the {what}'s sign does not match its body and headers ({used_algorithm}): the body was altered, "
            "or the secret key or algorithm differs from the account's." + _unverified_hint(body),
            rule="sign_mismatch",
            request_id=expected_request_id,
        )
    try:
        ts = int(create_ts)
    except ValueError:
        raise SignatureError(
            f"the {what}'s createTs {create_ts!r} is not Unix seconds.",
            rule="bad_create_ts",
            request_id=expected_request_id,
        ) from None
    local = time.time() if now is None else now
    if abs(local - ts) > max_clock_skew:
        raise SignatureError(
            f"the {what}'s createTs {ts} is {abs(local - ts):.0f} s from local time {local:.0f} "
            f"(max {max_clock_skew} s): a replayed message, or a clock to fix (check NTP).",
            rule="clock_skew",
            request_id=expected_request_id,
        )
