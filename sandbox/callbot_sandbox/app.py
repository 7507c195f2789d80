"""The reference Callbot server: a Starlette app that checks signatures and answers like the service.

Like NXCloud, it answers HTTP 200 with a retCode (Ping: code): 6001 signature headers missing,
6002 unknown uuid, 6 wrong sign, 2 missing parameter, 3 wrong type, 4 bad value. Every response is
signed with the account's secret key, except when the uuid is unknown (there is no key to sign with).
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from callbot_signing import sign
from callbot_signing._constants import (
    ALGORITHM_HEADER,
    CREATE_TS_HEADER,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from callbot_signing._signature import normalize_algorithm
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import validation as v
from .accounts import Account
from .store import OrderStore

SIGNATURE_WRONG = 6
SIGNATURE_MISSING = 6001
ACCOUNT_UNKNOWN = 6002

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    path: str
    handle: Handler
    #: The body of a failed call: the envelope plus the operation's required fields, empty.
    error_body: Callable[[int, str], dict[str, Any]]


class Sandbox:
    """The sandbox's state and its operations."""

    def __init__(
        self,
        accounts: Iterable[Account],
        *,
        store: OrderStore | None = None,
        clock: Callable[[], float] = time.time,
        max_clock_skew: float | None = 300,
    ) -> None:
        self.accounts = {account.uuid: account for account in accounts}
        self.store = store if store is not None else OrderStore()
        self.clock = clock
        #: Requests whose createTs is further than this from the sandbox clock get retCode 6 (None: off).
        #: The wiki sets no window; this is the sandbox's own choice.
        self.max_clock_skew = max_clock_skew

    def operations(self) -> list[Operation]:
        return [
            Operation("/callcentre/api/v3/ping", self.ping, self._ping_error),
            Operation("/callcentre/api/v3/stopOrder", self.stop_order, self._stop_order_error),
        ]

    # --- operations --------------------------------------------------------------------------------

    def ping(self, body: dict[str, Any]) -> dict[str, Any]:
        data = v.field(body, "data", str)
        return {"data": data, "timestamp": int(self.clock()), "code": 0, "msg": "success", "reqId": uuid4().hex}

    def _ping_error(self, code: int, msg: str) -> dict[str, Any]:
        return {"data": "", "timestamp": int(self.clock()), "code": code, "msg": msg, "reqId": uuid4().hex}

    def stop_order(self, body: dict[str, Any]) -> dict[str, Any]:
        v.product_id(body)
        user_task_id = v.field(body, "userTaskID", str)
        order_ids = v.string_list(body, "orderIDs") or []
        del_call = v.one_of(body, "delCall", (0, 1))
        result = self.store.stop(user_task_id, order_ids, delete_undialed=del_call == 1)
        return {
            **_envelope(0, "success"),
            "totalCount": result.total_count,
            "successCount": result.success_count,
            "errList": [{"orderID": order_id, "errMsg": reason} for order_id, reason in result.errors],
        }

    def _stop_order_error(self, code: int, msg: str) -> dict[str, Any]:
        return {**_envelope(code, msg), "totalCount": 0, "successCount": 0, "errList": []}

    # --- signatures --------------------------------------------------------------------------------

    def check_signature(self, headers: Headers, raw_body: bytes) -> tuple[Account, str]:
        """Return the caller's account and the algorithm it signed with, or raise RequestRejected."""
        names = (REQUEST_ID_HEADER, UUID_HEADER, CREATE_TS_HEADER, SIGN_HEADER)
        missing = [name for name in names if not headers.get(name)]
        if missing:
            raise v.RequestRejected(SIGNATURE_MISSING, f"missing signature header(s): {', '.join(missing)}")
        account = self.accounts.get(headers[UUID_HEADER])
        if account is None:
            raise v.RequestRejected(ACCOUNT_UNKNOWN, "account does not exist")
        try:
            algorithm = normalize_algorithm(headers.get(ALGORITHM_HEADER) or account.algorithm)
        except ValueError as exc:
            raise v.RequestRejected(SIGNATURE_WRONG, f"incorrect signature: {exc}") from None
        expected = sign(
            account.secret_key,
            raw_body,
            headers[CREATE_TS_HEADER],
            headers[REQUEST_ID_HEADER],
            account.uuid,
            algorithm,
        )
        if not hmac.compare_digest(expected, headers[SIGN_HEADER].upper()):
            raise v.RequestRejected(SIGNATURE_WRONG, "incorrect signature")
        if self.max_clock_skew is not None:
            try:
                skew = abs(self.clock() - int(headers[CREATE_TS_HEADER]))
            except ValueError:
                raise v.RequestRejected(SIGNATURE_WRONG, "incorrect signature: createTs is not Unix seconds") from None
            if skew > self.max_clock_skew:
                raise v.RequestRejected(SIGNATURE_WRONG, f"incorrect signature: createTs is {skew:.0f} s off")
        return account, algorithm

    def signed_response(
        self, payload: dict[str, Any], headers: Headers, account: Account | None, algorithm: str | None
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

    def endpoint(self, operation: Operation) -> Callable[[Request], Any]:
        async def serve(request: Request) -> Response:
            raw_body = await request.body()
            account: Account | None = None
            algorithm: str | None = None
            try:
                account = self.accounts.get(request.headers.get(UUID_HEADER, ""))
                account, algorithm = self.check_signature(request.headers, raw_body)
                _check_media_type(request.headers.get("content-type"))
                payload = operation.handle(_json_object(raw_body))
            except v.RequestRejected as rejected:
                payload = operation.error_body(rejected.ret_code, rejected.ret_msg)
            return self.signed_response(payload, request.headers, account, algorithm)

        return serve

    def asgi_app(self) -> Starlette:
        routes = [Route(op.path, self.endpoint(op), methods=["POST"]) for op in self.operations()]
        return Starlette(routes=routes)


def _envelope(code: int, msg: str) -> dict[str, Any]:
    return {"retCode": code, "retMsg": msg, "responseID": uuid4().hex}


def _check_media_type(content_type: str | None) -> None:
    """The pages document JSON bodies only; another declared media type is a format error (sandbox's choice)."""
    if content_type is None:
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise v.RequestRejected(v.WRONG_TYPE, f"the request body must be application/json, not {media_type}")


def _json_object(raw_body: bytes) -> dict[str, Any]:
    if not raw_body.strip():
        return {}  # the stopOrder page marks the body optional; its required fields then answer retCode 2
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise v.RequestRejected(v.WRONG_TYPE, "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise v.RequestRejected(v.WRONG_TYPE, "the request body must be a JSON object")
    return body


def create_app(accounts: Iterable[Account], **options: Any) -> Starlette:
    """The sandbox as an ASGI app; ``options`` go to :class:`Sandbox` (store, clock, max_clock_skew)."""
    return Sandbox(accounts, **options).asgi_app()
