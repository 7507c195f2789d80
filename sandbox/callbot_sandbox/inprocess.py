"""httpx transports that call an ASGI app in process (no socket, no server): the testing kit's default way to
the sandbox, and to a user's ASGI receiver.

Unlike ``httpx.ASGITransport`` they behave like a network on the two points a client's error handling
depends on:

- the request's read timeout is honoured: an app that has not answered in time is cancelled and the call
  raises ``httpx.ReadTimeout``;
- an app that raises, or returns without a complete answer (the sandbox's dropped answer, a receiver that
  crashed half-way), is a lost connection: ``httpx.RemoteProtocolError``, whatever it had sent before.

:class:`AsyncInProcessTransport` runs the app on the caller's event loop. :class:`InProcessTransport` (sync)
runs it on an event loop in the calling thread (:class:`ThreadLoops`, or :class:`CallerLoop` for a user's
app), and, called inside a coroutine, on a loop in a daemon thread (:class:`LoopThread`), so that a sync
client works anywhere.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

import httpx
from starlette.types import ASGIApp, Message

T = TypeVar("T")


class LoopThread:
    """An event loop running in a daemon thread, started on first use; ``run`` waits for a coroutine on it."""

    def __init__(self, name: str = "callbot-inprocess") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name=self._name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T:
        """The result of ``coroutine`` run on the loop; TimeoutError (the coroutine cancelled) after
        ``timeout`` seconds (None: no bound). Called on the loop's own thread it would wait for itself: a
        RuntimeError says so instead."""
        loop = self.loop()
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError(
                "a sync in-process call was made from the testing kit's own event loop (a sync client used in an "
                "async receiver handler?): use the async client there"
            )
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def stop(self) -> None:
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()


#: Where a sync call made inside a coroutine (its thread already runs a loop) is run: one thread for the process.
SHARED_LOOP = LoopThread()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class ThreadLoops:
    """Runs a coroutine on an event loop of the calling thread (one per thread, kept for its next call): no
    other thread is woken, which on a busy machine is most of the cost of an in-process call. A thread that
    already runs a loop (a sync client called inside a coroutine) has it run on :data:`SHARED_LOOP`."""

    def __init__(self) -> None:
        self._local = threading.local()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T:
        if _loop_running():
            return SHARED_LOOP.run(coroutine, timeout)
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(asyncio.wait_for(coroutine, timeout))


#: The loops of the sandbox's sync in-process transports: one per thread for the process.
THREAD_LOOPS = ThreadLoops()


class CallerLoop:
    """One event loop, run in whichever thread calls, one call at a time: for an app of the user's (a
    receiver), which may hold objects bound to the loop it first ran on (an ``asyncio.Lock``). A thread that
    already runs a loop has the coroutine run on :data:`SHARED_LOOP`. ``close()`` when done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T:
        if _loop_running():
            return SHARED_LOOP.run(coroutine, timeout)
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(asyncio.wait_for(coroutine, timeout))

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.close()


class Runner(Protocol):
    """Where a sync transport runs the app: :class:`ThreadLoops`, :class:`CallerLoop` or :class:`LoopThread`."""

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None) -> T: ...


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return None if value is None else float(value)


def asgi_scope(method: str, url: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """The ASGI scope of an HTTP request to ``url`` with ``headers`` (raw pairs, names in any case)."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 80)
    path = parts.path or "/"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": parts.scheme,
        "path": unquote(path),
        "raw_path": path.encode("ascii", "replace"),
        "query_string": parts.query.encode("ascii", "replace"),
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": (parts.hostname or "", port),
    }


async def answer_of(
    app: ASGIApp, scope: dict[str, Any], body: bytes, request: httpx.Request | None = None
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One request through ``app``: its status, headers and body; RemoteProtocolError unless it answers
    completely (``request``: the one the error names, if any)."""
    sent = [False]
    answer: dict[str, Any] = {"status": None, "headers": [], "parts": [], "complete": False}
    finished = asyncio.Event()

    async def receive() -> Message:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # the request is complete: the next message is the client going away
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message.get("headers", [])
        elif message["type"] == "http.response.body" and answer["status"] is not None:
            answer["parts"].append(message.get("body", b""))
            if not message.get("more_body", False):
                answer["complete"] = True
                finished.set()

    try:
        await app(scope, receive, send)
    except Exception as exc:  # the sandbox's AnswerDropped, a receiver that crashed: the connection is gone
        raise httpx.RemoteProtocolError(
            f"the server closed the connection without a complete answer ({type(exc).__name__})", request=request
        ) from exc
    finally:
        finished.set()
    if not answer["complete"]:
        raise httpx.RemoteProtocolError("the server closed the connection without a complete answer", request=request)
    return answer["status"], answer["headers"], b"".join(answer["parts"])


async def exchange(app: ASGIApp, request: httpx.Request, body: bytes) -> httpx.Response:
    """One httpx request through ``app``; RemoteProtocolError unless it answers completely."""
    scope = asgi_scope(request.method, str(request.url), request.headers.raw)
    status, headers, content = await answer_of(app, scope, body, request)
    return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content))


class InProcessTransport(httpx.BaseTransport):
    """A sync httpx transport into an ASGI app, run by ``runner`` (default: :data:`THREAD_LOOPS`, an event loop
    of the calling thread)."""

    def __init__(self, app: ASGIApp, *, runner: Runner | None = None) -> None:
        self.app = app
        self._runner: Runner = runner or THREAD_LOOPS

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        timeout = _read_timeout(request)
        try:
            return self._runner.run(exchange(self.app, request, body), timeout)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within the read timeout of {timeout} s", request=request) from None

    def close(self) -> None:  # nothing to close: a client closing it may use it again
        pass


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    """An async httpx transport into an ASGI app, run on the caller's event loop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        timeout = _read_timeout(request)
        try:
            return await asyncio.wait_for(exchange(self.app, request, body), timeout)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no answer within the read timeout of {timeout} s", request=request) from None

    async def aclose(self) -> None:
        pass
