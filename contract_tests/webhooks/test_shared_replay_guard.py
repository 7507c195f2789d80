"""A replay guard shared by several accounts: an account filling its share never refuses another's deliveries, the
guard stays under max_accounts times max_bytes and frees an account's place when it expires; a store that knows no
accounts still works, and a scoped store is given the account apart from the requestID."""

from __future__ import annotations

import json
import pickle
import time
from typing import Any

import pytest
from callbot_signing import (
    MemoryReplayStore,
    ReplayGuard,
    ReplayGuardFullError,
    ReplayStore,
    ScopedReplayStore,
    SignatureError,
    parse_webhook,
)

from .._support import PAYLOADS, documented_sign

NOW = 1_800_000_000


#: Two accounts served by one receiver; B holds its own key and signs whatever it likes.
A = ("acct-a-uuid", "acct-a-secret")


B = ("acct-b-uuid", "acct-b-secret")


#: What MemoryReplayStore counts per requestID besides its bytes (documented in its module).
OVERHEAD = 256


ID_CHARS = 16


def signed(
    account: tuple[str, str], request_id: str = "r" * ID_CHARS, *, create_ts: int = NOW, body: bytes | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    uuid, secret = account
    raw = json.dumps(PAYLOADS["call"]).encode() if body is None else body
    sign = documented_sign(secret, raw, str(create_ts), request_id, uuid, "MD5")
    return [("requestID", request_id), ("uuid", uuid), ("createTs", str(create_ts)), ("sign", sign)], raw


def receive(account: tuple[str, str], headers: Any, body: Any, **options: Any) -> Any:
    uuid, secret = account
    return parse_webhook(headers, body, **{"uuid": uuid, "secret_key": secret, "now": NOW, **options})


# --- 1. a replay guard shared by several accounts --------------------------------------------------------


def test_an_account_filling_its_share_of_a_shared_guard_never_refuses_another_accounts_deliveries() -> None:
    share = 20  # requestIDs of ID_CHARS characters per account
    guard = ReplayGuard(max_bytes=share * (OVERHEAD + ID_CHARS))
    full: ReplayGuardFullError | None = None
    started = time.monotonic()
    for n in range(10 * share):  # B signs deliveries of its own until its share is full (bounded in count and time)
        assert time.monotonic() - started < 5
        try:
            receive(B, *signed(B, f"b-{n:0{ID_CHARS - 2}d}"), replay_guard=guard)
        except ReplayGuardFullError as exc:
            full = exc
            break
    assert full is not None and n == share
    assert full.account == B[0] and full.request_id == f"b-{n:0{ID_CHARS - 2}d}"
    assert f"the share of account {B[0]!r} in the replay guard is full ({share} requestIDs" in str(full)
    assert "other accounts' shares are not affected" in str(full)

    for n in range(share):  # A's genuine deliveries all get in: its whole share is its own
        receive(A, *signed(A, f"a-{n:0{ID_CHARS - 2}d}"), replay_guard=guard)
    with pytest.raises(SignatureError) as replayed:
        receive(A, *signed(A, f"a-{0:0{ID_CHARS - 2}d}"), replay_guard=guard)
    assert replayed.value.rule == "replay"
    with pytest.raises(ReplayGuardFullError) as a_full:  # A is bounded the same way
        receive(A, *signed(A, "a-one-too-many"), replay_guard=guard)
    assert a_full.value.account == A[0]
    with pytest.raises(SignatureError) as b_replayed:  # a full share still tells a replay apart
        receive(B, *signed(B, f"b-{0:0{ID_CHARS - 2}d}"), replay_guard=guard)
    assert b_replayed.value.rule == "replay"


def test_a_shared_guard_stays_under_max_accounts_times_max_bytes_and_frees_an_accounts_place_when_it_expires() -> None:
    store = MemoryReplayStore(2 * (OVERHEAD + ID_CHARS), max_accounts=5)
    guard = ReplayGuard(store)
    assert store.max_total_bytes == 5 * 2 * (OVERHEAD + ID_CHARS)
    for account in range(5):
        for n in range(3):
            try:
                guard.check_and_remember(f"{account}-{n:0{ID_CHARS - 2}d}", NOW, create_ts=NOW, scope=f"acct-{account}")
            except ReplayGuardFullError as exc:
                assert (exc.account, n) == (f"acct-{account}", 2)
    assert store.used_bytes == store.max_total_bytes and store.accounts == 5 and len(store) == 10
    with pytest.raises(ReplayGuardFullError) as caught:
        guard.check_and_remember("x" * ID_CHARS, NOW, create_ts=NOW, scope="acct-new")
    assert caught.value.account == "acct-new" and "max_accounts=5" in str(caught.value)
    assert store.accounts == 5  # a refused account takes no place
    later = NOW + 301  # every entry so far has expired: their accounts give their places back
    guard.check_and_remember("x" * ID_CHARS, later, create_ts=later, scope="acct-new")
    assert store.accounts == 1 and len(store) == 1


def test_a_default_guard_gives_each_account_served_its_own_share_however_many_there_are() -> None:
    """Only a verified delivery takes a share, so the accounts are those the receiver holds keys of: the
    default guard caps them no more (16 did, and the 17th account was refused until a whole share expired)."""
    guard = ReplayGuard()
    accounts = [(f"acct-{n:02d}-uuid", f"acct-{n:02d}-secret") for n in range(40)]
    for account in accounts:
        receive(account, *signed(account), replay_guard=guard)  # the same requestID: one per account
    store = guard.store
    assert isinstance(store, MemoryReplayStore) and store.accounts == 40 and len(store) == 40
    assert store.max_accounts is None and store.max_total_bytes is None  # the bound: 40 x max_bytes
    assert store.used_bytes <= store.accounts * store.max_bytes
    with pytest.raises(SignatureError):  # each still refuses its own replays
        receive(accounts[-1], *signed(accounts[-1]), replay_guard=guard)


class UnscopedStore:
    """A custom store written before accounts had shares: add_if_absent only, with room for one entry."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        if request_id in self.keys:
            return False
        if self.keys:
            raise ReplayGuardFullError("full", request_id=request_id)
        self.keys.append(request_id)
        return True


def test_a_store_that_knows_no_accounts_still_works_and_its_full_error_names_the_delivery_and_account() -> None:
    store = UnscopedStore()
    assert isinstance(store, ReplayStore) and not isinstance(store, ScopedReplayStore)
    guard = ReplayGuard(store)
    receive(A, *signed(A, "first"), replay_guard=guard)
    assert store.keys == [f"{A[0]}\x00first"]  # the account is kept apart in the key, as before
    with pytest.raises(SignatureError):
        receive(A, *signed(A, "first"), replay_guard=guard)
    with pytest.raises(ReplayGuardFullError) as caught:
        receive(A, *signed(A, "second"), replay_guard=guard)
    assert (caught.value.request_id, caught.value.account) == ("second", A[0])
    restored = pickle.loads(pickle.dumps(caught.value))
    assert (restored.request_id, restored.account) == ("second", A[0])


def test_a_scoped_store_is_given_the_account_apart_from_the_request_id() -> None:
    class Scoped:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str]] = []

        def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
            self.calls.append(("", request_id))
            return True

        def add_if_absent_scoped(self, scope: str, request_id: str, expires_at: float, now: float) -> bool:
            self.calls.append((scope, request_id))
            return True

    store = Scoped()
    assert isinstance(store, ScopedReplayStore)
    receive(A, *signed(A, "r1"), replay_guard=ReplayGuard(store))
    ReplayGuard(store).check_and_remember("r2", NOW)
    assert store.calls == [(A[0], "r1"), ("", "r2")]


def test_a_guard_store_must_have_add_if_absent() -> None:
    with pytest.raises(TypeError, match=r"^store must be a ReplayStore"):
        ReplayGuard(object())  # type: ignore[arg-type]
