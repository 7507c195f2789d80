"""The reference Callbot server: a Starlette app that checks signatures and answers like the service.

Like NXCloud, it answers HTTP 200 with a retCode (Ping: code): 6001 signature headers missing,
6002 unknown uuid, 6 wrong sign, 2 missing parameter, 3 wrong type, 4 bad value, 4001 too many array
elements. Every response is signed with the account's secret key over the uncompressed body, except when
the uuid is unknown (there is no key to sign with).
"""

from __future__ import annotations

import gzip
import json
import math
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from uuid import uuid4

from callbot_signing import SignatureError, sign
from callbot_signing.wire import (
    ALGORITHM_HEADER,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
    normalize_algorithm,
    verify_signed_message,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .accounts import Account
from .callbacks import CallbackSender
from .dialer import Dialer, DialerSettings, VirtualClock
from .operations import Operations, Payload, envelope
from .spec import BAD_VALUE, WRONG_TYPE, RequestRejected, check_body
from .state import Call, Order, OrderState, SandboxState, Task

SIGNATURE_WRONG = 6
SIGNATURE_MISSING = 6001
ACCOUNT_UNKNOWN = 6002
PREFIX = "/callcentre/api/v3/"
#: Operations whose page allows a gzip-compressed request body (Content-Encoding: gzip).
GZIP_REQUESTS = frozenset({"importBatchCall"})

# operationId (the last path segment) -> Operations method
HANDLERS = {
    "ping": "ping",
    "createTask": "create_task",
    "addBatchCall": "add_batch_call",
    "createAndCall": "create_and_call",
    "mgrTaskStatus": "mgr_task_status",
    "updateTask": "update_task",
    "listTask": "list_task",
    "listCall": "list_call",
    "listOrder": "list_order",
    "stopOrder": "stop_order",
    "listOrderDetail": "list_order_detail",
    "exportBatchCall": "export_batch_call",
    "importBatchCall": "import_batch_call",
}


def error_body(operation: str, code: int, msg: str) -> Payload:
    """A failed call's body: the envelope, plus empty values for what the operation's schema requires."""
    if operation == "ping":
        return {"data": "", "timestamp": int(time.time()), "code": code, "msg": msg, "reqId": uuid4().hex}
    if operation == "stopOrder":
        return {**envelope(code, msg), "totalCount": 0, "successCount": 0, "errList": []}
    return envelope(code, msg)


class Sandbox:
    """The sandbox's accounts, state and clocks, its dialer and callbacks, and its ASGI app.

    ``clock`` is the wall clock of signatures (createTs). Simulation time (task creation, calls) is
    ``virtual_clock`` when given, advanced only by :meth:`advance`; otherwise real time, and the dialer
    catches up before every request and on :meth:`tick`.
    """

    def __init__(
        self,
        accounts: Iterable[Account],
        *,
        state: SandboxState | None = None,
        clock: Callable[[], float] = time.time,
        virtual_clock: VirtualClock | None = None,
        seed: int = 0,
        dialer_settings: DialerSettings | None = None,
        max_clock_skew: float | None = 300,
        allow_external_callbacks: bool = False,
    ) -> None:
        self.accounts = {account.uuid: account for account in accounts}
        self.state = state if state is not None else SandboxState()
        self.clock = clock
        self.virtual_clock = virtual_clock
        self.sim_clock: Callable[[], float] = virtual_clock if virtual_clock is not None else clock
        #: Requests whose createTs is further than this from the sandbox clock get retCode 6 (None: off).
        #: The wiki sets no window; this is the sandbox's own choice.
        self.max_clock_skew = max_clock_skew
        self.operations = Operations(self.state, self.sim_clock)
        self.dialer = Dialer(self.state, self._on_call, seed=seed, settings=dialer_settings)
        self.callbacks = CallbackSender(allow_external=allow_external_callbacks)
        self.lock = threading.RLock()

    # --- simulation and callbacks --------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the virtual clock on, dial what is due, and deliver the callbacks that result."""
        if self.virtual_clock is None:
            raise RuntimeError("advance() needs a sandbox made with a virtual_clock")
        with self.lock:
            self.virtual_clock.advance(seconds)
            self._catch_up()
        self.callbacks.flush()

    def tick(self) -> None:
        """Real-time mode's heartbeat: dial what is due and deliver pending callbacks."""
        with self.lock:
            self._catch_up()
        self.callbacks.flush()

    def _catch_up(self) -> None:
        self.dialer.run_until(self.sim_clock())
        self._announce_status_changes()

    def _owner(self, task: Task) -> Account | None:
        return self.accounts.get(task.owner)

    def _on_call(self, task: Task, order: Order, call: Call) -> None:
        account = self._owner(task)
        if account is None:
            return
        info = self.state.order_info(order)
        self.callbacks.enqueue(
            account, "call", order.call_callback_url, {"callbackType": 1, **info, "callInfoDetail": call.detail()}
        )
        if order.state is OrderState.FINISHED:
            self.callbacks.enqueue(
                account,
                "order",
                order.order_callback_url or task.order_callback_url,
                {"callbackType": "1", **info, "callInfoDetail": call.detail()},
            )

    def _announce_status_changes(self) -> None:
        changed, self.state.status_changes = self.state.status_changes, []
        for task, status in changed:
            account = self._owner(task)
            if account is not None:
                payload = {
                    "callbackType": 1,
                    "userTaskID": task.user_task_id,
                    "taskID": task.task_id,
                    "sceneID": task.scene_id,
                    "taskStatus": int(status),
                    "createTs": task.created_ts,
                    "taskStat": self.state.task_stat(task),
                }
                self.callbacks.enqueue(account, "task", task.task_callback_url, payload)

    # --- signatures --------------------------------------------------------------------------------

    def check_signature(self, headers: Headers, raw_body: bytes) -> tuple[Account, str]:
        """Return the caller's account and the algorithm it signed with, or raise RequestRejected.

        The checks are the client's own (verify_signed_message), mapped to the service's retCodes:
        6001 a signature header is missing, 6002 the uuid is unknown, 6 anything else.
        """
        account = self.accounts.get(headers.get(UUID_HEADER) or "")
        try:
            verify_signed_message(
                headers,
                raw_body,
                uuid=account.uuid if account else headers.get(UUID_HEADER, ""),
                secret_key=account.secret_key if account else "",
                algorithm=account.algorithm if account else DEFAULT_ALGORITHM,
                max_clock_skew=math.inf if self.max_clock_skew is None else self.max_clock_skew,
                now=self.clock(),
                expected_request_id=None,
                what="request",
            )
        except SignatureError as exc:
            if exc.rule == "missing_header":
                raise RequestRejected(SIGNATURE_MISSING, f"missing signature: {exc}") from None
            if account is not None:
                raise RequestRejected(SIGNATURE_WRONG, f"incorrect signature: {exc}") from None
        if account is None:
            raise RequestRejected(ACCOUNT_UNKNOWN, "account does not exist")
        return account, normalize_algorithm(headers.get(ALGORITHM_HEADER) or account.algorithm)

    def signed_response(
        self, payload: Payload, headers: Headers, account: Account | None, algorithm: str | None
    ) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request_id = headers.get(REQUEST_ID_HEADER) or uuid4().hex
        uuid = headers.get(UUID_HEADER) or ""
        out = {REQUEST_ID_HEADER: request_id, UUID_HEADER: uuid, CREATE_TS_HEADER: str(int(self.clock()))}
        if account is not None:
            used = algorithm or account.algorithm
            out[ALGORITHM_HEADER] = used
            out[SIGN_HEADER] = sign(account.secret_key, body, out[CREATE_TS_HEADER], request_id, uuid, used)
        return Response(body, status_code=200, media_type="application/json", headers=out)

    # --- HTTP --------------------------------------------------------------------------------------

    def endpoint(self, operation: str) -> Callable[[Request], Awaitable[Response]]:
        path = PREFIX + operation
        handle: Callable[[Payload, Account], Payload] = getattr(self.operations, HANDLERS[operation])

        async def serve(request: Request) -> Response:
            raw_body = await request.body()
            account = self.accounts.get(request.headers.get(UUID_HEADER, ""))
            algorithm: str | None = None
            try:
                account, algorithm = self.check_signature(request.headers, raw_body)
                body = _json_object(request.headers, raw_body, accepts_gzip=operation in GZIP_REQUESTS)
                check_body(path, body)
                with self.lock:
                    if self.virtual_clock is None:
                        self.dialer.run_until(self.sim_clock())
                    payload = handle(body, account)
                    self._announce_status_changes()
            except RequestRejected as rejected:
                payload = error_body(operation, rejected.ret_code, rejected.ret_msg)
            return self.signed_response(payload, request.headers, account, algorithm)

        return serve

    async def advance_endpoint(self, request: Request) -> Response:
        """``POST /_sandbox/advance {"seconds": N}``: not a Callbot operation; moves the virtual clock."""
        try:
            seconds = float((await request.json())["seconds"])
            await run_in_threadpool(self.advance, seconds)
        except (ValueError, KeyError, TypeError, RuntimeError) as exc:
            return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=400)
        return JSONResponse({"now": self.sim_clock(), "pendingCallbacks": len(self.callbacks.pending)})

    def asgi_app(self) -> Starlette:
        routes = [Route(PREFIX + name, self.endpoint(name), methods=["POST"]) for name in HANDLERS]
        routes.append(Route("/_sandbox/advance", self.advance_endpoint, methods=["POST"]))
        return Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=500)])


def _json_object(headers: Headers, raw_body: bytes, *, accepts_gzip: bool) -> Payload:
    """The request body as a JSON object, after the checks the pages imply (sandbox's wording)."""
    content_type = headers.get("content-type")
    if content_type is not None and content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise RequestRejected(WRONG_TYPE, f"the request body must be application/json, not {content_type}")
    encoding = headers.get("content-encoding")
    if encoding is not None and (encoding.lower() != "gzip" or not accepts_gzip):
        raise RequestRejected(BAD_VALUE, f"Content-Encoding {encoding} is not accepted here")
    if encoding is not None:
        try:
            raw_body = gzip.decompress(raw_body)
        except (OSError, EOFError, zlib.error):
            raise RequestRejected(WRONG_TYPE, "the request body is not valid gzip") from None
    if not raw_body.strip():
        return {}  # most pages mark the body optional; the required fields then answer retCode 2
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise RequestRejected(WRONG_TYPE, "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise RequestRejected(WRONG_TYPE, "the request body must be a JSON object")
    return body


def create_app(accounts: Iterable[Account], **options: Any) -> Starlette:
    """The sandbox as an ASGI app; ``options`` go to :class:`Sandbox` (state, clock, max_clock_skew)."""
    return Sandbox(accounts, **options).asgi_app()
