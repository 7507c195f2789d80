"""Receiving the platform's callbacks: verify the signature, check the payload, remember the requestID, parse.

Framework-neutral: pass the request's header container as the framework gives it (any mapping or
multi-dict: http.server, email, wsgiref, Starlette, Werkzeug/Flask, Django, aiohttp; or a list of pairs) and
the raw body bytes, untouched (bytes, bytearray or memoryview).

Why the order matters: the sign is a plain hash of ``secret + message``, so anyone holding one genuine
callback can length-extend it into messages with a valid sign, any createTs and any requestID, whose body
is the genuine body followed by binary padding; and the service signs its own replies (error envelopes
echoing any requestID) with the same key and format. Neither is a JSON object of a callback kind, so a
callback is checked to be one before its requestID is remembered: such messages cannot fill the replay
guard, and the guard (see :mod:`._replay`) never forgets a requestID that could still be replayed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Literal

from callbot_client.models import CallCallback, OrderCallback, TaskCallback

from ._constants import DEFAULT_ALGORITHM, DEFAULT_MAX_CLOCK_SKEW, DEFAULT_MAX_WEBHOOK_BYTES
from ._errors import CallbotError
from ._replay import LATEST_UNIX_TIME, MAX_REPLAY_WINDOW, ReplayGuard, ReplayGuardFullError, ReplayStore
from ._schemas import webhook_problem
from ._secret import SecretKey
from ._settings import check_count, check_seconds
from ._verify import (
    BodyBytes,
    HeadersLike,
    body_bytes,
    body_size,
    request_id_of,
    signed_header_pairs,
    verify_signed_message,
)

__all__ = [
    "InvalidWebhookError",
    "ReplayGuard",
    "ReplayGuardFullError",
    "ReplayStore",
    "Webhook",
    "WebhookKind",
    "parse_webhook",
    "verify_webhook",
    "webhook_kind",
]

Webhook = CallCallback | OrderCallback | TaskCallback
WebhookKind = Literal["call", "order", "task"]
_MODELS: dict[str, type[CallCallback] | type[OrderCallback] | type[TaskCallback]] = {
    "call": CallCallback,
    "order": OrderCallback,
    "task": TaskCallback,
}
#: webhook kind -> the spec's webhook (``webhooks:``) whose request body it is.
WEBHOOK_OPERATIONS: dict[str, str] = {"call": "callCallback", "order": "orderCallback", "task": "taskCallback"}


class InvalidWebhookError(CallbotError):
    """A correctly signed callback whose body is not the payload its kind requires: not UTF-8, not a JSON
    object, nested too deeply, a required field missing or a field of the wrong type. Its requestID is not
    remembered by the replay guard."""


def webhook_kind(payload: Mapping[str, Any]) -> WebhookKind:
    """Tell the callbacks apart when the receiving URL does not: task status carries taskStat; the By
    Order example sends callbackType as a string ("1"), the By Call example as an integer (1)."""
    if "taskStat" in payload:
        return "task"
    return "order" if isinstance(payload.get("callbackType"), str) else "call"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _payload(body: bytes, kind: WebhookKind | None, request_id: str | None) -> Webhook:
    """The callback model of a verified ``body``, or InvalidWebhookError; never another exception."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidWebhookError("the webhook body is not UTF-8 text", request_id=request_id) from None
    try:
        payload = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise InvalidWebhookError("the webhook body is not JSON", request_id=request_id) from None
    except RecursionError:
        raise InvalidWebhookError("the webhook body is nested too deeply", request_id=request_id) from None
    if not isinstance(payload, dict):
        raise InvalidWebhookError("the webhook body is not a JSON object", request_id=request_id)
    chosen = kind or webhook_kind(payload)
    if chosen not in _MODELS:
        raise ValueError(f"unknown webhook kind {chosen!r}: use one of {', '.join(_MODELS)}")
    problem = webhook_problem(WEBHOOK_OPERATIONS[chosen], payload)
    if problem:
        field_path, message = problem
        raise InvalidWebhookError(
            f"the {chosen} webhook payload is incomplete or malformed at {field_path}: {message}",
            request_id=request_id,
        )
    try:
        return _MODELS[chosen].from_dict(payload)
    except Exception as exc:  # the schema check should make this unreachable; never let it escape untyped
        raise InvalidWebhookError(
            f"the {chosen} webhook payload is incomplete or malformed ({type(exc).__name__})", request_id=request_id
        ) from None


def _check_size(size: int, max_body_bytes: int, headers: HeadersLike) -> None:
    if size > max_body_bytes:
        raise InvalidWebhookError(
            f"the webhook body has {size:,} bytes, more than max_body_bytes={max_body_bytes:,}: refused "
            "unread (callbacks are a few kilobytes)",
            request_id=request_id_of(headers) or None,
        )


def _checked_settings(
    max_clock_skew: object, max_body_bytes: object, now: object, replay_guard: object
) -> tuple[float, int, float]:
    """The numeric settings of parse_webhook, checked (ValueError/TypeError naming the setting), with the one
    clock reading used for both the window and the guard."""
    window = check_seconds("max_clock_skew", max_clock_skew, maximum=MAX_REPLAY_WINDOW)
    limit = check_count("max_body_bytes", max_body_bytes)
    local = time.time() if now is None else check_seconds("now", now, allow_zero=True, maximum=LATEST_UNIX_TIME)
    if replay_guard is not None and not isinstance(replay_guard, ReplayGuard):
        raise TypeError(f"replay_guard must be a ReplayGuard, got {type(replay_guard).__name__}")
    return window, limit, local


def parse_webhook(
    headers: HeadersLike,
    body: BodyBytes,
    *,
    uuid: str,
    secret_key: str | SecretKey,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    kind: WebhookKind | None = None,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
    max_body_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES,
) -> Webhook:
    """Verify a callback and return it as the generated model; raise a CallbotError subclass if not.

    In order: the signature over the exact ``body`` bytes, with the account's console ``algorithm`` (the
    callback pages list no algorithm header; one naming another algorithm is refused), and createTs within
    ``max_clock_skew`` of ``now`` (:class:`SignatureError`, see ``verify_signed_message`` for the rules);
    the body is a UTF-8 JSON object that is a payload of ``kind``, its required fields present and of
    their spec types (:class:`InvalidWebhookError`); then, with a ``replay_guard``, its requestID was not
    accepted before (:class:`SignatureError` rule ``replay``) and there is room to remember it until
    createTs + ``max_clock_skew`` (:class:`ReplayGuardFullError`). Only a callback that passes every check
    is remembered.

    ``kind`` is ``"call"``, ``"order"`` or ``"task"``; give it when each callback has its own URL (the
    reliable way). Without it the kind is guessed from the payload (:func:`webhook_kind`). A body over
    ``max_body_bytes`` is refused before anything else (:class:`InvalidWebhookError`).

    ``headers`` is the request's header container as the framework gives it (see :data:`HeadersLike`: a
    mapping, a multi-dict, ``http.server``'s ``self.headers``, a list of pairs); ``body`` the raw bytes as
    received, in any bytes-like object (a ``str`` is a TypeError: pass ``request.body``, ``await
    request.body()``, ``environ['wsgi.input'].read(n)``). ``max_clock_skew`` (up to a year), ``now`` and
    ``max_body_bytes`` are checked: a NaN, an infinity, a negative or a bool is a ValueError/TypeError
    naming the setting, never a bound switched off.
    """
    try:  # first: no frame may hold the key as plain text, whatever is refused below
        key = SecretKey(secret_key)  # checked: an empty key would make forging trivial
    finally:
        del secret_key
    if not isinstance(uuid, str):
        raise TypeError(f"uuid must be the account's uuid as str, got {type(uuid).__name__}")
    window, limit, local = _checked_settings(max_clock_skew, max_body_bytes, now, replay_guard)
    size = body_size(body)  # a TypeError for a str or a non-bytes body, before anything is read
    # Read once, here: a one-shot iterator must not come out empty the second time, and whatever the
    # container, a signature header given twice is seen as such below.
    pairs = signed_header_pairs(headers)
    _check_size(size, limit, pairs)
    raw = body_bytes(body)
    create_ts = verify_signed_message(
        pairs,
        raw,
        uuid=uuid,
        secret_key=key,
        algorithm=algorithm,
        max_clock_skew=window,
        now=local,
        expected_request_id=None,
        what="webhook",
    )
    request_id = request_id_of(pairs)
    event = _payload(raw, kind, request_id)
    if replay_guard is not None:
        replay_guard.check_and_remember(request_id, local, create_ts=create_ts, window=window, scope=uuid)
    return event


def verify_webhook(
    headers: HeadersLike,
    body: BodyBytes,
    *,
    uuid: str,
    secret_key: str | SecretKey,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    kind: WebhookKind | None = None,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
    max_body_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES,
) -> None:
    """Every check of :func:`parse_webhook`, without returning the model.

    It checks the payload too (InvalidWebhookError for a signed body that is not a callback of ``kind``):
    the signature alone does not make a message a callback, since the service signs its replies with the
    same key, and a plain-hash sign can be length-extended. So a message that is not a callback can neither
    pass nor, with a ``replay_guard``, take a place in it.
    """
    try:
        key = SecretKey(secret_key)
    finally:
        del secret_key
    parse_webhook(
        headers,
        body,
        uuid=uuid,
        secret_key=key,
        algorithm=algorithm,
        max_clock_skew=max_clock_skew,
        kind=kind,
        replay_guard=replay_guard,
        now=now,
        max_body_bytes=max_body_bytes,
    )
