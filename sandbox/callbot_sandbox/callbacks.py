"""Signed POSTs of the three webhooks to the callback URLs given with the task and its orders.

Sandbox choices (the wiki documents neither): a delivery succeeds on any 2xx answer and is retried up to
``max_attempts`` times, 1 s, 2 s, 4 s ... apart on the sender's ``clock`` (the sandbox's simulation time, so
that advancing a virtual clock makes retries due); createTs is the real time of sending (receivers check it
against their own clock). Only loopback targets are allowed unless ``allow_external`` is set. An attempt
through the sender's own client ends within ``timeout`` seconds as a whole (delivery_deadline.py), however
slowly a receiver answers.

One account's receivers cannot hold up another's: every account's deliveries go out on a lane of their own
(a thread of a shared pool), and a flush that does not wait (the real-time heartbeat) skips an account whose
lane is still busy, so the next round of the others is not held either. Within an account, a receiver (host
and port) that did not answer (a timeout, a refused connection) is not tried again in the same round: its
other deliveries wait for their next try without an attempt counted. Each account's queue holds at most
``max_pending_per_account`` deliveries (a dead receiver's queue grows no further): when it is full, the
**oldest** waiting delivery is dropped to make room for the new one, counted in ``dropped`` and logged (the
first drop of an account, then every 1,000th). Retries fall due on the owning account's own simulation time
(``account_clock``), so moving one account's clock makes only its retries due.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from callbot_signing import signature_headers

from .accounts import Account
from .delivery_deadline import DeadlineTransport
from .door import encode_json

logger = logging.getLogger("callbot_sandbox.callbacks")
#: At most this many accounts' deliveries are sent at once.
MAX_PARALLEL_ACCOUNTS = 32
#: At most this many deliveries wait per account; beyond, the oldest is dropped (and logged).
MAX_PENDING_PER_ACCOUNT = 1000
#: Callback URLs remembered as sendable (each checked once, not once per callback); forgotten all at once.
SENDABLE_URLS_KEPT = 1024


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
    """Queues the callbacks of a sandbox and sends those that are due by ``clock`` (seconds, like time.time)."""

    def __init__(
        self,
        *,
        allow_external: bool = False,
        max_attempts: int = 4,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
        account_clock: Callable[[str], float] | None = None,
        max_pending_per_account: int = MAX_PENDING_PER_ACCOUNT,
    ) -> None:
        self.allow_external = allow_external
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.clock = clock
        #: Each account's time by its uuid (None: ``clock`` for every account).
        self.account_clock = account_clock
        self.max_pending_per_account = max_pending_per_account
        self.delivered: list[Delivery] = []
        self.failed: list[Delivery] = []
        self.refused: list[str] = []  # URLs not sent to (not loopback)
        #: Deliveries dropped because their account's queue was full, by account uuid.
        self.dropped: dict[str, int] = {}
        self._lock = threading.Lock()
        self._sendable: set[tuple[bool, str]] = set()  # (allow_external, url) checked and sendable
        self._queues: dict[str, deque[Delivery]] = {}  # account uuid -> its waiting deliveries, oldest first
        self._lanes: dict[str, Future[None]] = {}  # account uuid -> its latest round
        self._http: httpx.Client | None = None
        #: The client deliveries go through when flush() is given none (None: one of its own, made on first use);
        #: the testing kit sets one that routes them to the user's receiver.
        self.client: httpx.Client | None = None
        self._executor: ThreadPoolExecutor | None = None

    @property
    def pending(self) -> list[Delivery]:
        """Every waiting delivery (a copy), account by account."""
        with self._lock:
            return [delivery for queue in self._queues.values() for delivery in queue]

    def pending_of(self, uuid: str) -> int:
        """How many deliveries of the account ``uuid`` wait."""
        with self._lock:
            return len(self._queues.get(uuid, ()))

    def _now(self, uuid: str) -> float:
        return self.clock() if self.account_clock is None else self.account_clock(uuid)

    def _wait(self, delivery: Delivery) -> None:
        """Queue ``delivery`` on its account's queue, dropping that queue's oldest when it is full. Under _lock."""
        uuid = delivery.account.uuid
        queue = self._queues.get(uuid)
        if queue is None:
            queue = self._queues[uuid] = deque()
        if len(queue) >= self.max_pending_per_account:
            oldest = queue.popleft()
            count = self.dropped[uuid] = self.dropped.get(uuid, 0) + 1
            if count == 1 or count % 1000 == 0:
                logger.warning(
                    "account %s has %d callbacks waiting (its receiver does not take them): dropped the oldest "
                    "(%s callback to %s; %d dropped so far)",
                    uuid,
                    len(queue) + 1,
                    oldest.kind,
                    oldest.url,
                    count,
                )
        queue.append(delivery)

    def enqueue(self, account: Account, kind: str, url: str, payload: dict[str, Any]) -> None:
        """Queue a delivery; a URL or payload that cannot be sent is logged and skipped, never raised (the
        dialer calls this for whichever task is due, inside whichever request caught it up)."""
        if not url:
            return
        try:
            if (self.allow_external, url) not in self._sendable:  # a task's callbacks share a URL: checked once
                if not (self.allow_external or is_loopback(url)):
                    self.refused.append(url)
                    logger.warning("not sending the %s callback to %r: only loopback targets are allowed", kind, url)
                    return
                httpx.URL(url)  # the URL must be one httpx can send to
                if len(self._sendable) >= SENDABLE_URLS_KEPT:
                    self._sendable.clear()
                self._sendable.add((self.allow_external, url))
            body = encode_json(payload)
        except Exception as exc:
            self.refused.append(url)
            logger.warning("not sending the %s callback to %r: %s: %s", kind, url, type(exc).__name__, exc)
            return
        with self._lock:
            self._wait(Delivery(kind, url, body, account))

    def flush(
        self,
        client: httpx.Client | None = None,
        *,
        now: float | None = None,
        wait: bool = True,
        accounts: Collection[str] | None = None,
    ) -> int:
        """Send every delivery that is due, each account's on its own lane; return how many are pending.

        ``now``: the time deliveries are due by (None: each account's own time). ``accounts``: only the
        deliveries of these account uuids (None: every account's). ``wait`` (advance(), tests): return once
        this round is sent. Without (the heartbeat): return at once; an account whose lane is still sending an
        earlier round keeps its due deliveries for a later one."""
        by_account: dict[str, list[Delivery]] = {}
        with self._lock:
            busy = {uuid for uuid, lane in self._lanes.items() if not lane.done()}
            for uuid, queue in self._queues.items():
                if uuid in busy or (accounts is not None and uuid not in accounts):
                    continue
                due_by = self._now(uuid) if now is None else now
                due = [d for d in queue if d.next_try <= due_by]
                if due:
                    self._queues[uuid] = deque(d for d in queue if d.next_try > due_by)
                    by_account[uuid] = due
        if by_account:
            sender = client or self._client()
            lanes = [self._pool().submit(self._send_all, sender, group) for group in by_account.values()]
            with self._lock:
                self._lanes.update(zip(by_account, lanes, strict=True))
            if wait or client is not None:
                for lane in lanes:
                    lane.result()
        with self._lock:
            return sum(len(queue) for queue in self._queues.values())

    def _client(self) -> httpx.Client:
        if self.client is not None:
            return self.client
        with self._lock:
            if self._http is None:
                # safe across threads; each attempt ends within self.timeout as a whole, not only per read
                self._http = httpx.Client(timeout=self.timeout, transport=DeadlineTransport(self.timeout))
            return self._http

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(MAX_PARALLEL_ACCOUNTS, thread_name_prefix="callbot-callbacks")
            return self._executor

    def _send_all(self, client: httpx.Client, deliveries: list[Delivery]) -> None:
        """One account's due deliveries, in order; a receiver that does not answer is tried once. A fault
        here (a bug) is logged, never raised into advance() or the heartbeat."""
        silent: set[tuple[str, int | None]] = set()
        try:
            for delivery in deliveries:
                receiver = _receiver(delivery.url)
                if receiver in silent:
                    with self._lock:
                        delivery.next_try = self._now(delivery.account.uuid) + 1
                        self._wait(delivery)
                    continue
                if not self._send(client, delivery):
                    silent.add(receiver)
        except Exception:
            logger.exception("sending callbacks failed")

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
                delivery.next_try = self._now(account.uuid) + 2 ** (delivery.attempts - 1)
                self._wait(delivery)
        return answered


def _receiver(url: str) -> tuple[str, int | None]:
    """The host and port a URL reaches, however it is spelled (user info, case, a default port)."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or "", parts.port or {"http": 80, "https": 443}.get(parts.scheme))
    except ValueError:
        return (url, None)
