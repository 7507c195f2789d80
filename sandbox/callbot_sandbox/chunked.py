"""Work a chunk at a time, so that one request never holds the event loop for long: the rows of a page,
a scan of a task's rows, a change to many orders.

Each is a generator that yields between chunks of ``CHUNK`` items; the server (app.py) lets the loop serve
other requests at each yield, holding the state lock only while a chunk runs. Work of at most one chunk is
done at once, without a generator.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any

from .answers import Payload, Result
from .state import Task

#: Rows looked at (or orders changed) between two yields.
CHUNK = 5_000


def build_rows(items: Sequence[Any], row: Callable[[Any], Payload]) -> Generator[None, None, list[Payload]]:
    """The answer rows of ``items``, a chunk at a time."""
    rows: list[Payload] = []
    for start in range(0, len(items), CHUNK):
        rows.extend(row(item) for item in items[start : start + CHUNK])
        if start + CHUNK < len(items):
            yield
    return rows


def page_answer(head: Payload, key: str, items: Sequence[Any], row: Callable[[Any], Payload]) -> Result:
    """``head`` plus ``key``: the rows of ``items``; at once for at most ``CHUNK`` rows, else as a generator
    that builds them a chunk at a time (a page size has no maximum in the spec)."""
    if len(items) <= CHUNK:
        return {**head, key: [row(item) for item in items]}

    def steps() -> Generator[None, None, Payload]:
        rows = yield from build_rows(items, row)
        return {**head, key: rows}

    return steps()


def scan(rows: Sequence[Any], wanted: Callable[[Any], bool]) -> Generator[None, None, list[Any]]:
    """The rows of ``rows`` (a snapshot) that are ``wanted``, a chunk at a time."""
    found: list[Any] = []
    for start in range(0, len(rows), CHUNK):
        found.extend(row for row in rows[start : start + CHUNK] if wanted(row))
        if start + CHUNK < len(rows):
            yield
    return found


def in_chunks(
    task: Task, items: Iterable[str], work: Callable[[list[str]], None], then: Callable[[], Payload]
) -> Result:
    """``work`` over ``items`` (taken off the task's dial queue) a chunk at a time, then the answer ``then``
    gives: at once when there is at most one chunk, else as a generator that yields between chunks (its
    first chunk done before this returns), the task marked busy until the end. Closed early (its request
    cancelled), the generator does the rest at once: a change is never left half made. A chunk that raises
    (a bug) puts what it did not do back on the dial queue."""
    todo = list(items)
    if len(todo) <= CHUNK:
        work(todo)
        return then()

    def steps() -> Generator[None, None, Payload]:
        done = 0
        try:
            while done < len(todo):
                work(todo[done : done + CHUNK])
                done += CHUNK
                yield
            return then()
        except GeneratorExit:
            work(todo[done:])
            then()
            raise
        except Exception:
            task.queue.extendleft(reversed(todo[done:]))
            raise
        finally:
            task.busy = False

    task.busy = True
    chunked = steps()
    next(chunked)
    return chunked


class Prefix(Sequence[Any]):
    """The first ``length`` items of a list that only grows (slicing copies only the slice): a snapshot of
    a task's calls that a scan can take a chunk at a time while calls are added."""

    def __init__(self, items: list[Any], length: int) -> None:
        self._items, self._length = items, length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            return self._items[start:stop:step]
        return self._items[index]
