"""The sandbox's signing rules: which signing headers a request carries, whether its sign is right and its
requestID new, and the signed reply.

The ``algorithm`` header names the algorithm a request is signed with, MD5 when it is left out (the wiki's
words: "default to MD5 if left blank"); the answer is signed with the same one. The account's console
setting (``Account.algorithm``) is the algorithm of its callbacks, which carry no header. The checks are
the client's own (``verify_signed_message``) mapped to the service's retCodes: 6001 a signature header is
missing, 6 anything else. A refusal says which header to send when the sign is that of the other
algorithm. Deviation ``pinned-algorithm`` (deviations.py) verifies and signs with the console setting only.
"""

from __future__ import annotations

import math

from callbot_signing import SignatureError, signature_headers
from callbot_signing.wire import (
    ALGORITHM_HEADER,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
    normalize_algorithm,
    verify_signed_message,
)

from .accounts import Account
from .answers import Payload, new_id
from .deviations import deviate_headers, deviate_payload
from .door import SIGNATURE_WRONG, encode_json, single_ascii_headers
from .replay import SeenRequestIDs, WindowFull
from .spec import BUSY, RequestRejected

SIGNATURE_MISSING = 6001
ACCOUNT_UNKNOWN = 6002
SIGNED_HEADERS = (REQUEST_ID_HEADER, UUID_HEADER, CREATE_TS_HEADER, SIGN_HEADER)
#: (header, its lower-case key) of the headers every signed request carries.
SIGNED_KEYS = tuple((name, name.lower()) for name in SIGNED_HEADERS)
#: The lower-case names of every signing header, as ASGI gives them.
SIGNING_NAMES = frozenset(name.lower().encode() for name in (*SIGNED_HEADERS, ALGORITHM_HEADER))
#: The header that says why a request was refused (app.py's docstring); not one of the service's.
REFUSAL_HEADER = "X-Sandbox-Refusal"
_OTHER_ALGORITHM = {"MD5": "SHA256", "SHA256": "MD5"}
_ALGORITHM_KEY = ALGORITHM_HEADER.lower()


def signing_headers(raw_headers: list[tuple[bytes, bytes]]) -> tuple[dict[str, str], RequestRejected | None]:
    """The signing headers by lower-case name, and the refusal when one breaks the rule (door.py)."""
    try:
        return single_ascii_headers(raw_headers, SIGNING_NAMES), None
    except RequestRejected as problem:
        # Keep the well-formed, single ones (the uuid picks the key the refusal is signed with).
        found: dict[str, str] = {}
        counts: dict[bytes, int] = {}
        for key, _ in raw_headers:
            counts[key.lower()] = counts.get(key.lower(), 0) + 1
        for key, value in raw_headers:
            name = key.lower()
            if name in SIGNING_NAMES and counts[name] == 1 and all(0x20 <= b < 0x7F for b in value):
                found[name.decode()] = value.decode("ascii")
        return found, problem


def request_algorithm(headers: dict[str, str], account: Account | None, *, pinned: bool = False) -> str:
    """The algorithm a request is signed with, by its ``algorithm`` header: MD5 when there is none, or when
    it names neither MD5 nor SHA256 (then refused by :func:`check_request_signature`). ``pinned``
    (deviation pinned-algorithm): the account's console setting, whatever the header says."""
    if pinned and account is not None:
        return account.algorithm
    try:
        return normalize_algorithm(headers.get(_ALGORITHM_KEY) or DEFAULT_ALGORITHM)
    except ValueError:
        return DEFAULT_ALGORITHM


def check_request_signature(
    headers: dict[str, str],
    raw_body: bytes,
    account: Account,
    *,
    now: float,
    max_clock_skew: float | None,
    seen: SeenRequestIDs | None,
    pinned: bool = False,
) -> str:
    """Verify the request's sign with the algorithm its header names (MD5 without one), then that its
    requestID is new for the account (``seen``; None: replays allowed); return the algorithm. A refusal is
    a :class:`RequestRejected` with the service's retCode."""
    stated = headers.get(_ALGORITHM_KEY)
    if pinned:
        algorithm = account.algorithm  # verify_signed_message refuses a header naming another
    elif stated:
        try:
            algorithm = normalize_algorithm(stated)
        except ValueError:
            raise RequestRejected(
                SIGNATURE_WRONG,
                f"incorrect signature: the algorithm header {stated[:20]!r} is neither MD5 nor SHA256 "
                "(name the algorithm of the sign, or leave the header out for MD5)",
            ) from None
    else:
        algorithm = DEFAULT_ALGORITHM
    skew = math.inf if max_clock_skew is None else max_clock_skew
    try:
        create_ts = _verify(headers, raw_body, account, algorithm, now, skew)
    except SignatureError as exc:
        code = SIGNATURE_MISSING if exc.rule == "missing_header" else SIGNATURE_WRONG
        what = "missing" if code == SIGNATURE_MISSING else "incorrect"
        if pinned:
            problem = _pinned_signature_problem(exc, headers, raw_body, account, now, skew)
        else:
            problem = _signature_problem(exc, headers, raw_body, account, algorithm, now, skew)
        raise RequestRejected(code, f"{what} signature: {problem}") from None
    if seen is not None:
        _check_request_id(seen, account, headers[REQUEST_ID_HEADER.lower()], create_ts, now)
    return algorithm


def _check_request_id(seen: SeenRequestIDs, account: Account, request_id: str, create_ts: int, now: float) -> None:
    try:
        first = seen.first_use(account.uuid, request_id, create_ts, now)
    except WindowFull:
        raise RequestRejected(
            BUSY,
            f"system busy: this account used {seen.max_entries} requestIDs within the {seen.window:.0f} s "
            "window, the sandbox's limit; retry later, more slowly",
            state=True,
        ) from None
    if not first:
        raise RequestRejected(
            SIGNATURE_WRONG,
            f"incorrect signature: requestID {request_id} was already used; every request needs a new one",
        )


def _verify(headers: dict[str, str], raw_body: bytes, account: Account, algorithm: str, now: float, skew: float) -> int:
    return verify_signed_message(
        headers,
        raw_body,
        uuid=account.uuid,
        secret_key=account.key,
        algorithm=algorithm,
        max_clock_skew=skew,
        now=now,
        expected_request_id=None,
        what="request",
    )


def _signs_with(
    other: str, headers: dict[str, str], raw_body: bytes, account: Account, now: float, skew: float
) -> bool:
    """Whether the request, its algorithm header left out, is signed right with ``other``."""
    unstated = {name: value for name, value in headers.items() if name != _ALGORITHM_KEY}
    try:
        _verify(unstated, raw_body, account, other, now, skew)
    except SignatureError:
        return False
    return True


def _signature_problem(
    exc: SignatureError,
    headers: dict[str, str],
    raw_body: bytes,
    account: Account,
    algorithm: str,
    now: float,
    skew: float,
) -> str:
    """What to tell the client about its refused signature: when its sign is that of the other algorithm
    than the one its header names (or MD5, without one), which header to send."""
    if exc.rule not in ("malformed_sign", "sign_mismatch"):
        return str(exc)
    other = _OTHER_ALGORITHM[algorithm]
    if not _signs_with(other, headers, raw_body, account, now, skew):
        return str(exc)
    said = (
        f"its algorithm header says {algorithm}"
        if headers.get(_ALGORITHM_KEY)
        else "it has no algorithm header, which means MD5"
    )
    return f"the request is signed with {other}, but {said}: send the header algorithm: {other}"


def _pinned_signature_problem(
    exc: SignatureError, headers: dict[str, str], raw_body: bytes, account: Account, now: float, skew: float
) -> str:
    """Deviation pinned-algorithm: the advice of a service that verifies with the account's console
    setting only: the client must sign with the account's algorithm (or the console setting change)."""
    if exc.rule not in ("algorithm_mismatch", "malformed_sign", "sign_mismatch"):
        return str(exc)
    pinned = account.algorithm
    other = _OTHER_ALGORITHM[pinned]
    advice = f"configure the client with algorithm={pinned!r} (or set the account to {other} in the console)"
    if _signs_with(other, headers, raw_body, account, now, skew):
        return f"the request is signed with {other}, but this account is set to {pinned}: {advice}"
    if exc.rule != "algorithm_mismatch":
        return str(exc)
    stated = headers.get(_ALGORITHM_KEY, "")
    return (
        f"the request says it is signed with {stated[:20]!r}, but this account is set to {pinned}: "
        f"{advice}; its sign does not match with {pinned} or {other} either, so check the secret key too"
    )


def signed_reply(
    payload: Payload,
    headers: dict[str, str],
    account: Account | None,
    algorithm: str,
    *,
    now: float,
    deviations: frozenset[str] = frozenset(),
    operation: str = "",
    refusal: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The reply's bytes and headers, signed with the account's key and ``algorithm`` when the account is
    known (unsigned otherwise: there is no key to sign with); ``refusal``: the value of the refusal header."""
    payload = deviate_payload(deviations, operation, payload)
    body = encode_json(payload)
    request_id = headers.get(REQUEST_ID_HEADER.lower()) or new_id()
    uuid = headers.get(UUID_HEADER.lower(), "")
    create_ts = str(int(now))
    out = {REFUSAL_HEADER: refusal} if refusal else {}
    if account is None:
        return body, {REQUEST_ID_HEADER: request_id, UUID_HEADER: uuid, CREATE_TS_HEADER: create_ts, **out}
    signed = signature_headers(account.key, body, uuid, algorithm, request_id=request_id, create_ts=create_ts)
    return body, {**deviate_headers(deviations, payload, signed), **out}
