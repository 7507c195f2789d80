"""The records of an order journal (see :mod:`nxcloud_callbot.journal`): each line checked as it is read, and
what the lines say of each order of an input, by its position (:func:`replay`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

#: What a journal knows of an order: the latest line about it.
OrderState = Literal["sending", "accepted", "refused", "failed", "unknown"]
_WITH_MESSAGE: Final[dict[str, OrderState]] = {"refused": "refused", "failed": "failed", "unknown": "unknown"}
#: An order's state in a Replay, one byte per order: 0 is "never sent".
CODES: Final[dict[OrderState, int]] = {"sending": 1, "accepted": 2, "refused": 3, "failed": 4, "unknown": 5}
STATES: Final[dict[int, OrderState]] = {code: state for state, code in CODES.items()}
_SETTLED: Final = ("accepted", "refused", "failed", "unknown")


class JournalError(Exception):
    """A journal that cannot be used: it belongs to another task or input, is damaged, or already exists
    where a new one was asked for."""


def ids_digest(order_ids: Sequence[str]) -> str:
    """The digest a batch line holds: SHA-256 of the orderIDs, one per line."""
    return "sha256:" + hashlib.sha256("\n".join(order_ids).encode()).hexdigest()


class Replay:
    """What a journal says of each order of an input, by position: ``codes[p]`` (see CODES; 0: never sent)
    and ``messages[p]`` (where not empty)."""

    def __init__(self, count: int) -> None:
        self.codes = bytearray(count)
        self.messages: dict[int, str] = {}

    def state(self, position: int) -> tuple[OrderState | None, str]:
        code = self.codes[position]
        return (STATES[code] if code else None), self.messages.get(position, "")


def replay(records: Sequence[tuple[int, dict[str, Any]]], order_ids: Sequence[str], path: Path) -> Replay:
    """What ``records`` (checked, with their line numbers) say of each of ``order_ids`` (the input, in order).
    JournalError when a batch line names other orders than the input holds at its rows."""
    replay = Replay(len(order_ids))
    named = {i for _, record in records for i in _named_ids(record)}
    position = {order_id: p for p, order_id in enumerate(order_ids) if order_id in named} if named else {}
    members: dict[int, range | list[int]] = {}
    for number, record in records:
        if "batch" in record:
            batch = members[record["batch"]] = _batch_members(record, order_ids, position, path, number)
            if isinstance(batch, range):  # the common case, a run of orders: at the speed of bytes
                replay.codes[batch.start : batch.stop] = bytes([CODES["sending"]]) * len(batch)
            else:
                for p in batch:
                    replay.codes[p] = CODES["sending"]
            for p in batch if replay.messages else ():
                replay.messages.pop(p, None)
        elif "done" in record:
            batch = members[record["done"]]
            code, message = CODES[record["status"]], record["message"]
            if isinstance(batch, range) and not message:
                sending_to_code = bytes.maketrans(bytes([CODES["sending"]]), bytes([code]))
                replay.codes[batch.start : batch.stop] = replay.codes[batch.start : batch.stop].translate(
                    sending_to_code
                )
                continue
            for p in batch:
                if replay.codes[p] == CODES["sending"]:
                    replay.codes[p] = code
                    replay.messages[p] = message
        else:
            for order_id, (state, message) in _record_states(record) or ():
                if order_id in position:
                    replay.codes[position[order_id]] = CODES[state]
                    replay.messages[position[order_id]] = message
    return replay


def _named_ids(record: dict[str, Any]) -> list[str]:
    if "batch" in record:
        return list(record.get("orders", ()))
    if "done" in record:
        return []
    return [order_id for order_id, _ in _record_states(record) or ()]


def _batch_members(
    record: dict[str, Any], order_ids: Sequence[str], position: Mapping[str, int], path: Path, line: int
) -> range | list[int]:
    number = record["batch"]
    if "orders" in record:
        missing = [order_id for order_id in record["orders"] if order_id not in position]
        if missing:
            raise JournalError(
                f"the journal {path} (line {line}, batch {number}) names the order {missing[0]!r}, which is not in "
                "the input: resume with the input it was written for, or start a new journal"
            )
        return [position[order_id] for order_id in record["orders"]]
    first, end = record["rows"]
    if end > len(order_ids) or ids_digest(order_ids[first:end]) != record["ids"]:
        raise JournalError(
            f"the journal {path} (line {line}, batch {number}) was written for other orders at positions "
            f"{first + 1} to {end} of the input: resume with the same orders in the same order, or start a new journal"
        )
    return range(first, end)


def parse(lines: list[str], path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the decoder goes
            if number == len(lines):  # cut short by a crash while it was written: its step never started
                break
            raise JournalError(f"the journal {path} is damaged at line {number}: not JSON") from None
        if not isinstance(record, dict):
            raise JournalError(f"the journal {path} is damaged at line {number}: not a JSON object")
        records.append(record)
    return records


def named_states(records: list[tuple[int, dict[str, Any]]], path: Path) -> dict[str, tuple[OrderState, str]]:
    """The states of the orders named one by one; checks every record (JournalError naming the line)."""
    states: dict[str, tuple[OrderState, str]] = {}
    batches: set[int] = set()
    for number, record in records:
        if _is_batch(record) and record["batch"] not in batches:
            batches.add(record["batch"])
            continue
        if _is_done(record) and record["done"] in batches:
            continue
        updates = _record_states(record)
        if updates is None:
            raise JournalError(f"the journal {path} is damaged at line {number}: an unknown record")
        states.update(updates)
    return states


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_batch(record: dict[str, Any]) -> bool:
    if not _whole(record.get("batch")):
        return False
    if set(record) == {"batch", "orders"}:
        orders = record["orders"]
        return isinstance(orders, list) and bool(orders) and all(isinstance(order_id, str) for order_id in orders)
    rows, digest = record.get("rows"), record.get("ids")
    return (
        set(record) == {"batch", "rows", "ids"}
        and isinstance(rows, list)
        and len(rows) == 2
        and all(_whole(row) for row in rows)
        and rows[0] < rows[1]
        and isinstance(digest, str)
    )


def _is_done(record: dict[str, Any]) -> bool:
    return (
        set(record) == {"done", "status", "message"}
        and _whole(record["done"])
        and record["status"] in _SETTLED
        and isinstance(record["message"], str)
    )


def _record_states(record: dict[str, Any]) -> list[tuple[str, tuple[OrderState, str]]] | None:
    """The states one record sets, or None when it is not a per-order record this module writes: one key, a
    list of orderIDs (sending, accepted) or of [orderID, message] pairs (refused, failed, unknown), all
    strings."""
    if len(record) != 1:
        return None
    ((state, entries),) = record.items()
    if not isinstance(entries, list):
        return None
    if state == "sending" or state == "accepted":
        if not all(isinstance(order_id, str) for order_id in entries):
            return None
        settled: OrderState = "sending" if state == "sending" else "accepted"
        return [(order_id, (settled, "")) for order_id in entries]
    if state not in _WITH_MESSAGE:
        return None
    pairs = [entry for entry in entries if isinstance(entry, list) and len(entry) == 2]
    if len(pairs) != len(entries) or not all(isinstance(a, str) and isinstance(b, str) for a, b in pairs):
        return None
    return [(order_id, (_WITH_MESSAGE[state], message)) for order_id, message in pairs]
