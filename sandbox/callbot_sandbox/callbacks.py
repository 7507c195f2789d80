"""Signed POSTs of the three webhooks to the callback URLs given with the task and its orders.

Sandbox choices (the wiki documents neither): a delivery succeeds on any 2xx answer and is retried up to
``max_attempts`` times, 1 s, 2 s, 4 s ... apart; createTs is the real time of sending (receivers check it
against their own clock). Only loopback targets are allowed unless ``allow_external`` is set.

One account's receivers cannot hold up another's: each flush sends every account's deliveries on a thread of
its own, and within an account a receiver that did not answer (a timeout, a refused connection) is not
tried again in the same flush: its other deliveries wait for their next try without an attempt counted.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from callbot_signing import signature_headers

from .accounts import Account
from .door import encode_json

logger = logging.getLogger("callbot_sandbox.callbacks")
#: At most this many accounts' deliveries are sent at once.
MAX_PARALLEL_ACCOUNTS = 32


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
        by_account: dict[str, list[Delivery]] = {}
        for delivery in due:
            by_account.setdefault(delivery.account.uuid, []).append(delivery)
        if by_account:
            own = client is None
            sender = client or httpx.Client(timeout=self.timeout)  # an httpx.Client is safe across threads
            try:
                if len(by_account) == 1:
                    self._send_all(sender, due)
                else:
                    with ThreadPoolExecutor(max_workers=min(len(by_account), MAX_PARALLEL_ACCOUNTS)) as pool:
                        for done in [pool.submit(self._send_all, sender, group) for group in by_account.values()]:
                            done.result()
            finally:
                if own:
                    sender.close()
        with self._lock:
            return len(self.pending)

    def _send_all(self, client: httpx.Client, deliveries: list[Delivery]) -> None:
        """One account's due deliveries, in order; a receiver that does not answer is tried once."""
        silent: set[str] = set()
        for delivery in deliveries:
            receiver = _origin(delivery.url)
            if receiver in silent:
                with self._lock:
                    delivery.next_try = time.time() + 1
                    self.pending.append(delivery)
                continue
            if not self._send(client, delivery):
                silent.add(receiver)

    def _send(self, client: httpx.Client, delivery: Delivery) -> bool:
        """One attempt; False when the receiver did not answer at all (no HTTP status)."""
        account = delivery.account
        headers = signature_headers(account.key, delivery.body, account.uuid, account.algorithm)
        del headers["algorithm"]  # the callback pages list no algorithm header: it is the console's setting
        headers["Content-Type"] = "application/json"
        delivery.attempts += 1
        answered = True
        try:
            response = client.post(delivery.url, content=delivery.body, headers=headers)
            ok, delivery.last_error = response.is_success, f"HTTP {response.status_code}"
        except Exception as exc:  # httpx.HTTPError, or a URL httpx refuses only when sending
            ok, answered, delivery.last_error = False, False, f"{type(exc).__name__}: {exc}"
        with self._lock:
            if ok:
                self.delivered.append(delivery)
            elif delivery.attempts >= self.max_attempts:
                self.failed.append(delivery)
                logger.warning("gave up on the %s callback to %s: %s", delivery.kind, delivery.url, delivery.last_error)
            else:
                delivery.next_try = time.time() + 2 ** (delivery.attempts - 1)
                self.pending.append(delivery)
        return answered


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        return url
