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

import json
import os
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, Self

from ._journal_records import JournalError, OrderState, Replay, ids_digest, named_states, parse, replay

__all__ = ["JournalError", "OrderJournal", "OrderState"]

JOURNAL_FORMAT: Final = "callbot-orders-journal"
JOURNAL_VERSION: Final = 2
#: The versions this module reads: 1 (an order list per batch) and 2 (batches named by their rows).
READ_VERSIONS: Final = (1, 2)


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
        records = parse(lines, target)
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
        states = named_states(numbered, target)
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
        return replay(self._records, order_ids, self.path)
