"""``POST /_sandbox/advance {"seconds": N}``: not a Callbot operation; moves the calling account's clock.

It is signed like any request and checked by the same door (door.py, signatures.py): the signing headers, the
account (6001, 6002), the body (at most ``ADVANCE_LIMITS.max_body_bytes``, read within the account's share),
the sign, the requestID and the createTs window (6, 7), then the JSON (3, 4). ``seconds`` missing is retCode
2, not a number 3, beyond 0 to ``MAX_ADVANCE_SECONDS`` 4; a sandbox on the real clock cannot be advanced (4).

Only the calling account's simulation time moves (``Sandbox.advance(seconds, account=...)``): its tasks are
dialed up to its new time and its callbacks due by then are sent before the answer; no other account's time,
calls or callbacks move. One advance per account at a time: another of the same account meanwhile is refused
with 7 (busy). The answer is signed like an operation's:
``{"retCode": 0, "retMsg": "success", "responseID": "...", "now": <the account's time>, "pendingCallbacks": <its
callbacks still waiting>}``; a refusal carries ``X-Sandbox-Refusal`` as the operations' do.
"""

from __future__ import annotations

import logging
from typing import Protocol

from callbot_signing.wire import UUID_HEADER
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from .accounts import Account
from .answers import Payload, envelope
from .asgi import Endpoint, RequestHead, send_reply, wire_reply
from .callbacks import CallbackSender
from .dialer import AccountClocks, VirtualClock
from .door import Limits, ReadingBudget, json_object, read_body
from .signatures import ACCOUNT_UNKNOWN, SIGNATURE_MISSING, SIGNED_KEYS, SIGNING_NAMES, signing_headers
from .spec import BAD_VALUE, BUSY, MISSING_PARAMETER, WRONG_TYPE, RequestRejected
from .state_lock import StateLock


class AdvancedSandbox(Protocol):
    """What the endpoint uses of a ``Sandbox`` (app.py, which imports this module)."""

    accounts: dict[str, Account]
    reading: ReadingBudget
    virtual_clock: VirtualClock | None
    lock: StateLock
    advancing: set[str]
    clocks: AccountClocks
    callbacks: CallbackSender

    def check_signature(self, headers: dict[str, str], raw_body: bytes, account: Account) -> str: ...

    def advance(self, seconds: float, account: Account | str | None = None) -> None: ...

    def encode_response(
        self,
        payload: Payload,
        headers: dict[str, str],
        account: Account | None,
        algorithm: str | None,
        operation: str = "",
        refusal: str | None = None,
    ) -> tuple[bytes, dict[str, str]]: ...


ADVANCE_PATH = "/_sandbox/advance"
#: A small body, and at most ten years at a time.
ADVANCE_LIMITS = Limits(max_body_bytes=4096)
MAX_ADVANCE_SECONDS = 10 * 365 * 86400
INTERNAL_ERROR = 5001
logger = logging.getLogger("callbot_sandbox")


def advance_seconds(body: Payload) -> float:
    """The ``seconds`` of an advance body, or the refusal (2 missing, 3 not a number, 4 out of range)."""
    if "seconds" not in body:
        raise RequestRejected(MISSING_PARAMETER, 'missing parameter: the body must be {"seconds": N}')
    seconds = body["seconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise RequestRejected(WRONG_TYPE, "seconds must be a number")
    if not 0 <= seconds <= MAX_ADVANCE_SECONDS:  # NaN is not JSON; an integer of any size compares
        raise RequestRejected(BAD_VALUE, f"seconds must be from 0 to {MAX_ADVANCE_SECONDS}")
    return float(seconds)


def advance_endpoint(sandbox: AdvancedSandbox) -> Endpoint:
    """The ASGI endpoint of ``POST /_sandbox/advance`` on ``sandbox`` (see the module docstring)."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        head = RequestHead(scope["headers"], SIGNING_NAMES)
        headers, problem = signing_headers(head.kept)
        account = sandbox.accounts.get(headers.get(UUID_HEADER.lower(), ""))
        algorithm: str | None = None
        refusal: str | None = None
        try:
            if problem is not None:
                raise problem
            missing = [name for name, key in SIGNED_KEYS if not headers.get(key)]
            if missing:
                raise RequestRejected(SIGNATURE_MISSING, f"missing signature header(s): {', '.join(missing)}")
            if account is None:
                raise RequestRejected(ACCOUNT_UNKNOWN, "account does not exist")
            raw = await read_body(receive, head.content_length, ADVANCE_LIMITS, sandbox.reading, account.uuid)
            algorithm = sandbox.check_signature(headers, raw, account)
            body = json_object(raw, head.content_type, head.content_encodings, ADVANCE_LIMITS, gzip_allowed=False)
            seconds = advance_seconds(body)
            if sandbox.virtual_clock is None:
                raise RequestRejected(
                    BAD_VALUE, "this sandbox runs on the real clock: start it with --clock virtual to advance it"
                )
            with sandbox.lock:
                if account.uuid in sandbox.advancing:
                    raise RequestRejected(
                        BUSY, "system busy: an advance of your account is running; retry later", state=True
                    )
                sandbox.advancing.add(account.uuid)
            uuid = account.uuid

            def run() -> None:  # the account is let go however the advance ends, even if nobody waits for it
                try:
                    sandbox.advance(seconds, account=uuid)
                finally:
                    with sandbox.lock:
                        sandbox.advancing.discard(uuid)

            await run_in_threadpool(run)
            payload = {
                **envelope(),
                "now": sandbox.clocks.now(uuid),
                "pendingCallbacks": sandbox.callbacks.pending_of(uuid),
            }
        except RequestRejected as rejected:
            payload = envelope(rejected.ret_code, rejected.ret_msg)
            refusal = "state" if rejected.state else "request"
        except ClientDisconnect:
            return  # nobody to answer
        except Exception:  # a bug: logged, answered like the service's internal error, never a 5xx
            logger.exception("/_sandbox/advance failed")
            payload, refusal = envelope(INTERNAL_ERROR, "internal error of the sandbox (logged)"), "internal"
        reply, signed = sandbox.encode_response(payload, headers, account, algorithm, "", refusal)
        await send_reply(send, *wire_reply(reply, signed, accepts_gzip=head.accepts_gzip))

    return serve
