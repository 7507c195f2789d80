"""Verification of signed messages from the service: responses and webhooks share one signature format."""

from __future__ import annotations

import hmac
import json
import re
import time
from typing import Final

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
from ._headers import SIGNED_HEADERS, header_values
from ._headers import BodyBytes as BodyBytes  # the names _webhooks.py and wire.py import from here
from ._headers import HeadersLike as HeadersLike
from ._headers import body_bytes as body_bytes
from ._headers import body_size as body_size
from ._headers import request_id_of as request_id_of
from ._headers import signed_header_pairs as signed_header_pairs
from ._replay import LATEST_UNIX_TIME
from ._secret import SecretKey
from ._settings import check_seconds
from ._signature import normalize_algorithm, sign

#: The longest requestID accepted (the platform's are 32 hex characters; uuid4 with dashes is 36).
MAX_REQUEST_ID_CHARS: Final = 128
#: Bodies longer than this are not read for the hint in an error message.
_HINT_MAX_BYTES: Final = 4096
_SIGN_LENGTHS: Final = {"MD5": 32, "SHA256": 64}
_UPPER_HEX = re.compile(r"[0-9A-F]+")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def _signature_fields(headers: HeadersLike, what: str, request_id: str | None) -> dict[str, str]:
    """The signature headers by lower-case name; SignatureError ``duplicate_header`` when one is given twice
    with different values (which one would the sender have signed?)."""
    fields: dict[str, str] = {}
    for name, values in header_values(headers).items():
        if len(values) > 1 and len(set(values)) > 1:
            raise SignatureError(
                f"the {what} carries the header {name!r} {len(values)} times with different values: refused, "
                "since it cannot be told which one was signed (a proxy or a forger added one).",
                rule="duplicate_header",
                request_id=request_id,
            )
        if values:
            fields[name] = values[0]
    return fields


def _unverified_hint(body: bytes) -> str:
    """What the (unverified) body says, when it is a small error envelope: helps to see e.g. 6002.

    Never raises: a big, deep, non-UTF-8 or odd body gives ""."""
    if len(body) > _HINT_MAX_BYTES:
        return ""
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            return ""
        code = data.get("retCode", data.get("code"))
        if not isinstance(code, int) or isinstance(code, bool) or code == 0:
            return ""
        msg = data.get("retMsg", data.get("msg"))
        shown = repr(msg[:200]) if isinstance(msg, str) else "(none)"
        return f" The unverified body reports retCode={code} retMsg={shown}."
    except (ValueError, RecursionError, MemoryError):
        return ""


def verify_response(
    headers: HeadersLike,
    body: BodyBytes,
    *,
    request_id: str,
    uuid: str,
    secret_key: str | SecretKey,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    now: float | None = None,
) -> None:
    """Check a signed response to the request that carried ``request_id``; raise SignatureError if not.

    The checks and their order are those of :func:`verify_signed_message`; the response must also echo
    ``request_id`` (rule ``request_id_echo``). An empty or blank ``secret_key`` is a ValueError, and so is a
    ``max_clock_skew`` or ``now`` that is not a finite number of seconds in range (naming the setting).
    """
    try:  # first: no frame may hold the key as plain text, whatever is refused below
        key = SecretKey(secret_key)
    finally:
        del secret_key
    max_clock_skew = check_seconds("max_clock_skew", max_clock_skew)
    if now is not None:
        now = check_seconds("now", now, allow_zero=True, maximum=LATEST_UNIX_TIME)
    verify_signed_message(
        headers,
        body,
        uuid=uuid,
        secret_key=key,
        algorithm=algorithm,
        max_clock_skew=max_clock_skew,
        now=now,
        expected_request_id=request_id,
        what="response",
    )


def verify_signed_message(
    headers: HeadersLike,
    body: BodyBytes,
    *,
    uuid: str,
    secret_key: str | SecretKey,
    algorithm: str,
    max_clock_skew: float,
    now: float | None,
    expected_request_id: str | None,
    what: str,
) -> int:
    """Verify one signed message (a response, a webhook, or for the sandbox a request); return its createTs.

    Shared by responses (``expected_request_id`` set: it must be echoed) and webhooks (any id). Raises
    SignatureError, whose ``rule`` is the first check that failed, in this order:

    1. ``duplicate_header``: a signature header given twice with different values;
    2. ``missing_header``: requestID, uuid, createTs or sign absent or empty;
    3. ``bad_request_id``: requestID over 128 characters or with a control character;
    4. ``request_id_echo``: requestID is not ``expected_request_id`` (responses only);
    5. ``uuid_echo``: uuid is not this account's;
    6. ``bad_algorithm``: the ``algorithm`` header (or ``algorithm``) is neither MD5 nor SHA256;
    7. ``algorithm_mismatch``: the ``algorithm`` header names another algorithm than ``algorithm``, the one
       configured for the account: the message is always verified with ``algorithm`` (pinned), never with
       what the message says; an absent header is fine. Its message advises the verifier (configure the
       algorithm the message names, if the console says so); a server verifying requests (the sandbox) tells
       its client what to do in its own words;
    8. ``malformed_sign``: sign is not upper-case hex of the algorithm's length (32 for MD5, 64 for SHA256);
    9. ``bad_create_ts``: createTs is not Unix seconds (ASCII digits);
    10. ``sign_mismatch``: sign differs from the one computed over the exact ``body`` bytes (constant-time);
    11. ``clock_skew``: createTs is more than ``max_clock_skew`` seconds from ``now``.

    The key is wrapped into a :class:`SecretKey` at entry, so no frame of this module holds it as text.
    ``headers`` is any header container (:data:`HeadersLike`), ``body`` any bytes-like object, hashed over
    exactly its bytes (a str is a TypeError). ``max_clock_skew`` and ``now`` are used as given (the sandbox
    passes an infinite window); the public verifiers check them first.
    """
    try:  # checked: with an empty key anyone can sign
        key = SecretKey(secret_key)
    finally:
        del secret_key
    body = body_bytes(body)
    fields = _signature_fields(headers, what, expected_request_id)
    missing = [name for name in SIGNED_HEADERS if not fields.get(name.lower())]
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
    # Printable ASCII excludes every control character (C0, DEL; C1 is not ASCII).
    if len(got_request_id) > MAX_REQUEST_ID_CHARS or not (got_request_id.isascii() and got_request_id.isprintable()):
        raise SignatureError(
            f"the {what}'s requestID ({len(got_request_id)} characters: {got_request_id[:40]!r}...) is over "
            f"{MAX_REQUEST_ID_CHARS} characters or holds a control or non-ASCII character: not one the platform sends.",
            rule="bad_request_id",
            request_id=expected_request_id,
        )
    if expected_request_id is not None and got_request_id != expected_request_id:
        raise SignatureError(
            f"the {what}'s requestID {got_request_id!r} does not echo the request's {expected_request_id!r}.",
            rule="request_id_echo",
            request_id=expected_request_id,
        )
    if got_uuid != uuid:
        raise SignatureError(
            f"the {what}'s uuid {got_uuid[:80]!r} is not this account's uuid {uuid!r}.",
            rule="uuid_echo",
            request_id=expected_request_id,
        )
    stated = fields.get(ALGORITHM_HEADER.lower())
    try:
        pinned = normalize_algorithm(algorithm)
        if stated:
            stated = normalize_algorithm(stated)
    except ValueError as exc:
        raise SignatureError(f"the {what}'s {exc}.", rule="bad_algorithm", request_id=expected_request_id) from None
    if stated and stated != pinned:
        raise SignatureError(
            f"the {what} says it is signed with {stated}, but this account is configured for {pinned}: refused "
            f"(the algorithm is pinned to the configured one). To do: if the account's console setting is {stated} "
            f"now, configure algorithm={stated!r}.",
            rule="algorithm_mismatch",
            request_id=expected_request_id,
        )
    length = _SIGN_LENGTHS[pinned]
    if len(got_sign) != length or not _UPPER_HEX.fullmatch(got_sign):
        raise SignatureError(
            f"the {what}'s sign is not {length} upper-case hex characters, the form of a {pinned} sign "
            f"(got {len(got_sign)} characters).",
            rule="malformed_sign",
            request_id=expected_request_id,
        )
    if not _UNIX_SECONDS.fullmatch(create_ts):
        raise SignatureError(
            f"the {what}'s createTs {create_ts[:40]!r} is not Unix seconds.",
            rule="bad_create_ts",
            request_id=expected_request_id,
        )
    expected = sign(key, body, create_ts, got_request_id, got_uuid, pinned)
    if not hmac.compare_digest(expected.encode("ascii"), got_sign.encode("ascii")):
        raise SignatureError(
            f"the {what}'s sign does not match its body and headers ({pinned}): the body was altered, "
            "or the secret key or algorithm differs from the account's." + _unverified_hint(body),
            rule="sign_mismatch",
            request_id=expected_request_id,
        )
    ts = int(create_ts)
    local = time.time() if now is None else now
    if abs(local - ts) > max_clock_skew:
        raise SignatureError(
            f"the {what}'s createTs {ts} is {abs(local - ts):.0f} s from local time {local:.0f} "
            f"(max {max_clock_skew:g} s): a replayed message, or a clock to fix (check NTP).",
            rule="clock_skew",
            request_id=expected_request_id,
        )
    return ts
