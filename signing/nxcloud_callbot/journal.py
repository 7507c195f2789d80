"""OrderJournal: a write-ahead log of a bulk import, so that an interrupted run resumes without sending an
order twice.

One JSON object per line, appended before the step it records goes on (and flushed to disk, ``fsync``, before
a batch is sent):

- the first line names the journal, the task and the source (a digest of the input), so that ``--resume``
  against another task or another file is refused;
- ``{"batch": N, "rows": [A, B], "ids": "sha256:..."}`` is written *before* batch N is sent: it holds the
  orders at positions A to B-1 of the input (0-based, in input order) and the digest of their orderIDs, so
  that a resume with other orders at those positions is refused. A batch that is not a run of consecutive
  orders (a resumed run's leftovers) names its orders instead: ``{"batch": N, "orders": [orderID, ...]}``.
  Its orders may or may not have reached the service until its outcome is recorded: on resume they are
  looked up (reconciled) before anything is sent again;
- ``{"done": N, "status": S, "message": M}`` records the outcome of the batch's orders that no line since
  its batch line settled one by one;
- one order at a time, only where the outcome was in doubt (a lost answer looked up, an order the service
  refused): ``{"accepted": [...]}``, ``{"refused": [[orderID, message], ...]}``, ``{"failed": [...]}``,
  ``{"unknown": [...]}`` (and ``{"sending": [...]}``, which version 1 wrote per batch).

accepted and refused are final; failed (the service said it did nothing, e.g. "system busy") is sent again on
resume; unknown (the answer was lost and the lookup failed) is looked up again on resume. The latest line about
an order wins. Only order IDs, digests and the service's messages are written: never a credential. A last line
cut short by a crash is ignored (it was not complete, so its step had not started). Journals of version 1
(one line per batch listing every orderID) are read too.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Self

__all__ = ["JournalError", "OrderJournal", "OrderState"]

JOURNAL_FORMAT: Final = "callbot-orders-journal"
JOURNAL_VERSION: Final = 2
#: The versions this module reads: 1 (an order list per batch) and 2 (batches named by their rows).
READ_VERSIONS: Final = (1, 2)

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


class OrderJournal:
    """Append-only record of a bulk import of orders into one task (see the module's description).

    ``OrderJournal.create(path, task=..., source=...)`` starts a new journal (refused when ``path`` exists,
    so that a finished or interrupted run is never repeated by accident); ``OrderJournal.resume(path, ...)``
    reads an existing one and goes on appending to it. ``states`` maps each order ID that a line names (one
    by one: a journal of version 1, or an order whose outcome was in doubt) to its latest state and message;
    the batches named by their rows are resolved against the input by :func:`~nxcloud_callbot.add_orders`.
    Safe to use from several threads.
    """

    def __init__(
        self,
        path: Path,
        handle: Any,
        states: dict[str, tuple[OrderState, str]],
        records: Sequence[tuple[int, dict[str, Any]]] = (),
    ) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()
        self.states = states
        self._records = list(records)
        self.next_batch = 1 + max((r["batch"] for _, r in self._records if "batch" in r), default=0)

    @classmethod
    def create(cls, path: str | os.PathLike[str], *, task: str, source: str) -> Self:
        target = Path(path)
        try:
            handle = target.open("x", encoding="utf-8")
        except FileExistsError:
            raise JournalError(
                f"the journal {target} exists already: a run of this import was started before. Pass --resume "
                "(resume=True) to continue it without sending an order twice, or remove the file to start over."
            ) from None
        journal = cls(target, handle, {})
        journal._write({"journal": JOURNAL_FORMAT, "version": JOURNAL_VERSION, "task": task, "source": source})
        return journal

    @classmethod
    def resume(cls, path: str | os.PathLike[str], *, task: str, source: str) -> Self:
        target = Path(path)
        try:
            lines = target.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise JournalError(f"there is no journal {target} to resume: run without --resume first") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise JournalError(f"the journal {target} cannot be read: {exc}") from None
        records = _parse(lines, target)
        header = records[0] if records else {}
        if header.get("journal") != JOURNAL_FORMAT:
            raise JournalError(f"{target} is not a journal of `callbot orders add`")
        if header.get("version") not in READ_VERSIONS:
            raise JournalError(
                f"the journal {target} is of version {header.get('version')!r}, which this version of callbot "
                f"cannot read (it reads {', '.join(map(str, READ_VERSIONS))}): resume with the callbot that wrote it"
            )
        if header.get("task") != task:
            raise JournalError(f"the journal {target} is of task {header.get('task')!r}, not {task!r}")
        if header.get("source") != source:
            raise JournalError(
                f"the journal {target} was written for another input (the contacts file changed since?): resume "
                "with the same file, or start a new journal"
            )
        numbered = list(enumerate(records[1:], start=2))
        states = _states(numbered, target)
        handle = target.open("a", encoding="utf-8")
        return cls(target, handle, states, numbered)

    # --- writing -----------------------------------------------------------------------------------

    def sending(self, order_ids: Iterable[str]) -> None:
        """Record, durably, that these orders are about to be sent (one by one: see :meth:`send_batch`)."""
        ids = list(order_ids)
        self._write({"sending": ids}, {order_id: ("sending", "") for order_id in ids})

    def send_batch(self, number: int, order_ids: Sequence[str], first: int | None) -> None:
        """Record, durably, that batch ``number`` is about to be sent: the orders at positions ``first`` to
        ``first + len(order_ids) - 1`` of the input, or (``first`` None) these orders, named."""
        if first is None:
            record: dict[str, Any] = {"batch": number, "orders": list(order_ids)}
        else:
            record = {"batch": number, "rows": [first, first + len(order_ids)], "ids": ids_digest(order_ids)}
        self._write(record)

    def batch_done(
        self, number: int, status: Literal["accepted", "refused", "failed", "unknown"], message: str
    ) -> None:
        """Record the outcome of batch ``number``'s orders that no line since its batch line settled. Not
        synced to disk by itself: lost in a crash, the batch is looked up on resume, which is safe."""
        self._write({"done": number, "status": status, "message": message}, sync=False)

    def record(self, state: Literal["accepted", "refused", "failed", "unknown"], outcomes: Mapping[str, str]) -> None:
        """Record the outcome of these orders: ``{orderID: message}`` (the message may be empty)."""
        if not outcomes:
            return
        entry: list[Any] = (
            list(outcomes) if state == "accepted" else [[order_id, msg] for order_id, msg in outcomes.items()]
        )
        self._write({state: entry}, {order_id: (state, msg) for order_id, msg in outcomes.items()})

    def _write(
        self,
        record: dict[str, Any],
        updates: Mapping[str, tuple[OrderState, str]] | None = None,
        *,
        sync: bool = True,
    ) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
            if sync:
                os.fsync(self._handle.fileno())
            if updates:
                self.states.update(updates)

    def close(self) -> None:
        with self._lock:
            self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- reading against an input -------------------------------------------------------------------

    def replay(self, order_ids: Sequence[str]) -> Replay:
        """What the journal read by :meth:`resume` says of each of ``order_ids`` (the input, in order).
        JournalError when a batch line names other orders than the input holds at its rows."""
        replay = Replay(len(order_ids))
        named = {i for _, record in self._records for i in _named_ids(record)}
        position = {order_id: p for p, order_id in enumerate(order_ids) if order_id in named} if named else {}
        members: dict[int, range | list[int]] = {}
        for number, record in self._records:
            if "batch" in record:
                batch = members[record["batch"]] = _batch_members(record, order_ids, position, self.path, number)
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


def _parse(lines: list[str], path: Path) -> list[dict[str, Any]]:
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


def _states(records: list[tuple[int, dict[str, Any]]], path: Path) -> dict[str, tuple[OrderState, str]]:
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
