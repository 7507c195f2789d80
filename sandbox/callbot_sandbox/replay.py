"""The requestIDs each account has used within the clock window: a signed request is served once.

Sandbox (the wiki says only that requestID is unique): a request whose requestID the same account already
used, while that earlier request's createTs is still within the clock window, is refused with retCode 6.
Its sign does not cover the path, so this also stops a captured request from being resent to another
operation. The real service's behaviour is not known.

Each account has a cap of its own: an account that has used that many requestIDs within the window gets
retCode 7 (busy) until some expire. Nothing is ever forgotten early, so no account, however busy, can make
the sandbox forget another's requestIDs and replay them.
"""

from __future__ import annotations

import heapq
import threading


class WindowFull(Exception):
    """The account has used ``max_entries`` requestIDs within the window."""


class SeenRequestIDs:
    """requestIDs by account, each forgotten once its createTs has left the window (``window`` seconds)."""

    def __init__(self, window: float, *, max_entries: int = 1_000_000) -> None:
        self.window = window
        #: Per account.
        self.max_entries = max_entries
        self._seen: dict[str, dict[str, float]] = {}
        self._expiry: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()

    def first_use(self, account: str, request_id: str, create_ts: float, now: float) -> bool:
        """Record the use; False when the account used ``request_id`` before and it has not expired;
        WindowFull when the account has no room left."""
        with self._lock:
            self._forget(now)
            seen = self._seen.setdefault(account, {})
            if request_id in seen:
                return False
            if len(seen) >= self.max_entries:
                raise WindowFull(account)
            expires = max(create_ts, now) + self.window
            seen[request_id] = expires
            heapq.heappush(self._expiry, (expires, account, request_id))
            return True

    def _forget(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            _, account, request_id = heapq.heappop(self._expiry)
            self._seen[account].pop(request_id, None)

    def __len__(self) -> int:
        return sum(len(seen) for seen in self._seen.values())

    def used_by(self, account: str) -> int:
        return len(self._seen.get(account, {}))
