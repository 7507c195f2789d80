"""WebhookReceiver: the platform's callbacks verified, routed to your handlers, and each handled exactly once.

``receiver.asgi_app()`` (Starlette, FastAPI, uvicorn, any ASGI server) and ``receiver.wsgi_app()`` (Flask,
Django, gunicorn, any WSGI server) answer each delivery:

- 400 naming the rule when it is refused: an account the receiver does not serve (``unknown_account``), a
  signature rule (``sign_mismatch``, ``clock_skew``, ...: see :func:`parse_webhook`), a body that is not a
  callback (``payload``);
- 200 once its handler has returned (even if the store then failed to mark it done: a retry would run it
  again), and 200 without running the handler again for a delivery handled before (the platform's retry);
- 500 when the handler raised: the delivery is released, not remembered, so the platform's retry runs it;
- 503 when the store is unreachable or full (nothing is handled: fail closed), or when the same delivery is
  still being handled elsewhere after ``busy_wait`` seconds: the platform retries;
- 408 (ASGI) when the body has not all arrived within ``body_timeout`` seconds.

Exactly once: a verified delivery is *claimed* in the store (:class:`ClaimingReplayStore`) before its
handler runs, marked done when the handler returns, released when it raises. A claim lasts ``lease``
seconds: a receiver killed mid-handler loses it then, and the retry is handled. Make ``lease`` longer than
your slowest handler (a handler still running when its lease ends may be run a second time). With
receivers on several processes or hosts, give them one :class:`RedisReplayStore`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from functools import partial
from typing import Any, Final, Literal, TypeVar, overload

import anyio.to_thread
from callbot_client.models import CallCallback, OrderCallback, TaskCallback

from ._constants import (
    DEFAULT_MAX_CLOCK_SKEW,
    DEFAULT_MAX_WEBHOOK_BYTES,
)
from ._delivery import AccountKey, Answer, Delivery, Pairs, accounts_from_env, checked_accounts, header
from ._errors import SignatureError
from ._replay import MAX_REPLAY_WINDOW, Claim, ClaimingReplayStore, MemoryReplayStore, ReplayGuardFullError
from ._settings import check_count, check_seconds
from ._webhooks import InvalidWebhookError, WebhookKind, parse_webhook

logger = logging.getLogger("callbot.webhooks")
_CallH = TypeVar("_CallH", bound=Callable[[Delivery[CallCallback]], object])
_OrderH = TypeVar("_OrderH", bound=Callable[[Delivery[OrderCallback]], object])
_TaskH = TypeVar("_TaskH", bound=Callable[[Delivery[TaskCallback]], object])

#: Seconds a claim lasts by default: longer than a handler should take.
DEFAULT_LEASE: Final = 30.0
#: Seconds a duplicate waits by default for the receiver handling the same delivery before it gets 503.
DEFAULT_BUSY_WAIT: Final = 1.0
#: Seconds the ASGI app waits by default for a request's whole body (a sender trickling it gets 408).
DEFAULT_BODY_TIMEOUT: Final = 10.0
_POLL: Final = 0.05
_KINDS: Final[dict[type, WebhookKind]] = {CallCallback: "call", OrderCallback: "order", TaskCallback: "task"}
_REASONS: Final = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 408: "Request Timeout",
                   500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip

#: The ASGI 3 application type (Starlette's ``ASGIApp``).
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WebhookReceiver:
    """Serves the platform's callbacks for one or more accounts (see the module for its answers).

    ``accounts`` maps each uuid served to its secret key, or to ``(secret_key, algorithm)`` (the account's
    console setting, ``"MD5"`` by default); without it, the account of ``CALLBOT_UUID``,
    ``CALLBOT_SECRET_KEY`` and ``CALLBOT_ALGORITHM``. Deliveries are routed by their ``uuid`` header.
    ``store`` is a :class:`ClaimingReplayStore` (default: a :class:`MemoryReplayStore`, for one process;
    a :class:`RedisReplayStore` for several). Register one handler per kind, a function or a coroutine
    function, with ``@receiver.on("call")``, ``"order"`` or ``"task"``; it gets a :class:`Delivery`.
    ``asgi_app()`` reads a body for at most ``body_timeout`` seconds (then 408); under WSGI the server bounds it.
    """

    def __init__(
        self,
        accounts: Mapping[str, AccountKey] | None = None,
        *,
        store: ClaimingReplayStore | None = None,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        max_body_bytes: int = DEFAULT_MAX_WEBHOOK_BYTES,
        lease: float = DEFAULT_LEASE,
        busy_wait: float = DEFAULT_BUSY_WAIT,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        self._accounts = checked_accounts(accounts_from_env() if accounts is None else accounts)
        if store is None:
            store = MemoryReplayStore()
        elif not any(all(callable(getattr(store, prefix + step, None)) for step in ("claim", "done", "release"))
                     for prefix in ("", "a")):  # fmt: skip
            raise TypeError(f"store must be a ClaimingReplayStore (claim, done, release), got {type(store).__name__}")
        self.store = store
        self.max_clock_skew = check_seconds("max_clock_skew", max_clock_skew, maximum=MAX_REPLAY_WINDOW)
        self.max_body_bytes = check_count("max_body_bytes", max_body_bytes)
        self.lease = check_seconds("lease", lease)
        self.busy_wait = check_seconds("busy_wait", busy_wait, allow_zero=True, maximum=60)
        self.body_timeout = check_seconds("body_timeout", body_timeout)
        self._handlers: dict[str, Callable[[Delivery[Any]], object]] = {}

    @property
    def accounts(self) -> list[str]:
        """The uuids served."""
        return list(self._accounts)

    @overload
    def on(self, kind: Literal["call"]) -> Callable[[_CallH], _CallH]: ...
    @overload
    def on(self, kind: Literal["order"]) -> Callable[[_OrderH], _OrderH]: ...
    @overload
    def on(self, kind: Literal["task"]) -> Callable[[_TaskH], _TaskH]: ...

    def on(self, kind: WebhookKind) -> Callable[[Any], Any]:
        """Register the handler of ``kind`` (one per kind): ``@receiver.on("order")``."""
        if kind not in ("call", "order", "task"):
            raise ValueError(f"unknown webhook kind {kind!r}: use 'call', 'order' or 'task'")

        def register(handler: Callable[[Delivery[Any]], object]) -> Callable[[Delivery[Any]], object]:
            if kind in self._handlers:
                raise ValueError(f"a handler for {kind!r} is registered already: one handler per kind")
            self._handlers[kind] = handler
            return handler

        return register

    # -- verification: the same for both servers -----------------------------------------------------------

    def verify(self, headers: Pairs, body: bytes, path: str = "/", now: float | None = None) -> Delivery[Any] | Answer:
        """The delivery of a request, or the 400 answer saying which rule refused it."""
        uuid = header(headers, "uuid")
        if not uuid:
            return Answer(400, "refused (missing_header): the delivery has no uuid header")
        account = self._accounts.get(uuid)
        if account is None:
            return Answer(400, f"refused (unknown_account): this receiver does not serve account {uuid[:64]!r}")
        segment = path.rstrip("/").rsplit("/", 1)[-1]
        kind: WebhookKind | None = segment if segment in ("call", "order", "task") else None  # type: ignore[assignment]
        try:
            event = parse_webhook(
                headers,
                body,
                uuid=uuid,
                secret_key=account[0],
                algorithm=account[1],
                max_clock_skew=self.max_clock_skew,
                kind=kind,
                now=now,
                max_body_bytes=self.max_body_bytes,
            )
        except SignatureError as exc:
            return Answer(400, f"refused ({exc.rule}): {exc}")
        except InvalidWebhookError as exc:
            return Answer(400, f"refused (payload): {exc}")
        request_id, create_ts = header(headers, "requestid") or "", header(headers, "createts") or "0"
        return Delivery(_KINDS[type(event)], uuid, request_id, int(create_ts), event)

    def _prepare(
        self, headers: Pairs, body: bytes, path: str
    ) -> tuple[Delivery[Any], Callable[[Delivery[Any]], object]] | Answer:
        """The verified delivery and its handler, or the answer (a refusal, or 200 when no handler is set)."""
        delivery = self.verify(headers, body, path)
        if isinstance(delivery, Answer):
            return delivery
        handler = self._handlers.get(delivery.kind)
        if handler is None:
            logger.warning("no handler for %s callbacks: %r acknowledged unhandled", delivery.kind, delivery.request_id)
            return Answer(200, f"no handler for {delivery.kind} callbacks")
        return delivery, handler

    def _busy_deadline(self, delivery: Delivery[Any]) -> float:
        """Until when (monotonic) a duplicate waits for the delivery's claim: ``busy_wait``, but never past
        the end of its window, where the store may forget the delivery and the wait would end in a claim (no
        claim is tried at or after it)."""
        left = delivery.create_ts + self.max_clock_skew - time.time()
        return time.monotonic() + max(0.0, min(self.busy_wait, left))

    def _after_claim(self, claim: Claim) -> Answer | None:
        if claim.status == "done":
            return Answer(200, "already handled")
        if claim.status == "busy":
            return Answer(503, f"busy: delivery {claim.request_id!r} is being handled by another receiver; retry")
        return None

    @staticmethod
    def _store_failed(exc: Exception) -> Answer:
        if isinstance(exc, ReplayGuardFullError):
            return Answer(503, f"store full: {exc}")
        logger.error("webhook store failed (%s: %s): answered 503, nothing handled", type(exc).__name__, exc)
        return Answer(503, f"store unavailable ({type(exc).__name__}): nothing was handled; retry")

    @staticmethod
    def _done_failed(delivery: Delivery[Any], exc: Exception) -> Answer:
        """The handler ran, but its done mark was not stored: 200 all the same, since a 503 would have the
        platform retry, and the retry run the handler again once the claim's lease ended."""
        logger.error("webhook store failed after the handler for %s %r ran (%s: %s): answered 200; a duplicate "
                     "arriving after the lease may run it again", delivery.kind, delivery.request_id,
                     type(exc).__name__, exc)  # fmt: skip
        return Answer(200, "handled (the done mark could not be stored)")

    @staticmethod
    def _handler_failed(delivery: Delivery[Any]) -> Answer:
        logger.exception("webhook handler for %s %r raised: answered 500", delivery.kind, delivery.request_id)
        return Answer(500, "the handler failed: the delivery was not handled; retry")

    # -- sync (WSGI) ------------------------------------------------------------------------------------

    def handle(self, headers: Pairs, body: bytes, path: str = "/") -> Answer:
        """Verify, claim, run the handler, mark done; the answer. What ``wsgi_app()`` calls per request."""
        prepared = self._prepare(headers, body, path)
        if isinstance(prepared, Answer):
            return prepared
        delivery, handler = prepared
        store: Any = self.store
        expires_at = delivery.create_ts + self.max_clock_skew
        claim_once = partial(store.claim, delivery.account, delivery.request_id, expires_at=expires_at)
        deadline = self._busy_deadline(delivery)
        try:
            claim = claim_once(now=time.time(), lease=self.lease)
            while claim.status == "busy" and time.monotonic() + _POLL < deadline:
                time.sleep(_POLL)
                claim = claim_once(now=time.time(), lease=self.lease)
        except Exception as exc:
            return self._store_failed(exc)
        early = self._after_claim(claim)
        if early is not None:
            return early
        try:
            result = handler(delivery)
            if inspect.isawaitable(result):
                asyncio.run(_awaited(result))
        except Exception:
            try:
                store.release(claim)
            except Exception as exc:  # its lease ends it
                logger.error("could not release the claim of %r: %s", delivery.request_id, exc)
            return self._handler_failed(delivery)
        try:
            store.done(claim)
        except Exception as exc:
            return self._done_failed(delivery, exc)
        return Answer(200, "handled")

    def wsgi_app(self) -> WSGIApp:
        """The receiver as a WSGI application (Flask, Django, gunicorn, wsgiref ...)."""
        if getattr(self.store, "is_async", False):
            raise TypeError("wsgi_app() needs a store with a sync client (redis.Redis), not redis.asyncio.Redis")

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            answer = self._wsgi_answer(environ)
            start_response(f"{answer.status} {_REASONS[answer.status]}", answer.headers())
            return [answer.body]

        return app

    def _wsgi_answer(self, environ: dict[str, Any]) -> Answer:
        if environ.get("REQUEST_METHOD") != "POST":
            return Answer(405, "callbacks are POSTed")
        too_large = Answer(400, f"refused (payload): the body is larger than max_body_bytes={self.max_body_bytes:,}")
        if not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            # chunked, under a server that ends wsgi.input with the body (gunicorn, uWSGI ...): read to its end,
            # at most max_body_bytes + 1 bytes in all
            read = bytearray()
            while len(read) <= self.max_body_bytes:
                part = environ["wsgi.input"].read(self.max_body_bytes + 1 - len(read))
                if not part:
                    break
                read += part
            if len(read) > self.max_body_bytes:
                return too_large
            return self.handle(_environ_headers(environ), bytes(read), environ.get("PATH_INFO") or "/")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return Answer(400, "refused (payload): Content-Length is not a number")
        if length > self.max_body_bytes:
            return too_large
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        return self.handle(_environ_headers(environ), body, environ.get("PATH_INFO") or "/")

    # -- async (ASGI) -----------------------------------------------------------------------------------

    async def _store_call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        store: Any = self.store
        if getattr(store, "is_async", False) or not callable(getattr(store, name, None)):
            return await getattr(store, f"a{name}")(*args, **kwargs)
        if isinstance(store, MemoryReplayStore):  # never blocks: no thread needed
            return getattr(store, name)(*args, **kwargs)
        return await anyio.to_thread.run_sync(partial(getattr(store, name), *args, **kwargs))

    async def handle_async(self, headers: Pairs, body: bytes, path: str = "/") -> Answer:
        """:meth:`handle` for an event loop: what ``asgi_app()`` awaits per request. A sync handler runs in a
        worker thread, a coroutine function on the loop."""
        prepared = self._prepare(headers, body, path)
        if isinstance(prepared, Answer):
            return prepared
        delivery, handler = prepared
        where = (delivery.account, delivery.request_id)
        deadline = self._busy_deadline(delivery)
        try:
            for _ in range(int(self.busy_wait / _POLL) + 2):
                claim: Claim = await self._store_call(
                    "claim",
                    *where,
                    expires_at=delivery.create_ts + self.max_clock_skew,
                    now=time.time(),
                    lease=self.lease,
                )
                if claim.status != "busy" or time.monotonic() + _POLL >= deadline:
                    break
                await anyio.sleep(_POLL)
        except Exception as exc:
            return self._store_failed(exc)
        early = self._after_claim(claim)
        if early is not None:
            return early
        try:
            if inspect.iscoroutinefunction(handler):
                await handler(delivery)
            else:
                result = await anyio.to_thread.run_sync(handler, delivery)
                if inspect.isawaitable(result):
                    await result
        except Exception:
            try:
                await self._store_call("release", claim)
            except Exception as exc:
                logger.error("could not release the claim of %r: %s", delivery.request_id, exc)
            return self._handler_failed(delivery)
        try:
            await self._store_call("done", claim)
        except Exception as exc:
            return self._done_failed(delivery, exc)
        return Answer(200, "handled")

    def asgi_app(self) -> ASGIApp:
        """The receiver as an ASGI application (Starlette's Mount, FastAPI's mount, uvicorn ...)."""

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                await _lifespan(receive, send)
                return
            if scope["type"] != "http":
                return
            answer = await self._asgi_answer(scope, receive)
            if answer is None:  # the sender is gone: nothing to send (send() may raise on a closed connection)
                return
            headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers()]
            await send({"type": "http.response.start", "status": answer.status, "headers": headers})
            await send({"type": "http.response.body", "body": answer.body})

        return app

    async def _asgi_answer(self, scope: Scope, receive: Receive) -> Answer | None:
        if scope.get("method") != "POST":
            return Answer(405, "callbacks are POSTed")
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        declared = header(headers, "content-length")
        too_large = Answer(400, f"refused (payload): the body is larger than max_body_bytes={self.max_body_bytes:,}")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return too_large
        body = bytearray()  # one buffer: a body trickled in tiny chunks costs its bytes, not an object per chunk
        with anyio.move_on_after(self.body_timeout) as reading:  # bounded in time, and in size by max_body_bytes
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return None
                body += message.get("body", b"")
                if len(body) > self.max_body_bytes:
                    return too_large
                if not message.get("more_body", False):
                    break
        if reading.cancelled_caught:
            return Answer(
                408, f"refused (payload): the body did not arrive within body_timeout={self.body_timeout:g} s"
            )
        return await self.handle_async(headers, bytes(body), scope.get("path") or "/")  # the handler: no deadline


def _environ_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key[5:].replace("_", "-").lower(), value) for key, value in environ.items() if key[:5] == "HTTP_"]


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def _lifespan(receive: Receive, send: Send) -> None:
    for _ in range(2):
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
