"""Receiving the platform's callbacks: verify the signature first, then parse into the generated models.

Framework-neutral: pass the request headers (any mapping) and the raw body bytes, untouched.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Literal

from callbot_client.models import CallCallback, OrderCallback, TaskCallback

from ._constants import DEFAULT_ALGORITHM, DEFAULT_MAX_CLOCK_SKEW
from ._errors import CallbotError, SignatureError
from ._verify import request_id_of, verify_signed_message

Webhook = CallCallback | OrderCallback | TaskCallback
WebhookKind = Literal["call", "order", "task"]
_MODELS: dict[str, type[CallCallback] | type[OrderCallback] | type[TaskCallback]] = {
    "call": CallCallback,
    "order": OrderCallback,
    "task": TaskCallback,
}


class InvalidWebhookError(CallbotError):
    """A correctly signed callback whose body is not the payload its kind requires."""


class ReplayGuard:
    """Remembers the requestIDs of accepted callbacks and refuses one seen before.

    IDs are kept for ``ttl`` seconds (default twice the clock-skew window, past which a replay is refused
    for its createTs anyway), and at most ``max_entries`` of them. Thread-safe.
    """

    def __init__(self, ttl: float = 2 * DEFAULT_MAX_CLOCK_SKEW, max_entries: int = 100_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def check_and_remember(self, request_id: str, now: float | None = None) -> None:
        """Raise SignatureError (rule ``replay``) if ``request_id`` was accepted before; else remember it."""
        now = time.time() if now is None else now
        with self._lock:
            while self._seen and (
                next(iter(self._seen.values())) < now - self.ttl or len(self._seen) >= self.max_entries
            ):
                self._seen.popitem(last=False)
            if request_id in self._seen:
                raise SignatureError(
                    f"a webhook with requestID {request_id!r} was already accepted: a replay (or a platform retry of a "
                    "delivery you already processed)",
                    rule="replay",
                    request_id=request_id,
                )
            self._seen[request_id] = now


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    *,
    uuid: str,
    secret_key: str,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
) -> None:
    """Check a callback's signature over the exact ``body`` bytes; raise SignatureError if it fails.

    The callback pages list requestID, uuid, createTs and sign but no algorithm header: the algorithm is
    the account's console setting, passed as ``algorithm`` (an ``algorithm`` header, if sent, wins).
    """
    verify_signed_message(
        headers,
        body,
        uuid=uuid,
        secret_key=secret_key,
        algorithm=algorithm,
        max_clock_skew=max_clock_skew,
        now=now,
        expected_request_id=None,
        what="webhook",
    )
    if replay_guard is not None:
        replay_guard.check_and_remember(request_id_of(headers), now)


def webhook_kind(payload: Mapping[str, Any]) -> WebhookKind:
    """Tell the callbacks apart when the receiving URL does not: task status carries taskStat; the By
    Order example sends callbackType as a string ("1"), the By Call example as an integer (1)."""
    if "taskStat" in payload:
        return "task"
    return "order" if isinstance(payload.get("callbackType"), str) else "call"


def parse_webhook(
    headers: Mapping[str, str],
    body: bytes,
    *,
    uuid: str,
    secret_key: str,
    algorithm: str = DEFAULT_ALGORITHM,
    max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    kind: WebhookKind | None = None,
    replay_guard: ReplayGuard | None = None,
    now: float | None = None,
) -> Webhook:
    """Verify a callback (see :func:`verify_webhook`), then return it as the generated model.

    ``kind`` is ``"call"``, ``"order"`` or ``"task"``; give it when each callback has its own URL (the
    reliable way). Without it the kind is guessed from the payload (:func:`webhook_kind`).
    """
    verify_webhook(
        headers,
        body,
        uuid=uuid,
        secret_key=secret_key,
        algorithm=algorithm,
        max_clock_skew=max_clock_skew,
        replay_guard=replay_guard,
        now=now,
    )
    request_id = request_id_of(headers) or None
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidWebhookError("the webhook body is not JSON", request_id=request_id) from None
    if not isinstance(payload, dict):
        raise InvalidWebhookError("the webhook body is not a JSON object", request_id=request_id)
    chosen = kind or webhook_kind(payload)
    model = _MODELS[chosen]
    try:
        return model.from_dict(payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidWebhookError(
            f"the {chosen} webhook payload is incomplete or malformed ({type(exc).__name__}: {exc})",
            request_id=request_id,
        ) from None
