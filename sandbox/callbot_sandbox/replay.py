"""The requestIDs each account has used within the clock window: a signed request is served once.

Sandbox (the wiki says only that requestID is unique): a request whose requestID the same account already
used, while that earlier request's createTs is still within the clock window, is refused with retCode 6.
Its sign does not cover the path, so this also stops a captured request from being resent to another
operation. The real service's behaviour is not known.
"""

from __future__ import annotations

import heapq
import threading


class SeenRequestIDs:
    """requestIDs by account, each forgotten once its createTs has left the window (``window`` seconds)."""

    def __init__(self, window: float, *, max_entries: int = 2_000_000) -> None:
        self.window = window
        self.max_entries = max_entries
        self._seen: dict[tuple[str, str], float] = {}
        self._expiry: list[tuple[float, str, str]] = []
        self._lock = threading.Lock()

    def first_use(self, account: str, request_id: str, create_ts: float, now: float) -> bool:
        """Record the use; False when the account used ``request_id`` before and it has not expired."""
        key = (account, request_id)
        with self._lock:
            self._forget(now)
            if key in self._seen:
                return False
            if len(self._seen) >= self.max_entries:  # sandbox: the oldest is forgotten first
                _, old_account, old_id = heapq.heappop(self._expiry)
                self._seen.pop((old_account, old_id), None)
            expires = max(create_ts, now) + self.window
            self._seen[key] = expires
            heapq.heappush(self._expiry, (expires, account, request_id))
            return True

    def _forget(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            _, account, request_id = heapq.heappop(self._expiry)
            self._seen.pop((account, request_id), None)

    def __len__(self) -> int:
        return len(self._seen)
