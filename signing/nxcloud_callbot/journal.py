"""OrderJournal: a write-ahead log of a bulk import, so that an interrupted run resumes without sending an
order twice.

One JSON object per line, appended and flushed to disk (``fsync``) before the step it records goes on:

- the first line names the journal, the task and the source (a digest of the input), so that ``--resume``
  against another task or another file is refused;
- ``{"sending": [orderID, ...]}`` is written *before* a batch is sent: an order last seen here may or may
  not have reached the service, and is looked up (reconciled) before anything is sent again;
- ``{"accepted": [...]}``, ``{"refused": [[orderID, message], ...]}``, ``{"failed": [...]}`` and
  ``{"unknown": [...]}`` record the outcome: accepted and refused are final; failed (the service said it did
  nothing, e.g. "system busy") is sent again on resume; unknown (the answer was lost and the lookup failed)
  is looked up again on resume.

The latest line about an order wins. Only order IDs and the service's messages are written: never a
credential. A last line cut short by a crash is ignored (it was not complete, so its step had not started).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, Self

__all__ = ["JournalError", "OrderJournal", "OrderState"]

JOURNAL_FORMAT: Final = "callbot-orders-journal"
JOURNAL_VERSION: Final = 1

#: What a journal knows of an order: the latest line about it.
OrderState = Literal["sending", "accepted", "refused", "failed", "unknown"]
_WITH_MESSAGE: Final[dict[str, OrderState]] = {"refused": "refused", "failed": "failed", "unknown": "unknown"}


class JournalError(Exception):
    """A journal that cannot be used: it belongs to another task or input, is damaged, or already exists
    where a new one was asked for."""


class OrderJournal:
    """Append-only record of a bulk import of orders into one task (see the module's description).

    ``OrderJournal.create(path, task=..., source=...)`` starts a new journal (refused when ``path`` exists,
    so that a finished or interrupted run is never repeated by accident); ``OrderJournal.resume(path, ...)``
    reads an existing one and goes on appending to it. ``states`` maps each order ID to its latest state and
    message. Safe to use from several threads.
    """

    def __init__(self, path: Path, handle: Any, states: dict[str, tuple[OrderState, str]]) -> None:
        self.path = path
        self._handle = handle
        self._lock = threading.Lock()
        self.states = states

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
        if header.get("journal") != JOURNAL_FORMAT or header.get("version") != JOURNAL_VERSION:
            raise JournalError(f"{target} is not a journal of `callbot orders add` (version {JOURNAL_VERSION})")
        if header.get("task") != task:
            raise JournalError(f"the journal {target} is of task {header.get('task')!r}, not {task!r}")
        if header.get("source") != source:
            raise JournalError(
                f"the journal {target} was written for another input (the contacts file changed since?): resume "
                "with the same file, or start a new journal"
            )
        handle = target.open("a", encoding="utf-8")
        return cls(target, handle, _states(records[1:], target))

    # --- writing -----------------------------------------------------------------------------------

    def sending(self, order_ids: Iterable[str]) -> None:
        """Record, durably, that these orders are about to be sent."""
        ids = list(order_ids)
        self._write({"sending": ids}, {order_id: ("sending", "") for order_id in ids})

    def record(self, state: Literal["accepted", "refused", "failed", "unknown"], outcomes: Mapping[str, str]) -> None:
        """Record the outcome of these orders: ``{orderID: message}`` (the message may be empty)."""
        if not outcomes:
            return
        entry: list[Any] = (
            list(outcomes) if state == "accepted" else [[order_id, msg] for order_id, msg in outcomes.items()]
        )
        self._write({state: entry}, {order_id: (state, msg) for order_id, msg in outcomes.items()})

    def _write(self, record: dict[str, Any], updates: Mapping[str, tuple[OrderState, str]] | None = None) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            self._handle.write(line)
            self._handle.flush()
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


def _states(records: list[dict[str, Any]], path: Path) -> dict[str, tuple[OrderState, str]]:
    states: dict[str, tuple[OrderState, str]] = {}
    for number, record in enumerate(records, start=2):
        updates = _record_states(record)
        if updates is None:
            raise JournalError(f"the journal {path} is damaged at line {number}: an unknown record")
        states.update(updates)
    return states


def _record_states(record: dict[str, Any]) -> list[tuple[str, tuple[OrderState, str]]] | None:
    """The states one record sets, or None when it is not a record this module writes: one key, a list of
    orderIDs (sending, accepted) or of [orderID, message] pairs (refused, failed, unknown), all strings."""
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
