"""The replay guard of the webhook receiver: each accepted requestID once, for as long as it could be replayed.

A callback is accepted while its createTs is within the clock-skew window (300 s by default), so its
requestID must be remembered until ``createTs + window``, and not a moment less: the guard never forgets
an entry that could still be replayed. When its store is full it refuses new deliveries
(:class:`ReplayGuardFullError`) instead of evicting, since an eviction is exactly what a replay needs.

Accounts sharing a guard each get their own share of it (the *scope*: :func:`parse_webhook` passes the
account's uuid, and only after the callback's sign verified with that account's key). One account filling
its share, even by signing deliveries of its own, never refuses another account's: the in-memory store
gives each account ``max_bytes``. Only a verified delivery creates a share, so the accounts holding one are
at most the accounts whose keys the receiver holds, and the store stays under that number x ``max_bytes``;
``max_accounts`` caps the number of shares too, if given (none by default).

The store is a seam (:class:`ReplayStore`): the in-memory default serves one process; a receiver running
on several processes or hosts plugs in a shared one (Redis ``SET key 1 NX EXAT expires_at``, or a database
table with a unique key on the requestID and a column for ``expires_at``); a receiver handling each
delivery exactly once needs a :class:`ClaimingReplayStore`.
"""

from __future__ import annotations

import heapq
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Final, Literal, Protocol, runtime_checkable

from ._constants import DEFAULT_MAX_CLOCK_SKEW
from ._errors import CallbotError, SignatureError
from ._settings import check_count, check_seconds

#: Bytes counted per remembered requestID besides its UTF-8 bytes: the dict slot, the str and float
#: objects and the expiry-heap tuple. tracemalloc measures ~190 bytes in all for a 32-character id on
#: CPython 3.11, so the count is an upper bound (test_length_extension checks that it is).
ENTRY_OVERHEAD_BYTES: Final = 256
#: The default memory budget of each account in the in-memory store: ~230,000 requestIDs of 32 characters,
#: i.e. room for ~770 callbacks a second, sustained, inside a 300 s window.
DEFAULT_REPLAY_MAX_BYTES: Final = 64 * 1024 * 1024
#: The default cap on the accounts whose requestIDs the in-memory store holds at a time: none. Only an
#: account whose key verified a callback takes a share, so the accounts holding one are at most those the
#: receiver serves (whose keys it holds), never senders; a cap would refuse the next account's deliveries
#: until a whole share expired.
DEFAULT_REPLAY_MAX_ACCOUNTS: Final[int | None] = None
#: The longest window a requestID is kept for (and the largest ``max_clock_skew`` a webhook takes): one
#: year, enough to re-check an old capture; a receiver keeps the default 300 s.
MAX_REPLAY_WINDOW: Final = 366 * 86_400.0
#: The latest Unix time a clock reading (``now``, ``create_ts``) may give: 9999-12-31T23:59:59Z.
LATEST_UNIX_TIME: Final = 253_402_300_799.0


class ReplayGuardFullError(CallbotError):
    """The replay guard's store has no room left for a new requestID, and no entry in it may be forgotten
    yet (each could still be replayed). The delivery is refused, not processed: the platform retries it
    later. Give the guard a bigger ``max_bytes`` (each account's share), more ``max_accounts`` (if capped),
    or a shared store (:class:`ReplayStore`).

    ``account`` is the account (the scope, its uuid) whose share is full, or None for an unscoped call;
    the other accounts' shares are not affected. A custom store raises it with the keyword arguments of
    :class:`CallbotError` (``request_id`` and the others) and ``account``.
    """

    def __init__(
        self,
        message: str,
        *,
        ret_code: int | None = None,
        ret_msg: str | None = None,
        response_id: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        outcome_unknown: bool = False,
        account: str | None = None,
    ) -> None:
        super().__init__(
            message,
            ret_code=ret_code,
            ret_msg=ret_msg,
            response_id=response_id,
            request_id=request_id,
            operation=operation,
            outcome_unknown=outcome_unknown,
        )
        self.account = account


@runtime_checkable
class ReplayStore(Protocol):
    """Where a :class:`ReplayGuard` remembers requestIDs. Implementations must be safe to call concurrently.

    ``add_if_absent`` is one atomic check-and-insert: it returns True and remembers ``request_id`` until
    ``expires_at`` (Unix seconds) when it was not remembered (or its entry has expired by ``now``), and
    False when it is remembered and unexpired: a replay. It must never drop an unexpired entry to make
    room; when it has none, it raises :class:`ReplayGuardFullError`. It may purge expired entries.

    For a callback of an account, the guard passes ``"<uuid>\\x00<requestID>"`` as ``request_id`` (unless
    the store is a :class:`ScopedReplayStore`, which gets the uuid apart). A store shared by several
    accounts must not let one account's entries refuse another's: have no size limit that one account can
    reach (a Redis without ``maxmemory``, a database table), or count each account's entries apart (the
    part before the NUL, or :class:`ScopedReplayStore`).

    For Redis: ``SET callbot:replay:{request_id} 1 NX EXAT {ceil(expires_at) + margin}`` returns True when
    set (add a margin of a few seconds for clock differences between receivers). For SQL: an INSERT into a
    table with a unique key on request_id (True), a unique-violation (False), and a periodic
    ``DELETE ... WHERE expires_at < now``.
    """

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool: ...


@runtime_checkable
class ScopedReplayStore(ReplayStore, Protocol):
    """A :class:`ReplayStore` that keeps each account's requestIDs apart and gives each its own quota.

    ``add_if_absent_scoped(scope, request_id, expires_at, now)`` is ``add_if_absent`` for the account
    ``scope`` (its uuid, never empty): the same request_id in two scopes are two entries, and when the
    store refuses for want of room (:class:`ReplayGuardFullError`) it is because ``scope``'s own share is
    full, never because of what other scopes hold. :class:`ReplayGuard` calls it for every scoped call.
    """

    def add_if_absent_scoped(self, scope: str, request_id: str, expires_at: float, now: float) -> bool: ...


ClaimStatus = Literal["claimed", "done", "busy"]


@dataclass(frozen=True)
class Claim:
    """What :meth:`ClaimingReplayStore.claim` found for one delivery of one account (``scope``, its uuid):
    ``"claimed"`` (this caller holds it until ``done``, ``release`` or the lease's end; ``token`` tells its
    claim from a later one), ``"done"`` (handled already) or ``"busy"`` (another caller holds a live claim).
    ``expires_at``: when it can no longer be replayed (createTs + the window), and a done mark is dropped."""

    scope: str
    request_id: str
    status: ClaimStatus
    expires_at: float
    token: str = ""


@runtime_checkable
class ClaimingReplayStore(ReplayStore, Protocol):
    """A :class:`ReplayStore` that lets a receiver handle each delivery exactly once: a delivery is claimed
    (an in-progress entry with a short lease) before its handler runs, marked done when it returns, released
    when it raises (so the platform's retry is handled); a claim whose receiver died ends with its lease.

    - ``claim(scope, request_id, expires_at=..., now=..., lease=...)``, atomically: a done mark gives
      ``"done"``; an unexpired claim gives ``"busy"``; otherwise (nothing, or a claim whose lease has ended)
      a new claim with a fresh token is taken, kept ``lease`` seconds, and ``"claimed"`` returned. Raises
      :class:`ReplayGuardFullError` when ``scope``'s share has no room.
    - ``done(claim)``: mark the delivery handled until ``claim.expires_at``.
    - ``release(claim)``: forget the claim if it is still this one (same token), so the retry is handled.

    Each account's entries are apart (``scope``): one account can neither claim nor block another's. An
    ``add_if_absent`` entry and a done mark are the same thing, so a :class:`ReplayGuard` and a receiver
    may share a store. A store that cannot reach its backend raises (the receiver answers 503).
    """

    def claim(self, scope: str, request_id: str, *, expires_at: float, now: float, lease: float) -> Claim: ...

    def done(self, claim: Claim) -> None: ...

    def release(self, claim: Claim) -> None: ...


class _Share:
    """One account's entries in a MemoryReplayStore (done marks and claims alike in ``expiry``; the
    claims' tokens and lease ends in ``claims``)."""

    __slots__ = ("bytes", "claims", "expiry", "scope")

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.expiry: dict[str, float] = {}
        self.claims: dict[str, tuple[str, float]] = {}
        self.bytes = 0


class MemoryReplayStore:
    """The in-memory :class:`ScopedReplayStore` and :class:`ClaimingReplayStore` of one process: a dict per
    account and one expiry heap, under a lock.

    Memory is bounded in bytes per account: each entry counts its requestID's UTF-8 bytes plus
    ENTRY_OVERHEAD_BYTES, and each account's entries stay at most ``max_bytes`` (and ``max_entries``, if
    given), so the whole store stays under (accounts holding entries) x ``max_bytes``. An account holds
    entries from its first accepted requestID until all of them have expired. The accounts are not capped
    by default: :class:`ReplayGuard` scopes by the account whose key verified the callback, so they are at
    most the accounts the receiver serves. With ``max_accounts`` at most that many hold entries at a time
    (the next account is refused until one's entries have all expired), and the store stays under
    ``max_accounts * max_bytes``. Unscoped calls (``add_if_absent``) share one account of their own.
    """

    def __init__(
        self,
        max_bytes: int = DEFAULT_REPLAY_MAX_BYTES,
        *,
        max_entries: int | None = None,
        max_accounts: int | None = DEFAULT_REPLAY_MAX_ACCOUNTS,
    ) -> None:
        self.max_bytes = check_count("max_bytes", max_bytes)
        self.max_entries = None if max_entries is None else check_count("max_entries", max_entries)
        self.max_accounts = None if max_accounts is None else check_count("max_accounts", max_accounts)
        self._shares: dict[str, _Share] = {}
        self._heap: list[tuple[float, str, str]] = []  # (expires_at, scope, request_id)
        self._lock = threading.Lock()

    @property
    def max_total_bytes(self) -> int | None:
        """The most bytes the whole store counts: ``max_accounts * max_bytes``; None without ``max_accounts``
        (then it is the number of accounts holding entries x ``max_bytes``)."""
        return None if self.max_accounts is None else self.max_accounts * self.max_bytes

    @property
    def used_bytes(self) -> int:
        """The bytes counted for the entries held now, all accounts (expired ones included until purged)."""
        with self._lock:
            return sum(share.bytes for share in self._shares.values())

    @property
    def accounts(self) -> int:
        """How many accounts hold entries now (expired ones included until purged)."""
        with self._lock:
            return len(self._shares)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(share.expiry) for share in self._shares.values())

    def _purge(self, now: float) -> None:
        heap, shares = self._heap, self._shares
        while heap and heap[0][0] < now:
            expires_at, scope, request_id = heapq.heappop(heap)
            share = shares.get(scope)
            if share is not None and share.expiry.get(request_id) == expires_at:
                self._forget(share, request_id)

    def _forget(self, share: _Share, request_id: str) -> None:
        del share.expiry[request_id]
        share.claims.pop(request_id, None)
        share.bytes -= _cost(request_id)
        if not share.expiry:
            del self._shares[share.scope]

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        return self.add_if_absent_scoped("", request_id, expires_at, now)

    def add_if_absent_scoped(self, scope: str, request_id: str, expires_at: float, now: float) -> bool:
        with self._lock:
            self._purge(now)
            share = self._shares.get(scope)
            if share is not None and request_id in share.expiry:
                return False
            self._insert(share, scope, request_id, expires_at)
            return True

    def claim(self, scope: str, request_id: str, *, expires_at: float, now: float, lease: float) -> Claim:
        token = secrets.token_hex(8)
        with self._lock:
            self._purge(now)
            share = self._shares.get(scope)
            if share is None or request_id not in share.expiry:
                share = self._insert(share, scope, request_id, expires_at)
            elif request_id not in share.claims:
                return Claim(scope, request_id, "done", share.expiry[request_id])
            elif share.claims[request_id][1] > now:
                return Claim(scope, request_id, "busy", share.expiry[request_id])
            # new, or a claim whose lease has ended (its receiver is gone): this caller's now
            share.claims[request_id] = (token, now + lease)
            return Claim(scope, request_id, "claimed", share.expiry[request_id], token)

    def done(self, claim: Claim) -> None:
        with self._lock:
            share = self._shares.get(claim.scope)
            if share is not None:
                share.claims.pop(claim.request_id, None)  # the entry stays, without a lease: a done mark

    def release(self, claim: Claim) -> None:
        with self._lock:
            share = self._shares.get(claim.scope)
            held = None if share is None else share.claims.get(claim.request_id)
            if share is not None and held is not None and held[0] == claim.token:
                self._forget(share, claim.request_id)

    def _insert(self, share: _Share | None, scope: str, request_id: str, expires_at: float) -> _Share:
        """A new entry of ``scope``, or ReplayGuardFullError when its share has no room; under the lock."""
        cost = _cost(request_id)
        if share is None and self.max_accounts is not None and len(self._shares) >= self.max_accounts:
            raise ReplayGuardFullError(
                f"the replay guard holds the requestIDs of max_accounts={self.max_accounts} accounts already, "
                f"so it has no share for account {scope!r}, and none may be forgotten yet (each could still be "
                "replayed): this delivery is refused; the platform should retry it. To do: give "
                "ReplayGuard(max_accounts=...) the number of accounts this receiver serves.",
                request_id=request_id,
                account=scope or None,
            )
        used, count = (0, 0) if share is None else (share.bytes, len(share.expiry))
        if used + cost > self.max_bytes or (self.max_entries is not None and count >= self.max_entries):
            whose = f"the share of account {scope!r} in the replay guard" if scope else "the replay guard"
            others = " (the other accounts' shares are not affected)" if scope else ""
            raise ReplayGuardFullError(
                f"{whose} is full ({count} requestIDs, {used} of {self.max_bytes} bytes){others}, and each "
                "could still be replayed inside the clock-skew window, so this delivery is refused rather "
                "than letting a replay through; the platform should retry it. To do: give "
                "ReplayGuard(max_bytes=...) more room per account, or a shared store (ReplayStore) for a "
                "busy receiver.",
                request_id=request_id,
                account=scope or None,
            )
        if share is None:
            share = self._shares[scope] = _Share(scope)
        share.expiry[request_id] = expires_at
        heapq.heappush(self._heap, (expires_at, share.scope, request_id))
        share.bytes += cost
        return share


def _cost(request_id: str) -> int:
    return len(request_id.encode("utf-8", "surrogatepass")) + ENTRY_OVERHEAD_BYTES


class ReplayGuard:
    """Refuses a callback whose requestID it has accepted before, for as long as the callback could be
    replayed (its createTs plus the clock-skew window). Thread-safe when its store is.

    ``ReplayGuard()`` keeps the requestIDs in this process's memory (see :class:`MemoryReplayStore`): each
    account's at most ``max_bytes`` (64 MiB) and ``max_entries``, so at most (accounts served) x 64 MiB;
    ``max_accounts`` caps the accounts holding requestIDs at a time (no cap by default).
    ``ReplayGuard(store)`` uses a shared :class:`ReplayStore` instead, for a receiver on several processes.
    :func:`parse_webhook` consults it only for a callback that is signed, fresh and a well-formed payload of
    its kind, so forged or foreign signed messages never fill it, and it passes the account's uuid as the
    ``scope``, so accounts sharing a guard never refuse each other's deliveries.
    """

    def __init__(
        self,
        store: ReplayStore | None = None,
        *,
        max_bytes: int | None = None,
        max_entries: int | None = None,
        max_accounts: int | None = None,
    ) -> None:
        if store is not None and (max_bytes is not None or max_entries is not None or max_accounts is not None):
            raise ValueError(
                "max_bytes, max_entries and max_accounts size the in-memory store: give them or a store, not both"
            )
        if store is None:  # not `store or ...`: an empty store has len() 0
            store = MemoryReplayStore(
                DEFAULT_REPLAY_MAX_BYTES if max_bytes is None else max_bytes,
                max_entries=max_entries,
                max_accounts=DEFAULT_REPLAY_MAX_ACCOUNTS if max_accounts is None else max_accounts,
            )
        elif not callable(getattr(store, "add_if_absent", None)):
            raise TypeError(f"store must be a ReplayStore (with add_if_absent), got {type(store).__name__}")
        self.store: ReplayStore = store
        self._scoped: ScopedReplayStore | None = store if isinstance(store, ScopedReplayStore) else None

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
        is remembered already, or ReplayGuardFullError if the store has no room (for ``scope``).

        Without ``create_ts`` (the message's createTs, as verified) the arrival time ``now`` stands in, and
        the entry is kept for two windows: a createTs may be up to one window ahead of the local clock.
        ``scope`` (parse_webhook passes the account's uuid, after the sign verified with its key) keeps the
        requestIDs of accounts that share a guard apart, each with its own quota, so that one account can
        neither claim nor refuse another's.
        """
        window = check_seconds("window", window, maximum=MAX_REPLAY_WINDOW)
        now = time.time() if now is None else check_seconds("now", now, allow_zero=True, maximum=LATEST_UNIX_TIME)
        if create_ts is not None:
            create_ts = check_seconds("create_ts", create_ts, allow_zero=True, maximum=LATEST_UNIX_TIME)
        if not isinstance(request_id, str) or not isinstance(scope, str):
            kinds = f"{type(request_id).__name__}, {type(scope).__name__}"
            raise TypeError(f"request_id and scope must be str, got {kinds}")
        expires_at = create_ts + window if create_ts is not None else now + 2 * window
        try:
            if not scope:
                fresh = self.store.add_if_absent(request_id, expires_at, now)
            elif self._scoped is not None:
                fresh = self._scoped.add_if_absent_scoped(scope, request_id, expires_at, now)
            else:
                fresh = self.store.add_if_absent(f"{scope}\x00{request_id}", expires_at, now)
        except ReplayGuardFullError as exc:  # name the delivery and the account, whatever the store said
            exc.request_id, exc.account = request_id, exc.account or scope or None
            raise
        if not fresh:
            raise SignatureError(
                f"a webhook with requestID {request_id!r} was already accepted: a replay (or a platform retry of a "
                "delivery you already processed)",
                rule="replay",
                request_id=request_id,
            )
