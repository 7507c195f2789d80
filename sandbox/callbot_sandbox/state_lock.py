"""How a sandbox's state is shared between the event loops that serve it and the threads that drive it.

The state (state.py, the dialer's queues, the callbacks they queue) is changed by request handlers, which
run on an event loop (uvicorn's, a test's ``asyncio.run``, a TestClient's portal), and by threads:
``Sandbox.advance`` (a test, or the thread the advance endpoint runs it in), ``Sandbox.tick`` (the
heartbeat). One :class:`StateLock` guards all of it:

- it is held only for a stretch of synchronous work (an operation, one chunk of a long one, a slice of the
  dialer), never across an ``await``; so coroutines of one loop never wait for each other, only for a thread;
- a thread takes it with ``with lock:`` and blocks until it is free;
- a coroutine takes it with ``async with lock:`` (or :meth:`StateLock.acquire_async`): while it is held,
  the coroutine waits on a future of its own loop that the release resolves, so the loop serves other
  requests meanwhile, and nothing polls.

An ``asyncio.Lock`` belongs to one event loop and cannot be taken by a thread; this lock can be taken from
any loop and any thread. :class:`Turns` bounds how many long operations advance at once, the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType


class _Wakeups:
    """Futures of coroutines waiting for a change that another coroutine or thread makes, on any loop."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        #: The waiting futures (read without the mutex only to see whether there are any).
        self.futures: list[asyncio.Future[None]] = []

    def add(self) -> asyncio.Future[None]:
        """A future of the running loop that the next :meth:`wake_all` resolves."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._mutex:
            self.futures.append(future)
        return future

    def discard(self, future: asyncio.Future[None]) -> None:
        with self._mutex:
            if future in self.futures:
                self.futures.remove(future)

    def wake_all(self) -> None:
        """Resolve every waiting future, each on its own loop (from any thread)."""
        with self._mutex:
            futures, self.futures = self.futures, []
        for future in futures:
            with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits on it any more
                future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():  # a waiter that was cancelled meanwhile
        future.set_result(None)


class StateLock:
    """The one lock over a sandbox's state, for threads (``with``) and coroutines of any loop (``async with``).

    Never held across an ``await`` (see the module docstring). A thread may take it on a loop's thread too
    (``Sandbox.advance()`` called from a coroutine): it then waits only for another thread's hold."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting = _Wakeups()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Take the lock from a thread (as ``threading.Lock.acquire``)."""
        return self._lock.acquire(blocking, timeout)

    async def acquire_async(self) -> None:
        """Take the lock from a coroutine: while it is held, wait for its release without holding the loop."""
        while not self._lock.acquire(blocking=False):
            woken = self._waiting.add()
            if self._lock.acquire(blocking=False):  # released before the future was added: no wake-up comes
                self._waiting.discard(woken)
                return
            try:
                await woken
            finally:
                self._waiting.discard(woken)

    def release(self) -> None:
        self._lock.release()
        if self._waiting.futures:
            self._waiting.wake_all()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> StateLock:
        self._lock.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()

    async def __aenter__(self) -> StateLock:
        if not self._lock.acquire(blocking=False):
            await self.acquire_async()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.release()


class Turns:
    """At most ``limit`` holders at once, and at most ``per_owner`` of them for one owner (an account): a
    coroutine waits for a turn on a future that a :meth:`give_back` resolves, never polling; ``taken`` is how
    many are held. So one account's many long reads hold at most its own share, and another account's read
    finds a turn free. A holder without an owner (None) counts only against ``limit``."""

    def __init__(self, limit: int, per_owner: int | None = None) -> None:
        self.limit = limit
        self.per_owner = limit if per_owner is None else per_owner
        self.taken = 0
        #: Turns held by owner (an owner holding none has no entry).
        self.by_owner: dict[str, int] = {}
        self._mutex = threading.Lock()
        self._waiting = _Wakeups()

    def try_take(self, owner: str | None = None) -> bool:
        with self._mutex:
            mine = 0 if owner is None else self.by_owner.get(owner, 0)
            if self.taken >= self.limit or mine >= self.per_owner:
                return False
            self.taken += 1
            if owner is not None:
                self.by_owner[owner] = mine + 1
            return True

    async def take(self, owner: str | None = None) -> None:
        while not self.try_take(owner):
            woken = self._waiting.add()
            if self.try_take(owner):  # given back before the future was added
                self._waiting.discard(woken)
                return
            try:
                await woken
            finally:
                self._waiting.discard(woken)

    def give_back(self, owner: str | None = None) -> None:
        with self._mutex:
            self.taken -= 1
            if owner is not None:
                left = self.by_owner.get(owner, 0) - 1
                if left > 0:
                    self.by_owner[owner] = left
                else:
                    self.by_owner.pop(owner, None)
        self._waiting.wake_all()
