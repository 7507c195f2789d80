"""The replay guard of the webhook receiver: each accepted requestID once, for as long as it could be replayed.

A callback is accepted while its createTs is within the clock-skew window (300 s by default), so its
requestID must be remembered until ``createTs + window``, and not a moment less: the guard never forgets
an entry that could still be replayed. When its store is full it refuses new deliveries
(:class:`ReplayGuardFullError`) instead of evicting, since an eviction is exactly what a replay needs.

The store is a seam (:class:`ReplayStore`): the in-memory default serves one process; a receiver running
on several processes or hosts plugs in a shared one (Redis ``SET key 1 NX EXAT expires_at``, or a database
table with a unique key on the requestID and a column for ``expires_at``).
"""

from __future__ import annotations

import heapq
import threading
import time
from typing import Final, Protocol, runtime_checkable

from ._constants import DEFAULT_MAX_CLOCK_SKEW
from ._errors import CallbotError, SignatureError

#: Bytes counted per remembered requestID besides its UTF-8 bytes: the dict slot, the str and float
#: objects and the expiry-heap tuple. tracemalloc measures ~183 bytes in all for a 32-character id on
#: CPython 3.11, so the count is an upper bound (test_length_extension checks that it is).
ENTRY_OVERHEAD_BYTES: Final = 256
#: The default memory budget of the in-memory store: ~230,000 requestIDs of 32 characters, i.e. room
#: for ~770 callbacks a second, sustained, inside a 300 s window.
DEFAULT_REPLAY_MAX_BYTES: Final = 64 * 1024 * 1024


class ReplayGuardFullError(CallbotError):
    """The replay guard's store has no room left for a new requestID, and no entry in it may be forgotten
    yet (each could still be replayed). The delivery is refused, not processed: the platform retries it
    later. Give the guard a bigger ``max_bytes`` or a shared store (:class:`ReplayStore`)."""


@runtime_checkable
class ReplayStore(Protocol):
    """Where a :class:`ReplayGuard` remembers requestIDs. Implementations must be safe to call concurrently.

    ``add_if_absent`` is one atomic check-and-insert: it returns True and remembers ``request_id`` until
    ``expires_at`` (Unix seconds) when it was not remembered (or its entry has expired by ``now``), and
    False when it is remembered and unexpired: a replay. It must never drop an unexpired entry to make
    room; when it has none, it raises :class:`ReplayGuardFullError`. It may purge expired entries.

    For Redis: ``SET callbot:replay:{request_id} 1 NX EXAT {ceil(expires_at) + margin}`` returns True when
    set (add a margin of a few seconds for clock differences between receivers). For SQL: an INSERT into a
    table with a unique key on request_id (True), a unique-violation (False), and a periodic
    ``DELETE ... WHERE expires_at < now``.
    """

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool: ...


class MemoryReplayStore:
    """The in-memory :class:`ReplayStore` of one process: a dict and an expiry heap under a lock.

    Memory is bounded in bytes: each entry counts its requestID's UTF-8 bytes plus ENTRY_OVERHEAD_BYTES,
    and the total stays at most ``max_bytes`` (and ``max_entries``, if given).
    """

    def __init__(self, max_bytes: int = DEFAULT_REPLAY_MAX_BYTES, *, max_entries: int | None = None) -> None:
        if max_bytes <= 0 or (max_entries is not None and max_entries <= 0):
            raise ValueError("max_bytes and max_entries must be positive")
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def used_bytes(self) -> int:
        """The bytes counted for the entries held now (expired ones included until purged)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._expiry)

    def _purge(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] < now:
            expires_at, request_id = heapq.heappop(heap)
            if self._expiry.get(request_id) == expires_at:
                del self._expiry[request_id]
                self._bytes -= _cost(request_id)

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        cost = _cost(request_id)
        with self._lock:
            self._purge(now)
            if request_id in self._expiry:
                return False
            if self._bytes + cost > self.max_bytes or (
                self.max_entries is not None and len(self._expiry) >= self.max_entries
            ):
                raise ReplayGuardFullError(
                    f"the replay guard is full ({len(self._expiry)} requestIDs, {self._bytes} of {self.max_bytes} "
                    "bytes), and each could still be replayed inside the clock-skew window, so this delivery is "
                    "refused rather than letting a replay through; the platform should retry it. To do: give "
                    "ReplayGuard(max_bytes=...) more room, or a shared store (ReplayStore) for a busy receiver.",
                    request_id=request_id,
                )
            self._expiry[request_id] = expires_at
            heapq.heappush(self._heap, (expires_at, request_id))
            self._bytes += cost
            return True


def _cost(request_id: str) -> int:
    return len(request_id.encode("utf-8", "surrogatepass")) + ENTRY_OVERHEAD_BYTES


class ReplayGuard:
    """Refuses a callback whose requestID it has accepted before, for as long as the callback could be
    replayed (its createTs plus the clock-skew window). Thread-safe when its store is.

    ``ReplayGuard()`` keeps the requestIDs in this process's memory, at most ``max_bytes`` of them (see
    :class:`MemoryReplayStore`); ``ReplayGuard(store)`` uses a shared :class:`ReplayStore` instead, for a
    receiver on several processes. :func:`parse_webhook` consults it only for a callback that is signed,
    fresh and a well-formed payload of its kind, so forged or foreign signed messages never fill it.
    """

    def __init__(
        self,
        store: ReplayStore | None = None,
        *,
        max_bytes: int | None = None,
        max_entries: int | None = None,
    ) -> None:
        if store is not None and (max_bytes is not None or max_entries is not None):
            raise ValueError("max_bytes and max_entries size the in-memory store: give them or a store, not both")
        if store is None:  # not `store or ...`: an empty store has len() 0
            store = MemoryReplayStore(
                DEFAULT_REPLAY_MAX_BYTES if max_bytes is None else max_bytes, max_entries=max_entries
            )
        self.store: ReplayStore = store

    def check_and_remember(
        self,
        request_id: str,
        now: float | None = None,
        *,
        create_ts: float | None = None,
        window: float = DEFAULT_MAX_CLOCK_SKEW,
        scope: str = "",
    ) -> None:
        """Remember ``request_id`` until ``create_ts + window``; raise SignatureError (rule ``replay``) if it
        is remembered already, or ReplayGuardFullError if the store has no room.

        Without ``create_ts`` (the message's createTs, as verified) the arrival time ``now`` stands in, and
        the entry is kept for two windows: a createTs may be up to one window ahead of the local clock.
        ``scope`` (parse_webhook passes the account's uuid) keeps the requestIDs of accounts that share a
        guard apart, so that one account cannot claim or refuse another's.
        """
        now = time.time() if now is None else now
        expires_at = create_ts + window if create_ts is not None else now + 2 * window
        key = f"{scope}\x00{request_id}" if scope else request_id
        if not self.store.add_if_absent(key, expires_at, now):
            raise SignatureError(
                f"a webhook with requestID {request_id!r} was already accepted: a replay (or a platform retry of a "
                "delivery you already processed)",
                rule="replay",
                request_id=request_id,
            )
