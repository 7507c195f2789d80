"""ReplayGuard and MemoryReplayStore directly: how long a requestID is remembered, the memory bound at its
edge, and the errors a wrong configuration gets."""

from __future__ import annotations

import pickle
import time

import pytest
from callbot_signing import CallbotError, MemoryReplayStore, ReplayGuard, ReplayGuardFullError, SignatureError

NOW = 1_800_000_000.0
#: What the in-memory store counts per entry besides the requestID's UTF-8 bytes (documented in its module).
OVERHEAD = 256


class RecordingStore:
    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float]] = []

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        self.calls.append((request_id, expires_at, now))
        return True


# -- ReplayGuard ------------------------------------------------------------------------------------------


def test_a_request_id_is_kept_until_create_ts_plus_the_window() -> None:
    store = RecordingStore()
    ReplayGuard(store).check_and_remember("r", NOW, create_ts=NOW - 40, window=100)
    assert store.calls == [("r", NOW + 60, NOW)]


def test_without_create_ts_a_request_id_is_kept_for_two_windows_from_now() -> None:
    store = RecordingStore()
    ReplayGuard(store).check_and_remember("r", NOW, window=100)
    ReplayGuard(store).check_and_remember("s", NOW)
    assert store.calls == [("r", NOW + 200, NOW), ("s", NOW + 600, NOW)]


def test_a_scope_keeps_the_same_request_id_of_two_accounts_apart() -> None:
    store = RecordingStore()
    guard = ReplayGuard(store)
    guard.check_and_remember("r", NOW, scope="acc-1")
    guard.check_and_remember("r", NOW, scope="acc-2")
    guard.check_and_remember("r", NOW)
    keys = [call[0] for call in store.calls]
    assert len(set(keys)) == 3 and keys[2] == "r"  # unscoped: the requestID itself
    assert all("r" in key for key in keys)
    shared = ReplayGuard()
    shared.check_and_remember("r", NOW, scope="acc-1")
    shared.check_and_remember("r", NOW, scope="acc-2")
    with pytest.raises(SignatureError) as caught:
        shared.check_and_remember("r", NOW, scope="acc-1")
    assert caught.value.request_id == "r"  # the error names the requestID, not the scoped key


def test_without_now_the_local_clock_is_used() -> None:
    store = RecordingStore()
    ReplayGuard(store).check_and_remember("r")
    ((_, expires_at, now),) = store.calls
    assert abs(now - time.time()) < 60 and expires_at == now + 600


def test_a_replay_is_a_signature_error_naming_the_request_id() -> None:
    guard = ReplayGuard()
    guard.check_and_remember("req-9", NOW, create_ts=NOW)
    with pytest.raises(SignatureError) as caught:
        guard.check_and_remember("req-9", NOW + 1, create_ts=NOW)
    assert (caught.value.rule, caught.value.request_id) == ("replay", "req-9")
    assert "requestID 'req-9' was already accepted" in str(caught.value)


def test_a_request_id_is_forgotten_only_after_it_expires() -> None:
    guard = ReplayGuard()
    guard.check_and_remember("r", NOW, create_ts=NOW, window=10)
    for later in (NOW + 5, NOW + 10):
        with pytest.raises(SignatureError):
            guard.check_and_remember("r", later, create_ts=NOW, window=10)
    guard.check_and_remember("r", NOW + 10.5, create_ts=NOW + 10.5, window=10)


@pytest.mark.parametrize(
    "size", [{"max_bytes": 1000}, {"max_entries": 5}, {"max_accounts": 2}, {"max_bytes": 1000, "max_entries": 5}]
)
def test_a_store_and_a_size_together_are_refused(size: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"^max_bytes, max_entries and max_accounts size the in-memory store: give"):
        ReplayGuard(MemoryReplayStore(), **size)


def test_the_sizes_are_passed_to_the_in_memory_store() -> None:
    guard = ReplayGuard(max_bytes=2 * (OVERHEAD + 1))
    assert isinstance(guard.store, MemoryReplayStore)
    assert (guard.store.max_bytes, guard.store.max_entries) == (2 * (OVERHEAD + 1), None)
    assert ReplayGuard(max_entries=3).store.max_entries == 3  # type: ignore[attr-defined]
    assert ReplayGuard().store.max_bytes == 64 * 1024 * 1024  # type: ignore[attr-defined]


def test_an_empty_store_given_is_used() -> None:
    store = MemoryReplayStore()
    assert ReplayGuard(store).store is store


# -- MemoryReplayStore ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "named"),
    [((0, None, 1), "max_bytes"), ((-1, None, 1), "max_bytes"), ((100, 0, 1), "max_entries"),
     ((100, -1, 1), "max_entries"), ((100, None, 0), "max_accounts")],
)  # fmt: skip
def test_a_store_without_room_is_refused(sizes: tuple[int, int | None, int], named: str) -> None:
    max_bytes, max_entries, max_accounts = sizes
    with pytest.raises(ValueError, match=rf"^{named} must be 1 or more, got -?\d+$"):
        MemoryReplayStore(max_bytes, max_entries=max_entries, max_accounts=max_accounts)


def test_the_smallest_store_is_one_byte_or_one_entry() -> None:
    assert MemoryReplayStore(1).max_bytes == 1
    with pytest.raises(ReplayGuardFullError):
        MemoryReplayStore(1).add_if_absent("r", NOW + 10, NOW)
    single = MemoryReplayStore(max_entries=1)
    assert single.add_if_absent("r", NOW + 10, NOW)
    with pytest.raises(ReplayGuardFullError):
        single.add_if_absent("s", NOW + 10, NOW)


def test_each_entry_counts_its_utf8_bytes_plus_the_overhead() -> None:
    store = MemoryReplayStore()
    assert store.used_bytes == 0 and len(store) == 0
    assert store.add_if_absent("ab", NOW + 10, NOW)
    assert store.add_if_absent("é", NOW + 10, NOW)  # two bytes in UTF-8
    assert store.add_if_absent("\ud800", NOW + 10, NOW)  # a lone surrogate still counts (3 bytes)
    assert store.used_bytes == 2 * OVERHEAD + 4 + OVERHEAD + 3
    assert len(store) == 3


def test_the_byte_bound_is_reached_exactly_and_not_passed() -> None:
    store = MemoryReplayStore(2 * (OVERHEAD + 2))
    assert store.add_if_absent("r1", NOW + 10, NOW)
    assert store.add_if_absent("r2", NOW + 10, NOW)
    assert store.used_bytes == store.max_bytes
    with pytest.raises(ReplayGuardFullError) as caught:
        store.add_if_absent("r3", NOW + 10, NOW)
    assert caught.value.request_id == "r3"
    assert f"(2 requestIDs, {2 * (OVERHEAD + 2)} of {2 * (OVERHEAD + 2)} bytes)" in str(caught.value)
    assert store.add_if_absent("r1", NOW + 10, NOW) is False  # a replay is still told apart when full


def test_the_entry_bound_is_reached_exactly_and_not_passed() -> None:
    store = MemoryReplayStore(max_entries=2)
    assert store.add_if_absent("r1", NOW + 10, NOW)
    assert store.add_if_absent("r2", NOW + 10, NOW)
    with pytest.raises(ReplayGuardFullError):
        store.add_if_absent("r3", NOW + 10, NOW)


def test_expired_entries_make_room_and_unexpired_ones_never_do() -> None:
    store = MemoryReplayStore(max_entries=2)
    store.add_if_absent("early", NOW + 5, NOW)
    store.add_if_absent("late", NOW + 50, NOW)
    with pytest.raises(ReplayGuardFullError):
        store.add_if_absent("new", NOW + 60, NOW + 5)  # "early" expires at NOW + 5: still remembered then
    assert store.add_if_absent("new", NOW + 60, NOW + 6)
    assert len(store) == 2 and store.used_bytes == 2 * OVERHEAD + len("late") + len("new")
    assert store.add_if_absent("late", NOW + 70, NOW + 6) is False
    assert store.add_if_absent("early", NOW + 70, NOW + 51) is True  # "late" purged now, "early" is new again


def test_a_request_id_remembered_again_keeps_only_its_new_expiry() -> None:
    store = MemoryReplayStore()
    store.add_if_absent("r", NOW + 5, NOW)
    assert store.add_if_absent("r", NOW + 100, NOW + 10)  # expired, so remembered anew until NOW + 100
    assert store.used_bytes == OVERHEAD + 1 and len(store) == 1
    assert store.add_if_absent("r", NOW + 200, NOW + 50) is False  # the old heap entry does not drop it
    assert len(store) == 1


# -- ReplayGuardFullError ----------------------------------------------------------------------------------


def test_replay_guard_full_error_takes_the_keyword_arguments_of_callbot_error_and_its_account() -> None:
    """A custom store raises it: the arguments it took before it had ``account`` still work."""
    error = ReplayGuardFullError(
        "full",
        ret_code=7,
        ret_msg="busy",
        response_id="resp-1",
        request_id="req-1",
        operation="webhook",
        outcome_unknown=False,
        account="acct-1",
    )
    assert isinstance(error, CallbotError) and str(error) == "full"
    shown = (error.ret_code, error.ret_msg, error.response_id, error.request_id, error.operation, error.account)
    assert shown == (7, "busy", "resp-1", "req-1", "webhook", "acct-1")
    assert ReplayGuardFullError("m", operation="x").operation == "x"
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.account, copy.ret_code) == (ReplayGuardFullError, "acct-1", 7)
