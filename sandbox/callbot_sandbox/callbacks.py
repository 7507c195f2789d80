"""Signed POSTs of the three webhooks to the callback URLs given with the task and its orders.

Sandbox choices (the wiki documents neither): a delivery succeeds on any 2xx answer and is retried up to
``max_attempts`` times, 1 s, 2 s, 4 s ... apart; createTs is the real time of sending (receivers check it
against their own clock). Only loopback targets are allowed unless ``allow_external`` is set.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from callbot_signing import signature_headers

from .accounts import Account
from .door import encode_json

logger = logging.getLogger("callbot_sandbox.callbacks")


@dataclass
class Delivery:
    kind: str  # "call", "order" or "task"
    url: str
    body: bytes
    account: Account = field(repr=False)
    attempts: int = 0
    next_try: float = 0.0
    last_error: str = ""


def is_loopback(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackSender:
    def __init__(self, *, allow_external: bool = False, max_attempts: int = 4, timeout: float = 5.0) -> None:
        self.allow_external = allow_external
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.pending: deque[Delivery] = deque()
        self.delivered: list[Delivery] = []
        self.failed: list[Delivery] = []
        self.refused: list[str] = []  # URLs not sent to (not loopback)
        self._lock = threading.Lock()

    def enqueue(self, account: Account, kind: str, url: str, payload: dict[str, Any]) -> None:
        """Queue a delivery; a URL or payload that cannot be sent is logged and skipped, never raised (the
        dialer calls this for whichever task is due, inside whichever request caught it up)."""
        if not url:
            return
        try:
            if not (self.allow_external or is_loopback(url)):
                self.refused.append(url)
                logger.warning("not sending the %s callback to %r: only loopback targets are allowed", kind, url)
                return
            httpx.URL(url)  # the URL must be one httpx can send to
            body = encode_json(payload)
        except Exception as exc:
            self.refused.append(url)
            logger.warning("not sending the %s callback to %r: %s: %s", kind, url, type(exc).__name__, exc)
            return
        with self._lock:
            self.pending.append(Delivery(kind, url, body, account))

    def flush(self, client: httpx.Client | None = None, *, now: float | None = None) -> int:
        """Send every delivery that is due; return how many are still pending (awaiting a retry)."""
        now = time.time() if now is None else now
        with self._lock:
            due = [d for d in self.pending if d.next_try <= now]
            self.pending = deque(d for d in self.pending if d.next_try > now)
        if due:
            own = client is None
            client = client or httpx.Client(timeout=self.timeout)
            try:
                for delivery in due:
                    self._send(client, delivery)
            finally:
                if own:
                    client.close()
        with self._lock:
            return len(self.pending)

    def _send(self, client: httpx.Client, delivery: Delivery) -> None:
        account = delivery.account
        headers = signature_headers(account.key, delivery.body, account.uuid, account.algorithm)
        del headers["algorithm"]  # the callback pages list no algorithm header: it is the console's setting
        headers["Content-Type"] = "application/json"
        delivery.attempts += 1
        try:
            response = client.post(delivery.url, content=delivery.body, headers=headers)
            ok, delivery.last_error = response.is_success, f"HTTP {response.status_code}"
        except Exception as exc:  # httpx.HTTPError, or a URL httpx refuses only when sending
            ok, delivery.last_error = False, f"{type(exc).__name__}: {exc}"
        with self._lock:
            if ok:
                self.delivered.append(delivery)
            elif delivery.attempts >= self.max_attempts:
                self.failed.append(delivery)
                logger.warning("gave up on the %s callback to %s: %s", delivery.kind, delivery.url, delivery.last_error)
            else:
                delivery.next_try = time.time() + 2 ** (delivery.attempts - 1)
                self.pending.append(delivery)
