"""The reference Callbot server: :class:`Sandbox` holds the accounts, the state, the clocks, the dialer and
the callbacks, and serves the spec's operations as an ASGI app (asgi.py).

It serves every operation of its spec (spec.py; by default the spec shipped with the generated client):
those it keeps state for through operations.py, any other with an answer built from the spec, after the same
checks at the door.

Like NXCloud, it answers HTTP 200 with a retCode (Ping: code): 6001 signature headers missing, 6002 unknown
uuid, 6 wrong sign (or a requestID used before), 2 missing parameter, 3 wrong type, 4 bad value, 4001 too
many array elements, 7 busy (an account's requestIDs within the window at the sandbox's limit, replay.py; a
write to a task being changed in chunks, operations.py), 5001 a bug of the sandbox (logged). Every response
is signed with the account's secret key over the uncompressed body (signatures.py), except when the uuid is
unknown (there is no key to sign with). It never answers a 5xx: what a request may be is decided at the
door (door.py), before any state is touched, and each account sees only its own state (state.py). A refusal
carries the header ``X-Sandbox-Refusal`` (not the service's): ``state`` when the account's state refused a
well-formed request (a task that does not exist, an ID already used, a task in the wrong status, busy),
``request`` when the request itself was refused (its signature, its form), ``internal`` for a bug of the
sandbox, ``injected`` for a fault set through ``Sandbox.faults`` (faults.py).

Order of the checks, each before anything bigger is read: the signing headers (one copy each, ASCII), the
account, the body (read up to ``Limits.max_body_bytes``), the signature and requestID, the JSON, the spec.

One :class:`~.state_lock.StateLock`, ``Sandbox.lock``, guards the state: request handlers take it on their
event loop without blocking the loop, threads (:meth:`Sandbox.advance`, :meth:`Sandbox.tick`) with ``with``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from typing import Any

from callbot_signing.wire import UUID_HEADER, check_seconds
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from .accounts import Account
from .advance import ADVANCE_PATH, advance_endpoint
from .answers import Payload, Result, complete, new_id
from .asgi import Endpoint, RequestHead, operations_first, wire_reply
from .callback_payloads import queue_call_callbacks, queue_status_callbacks
from .callbacks import CallbackSender
from .deviations import LOOSE_CLOCK_SKEW
from .dialer import AccountClocks, Dialer, DialerSettings, VirtualClock
from .door import Limits, ReadingBudget, json_object, read_body
from .faults import INJECTED, Fault, Faults, send_answer
from .operations import Operations, handler_name
from .replay import SeenRequestIDs
from .signatures import (
    ACCOUNT_UNKNOWN,
    SIGNATURE_MISSING,
    SIGNED_KEYS,
    SIGNING_NAMES,
    check_request_signature,
    request_algorithm,
    signed_reply,
    signing_headers,
)
from .spec import RequestRejected, ServedSpec, shipped
from .state import Call, Order, SandboxState, Task
from .state_lock import StateLock, Turns

INTERNAL_ERROR = 5001
INTERNAL_ERROR_MESSAGE = "internal error of the sandbox (logged)"
#: Without a heartbeat, each request catches the dialer up by at most this many calls (real clock), so that
#: one account's campaigns add little to another's requests.
DIAL_BUDGET_PER_REQUEST = 100
#: The heartbeat catches up this many calls per hold of the state lock, letting requests in between.
DIAL_BUDGET_PER_HOLD = 500
#: advance() dials this many calls per hold of the state lock and then sends the callbacks due: a call makes at
#: most three (call ended, order finished, task status), well under an account's cap of waiting callbacks.
CALLS_PER_FLUSH = 200
#: At most this many long reads (chunked lists and scans) advance at once, at most MAX_LONG_RUNNING_PER_ACCOUNT
#: of one account's; others wait for a turn.
MAX_LONG_RUNNING = 3
MAX_LONG_RUNNING_PER_ACCOUNT = 2
logger = logging.getLogger("callbot_sandbox")


class Sandbox:
    """The sandbox's accounts, state and clocks, its dialer and callbacks, and its ASGI app.

    ``clock`` is the wall clock of signatures (createTs). Simulation time (task creation, calls, the retries
    of callbacks) is ``virtual_clock`` when given, advanced only by :meth:`advance`; otherwise ``clock``, and
    the dialer catches up before every request and on :meth:`tick`. Each account has its own simulation time
    (``clocks``): the shared clock plus what that account alone was advanced (``advance(seconds, account=)``,
    the signed ``/_sandbox/advance``).

    ``spec``: the OpenAPI document (a dict) whose operations it serves; by default the one shipped with the
    generated client. An operation of the spec that the sandbox keeps no state for is answered from it.
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
        limits: Limits | None = None,
        allow_replayed_requests: bool = False,
        deviations: frozenset[str] = frozenset(),
        spec: Mapping[str, Any] | None = None,
    ) -> None:
        #: The operations served, their request checks and the answers built from the spec.
        self.spec: ServedSpec = shipped() if spec is None else ServedSpec(spec)
        #: Deviation mode (deviations.py): answer unlike the spec on purpose, to test the contract suite.
        self.deviations = deviations
        if "loose-clock" in deviations:
            max_clock_skew = LOOSE_CLOCK_SKEW
        if max_clock_skew is not None:  # a NaN or a negative window would switch the check off
            check_seconds("max_clock_skew", max_clock_skew)
        self.accounts = {account.uuid: account for account in accounts}
        self.state = state if state is not None else SandboxState()
        self.clock = clock
        self.virtual_clock = virtual_clock
        self.sim_clock: Callable[[], float] = virtual_clock if virtual_clock is not None else clock
        #: Each account's simulation time: ``sim_clock`` plus what that account alone was advanced.
        self.clocks = AccountClocks(self.sim_clock)
        #: Requests whose createTs is further than this from the sandbox clock get retCode 6 (None: off).
        #: The wiki sets no window; this is the sandbox's own choice.
        self.max_clock_skew = max_clock_skew
        #: requestIDs used within the window (without a window: within 300 s), per account.
        self.seen_request_ids = SeenRequestIDs(300 if max_clock_skew is None else max_clock_skew)
        #: Benchmarks only: serve a signed request again (a load generator resending one request).
        self.allow_replayed_requests = allow_replayed_requests
        self.limits = limits or Limits()
        self.reading = ReadingBudget(self.limits.max_reading_bytes, self.limits.max_reading_bytes_per_account)
        self.dial_budget = DIAL_BUDGET_PER_REQUEST
        self.operations = Operations(self.state, self.sim_clock, self.limits, account_clock=self.clocks.now)
        self.dialer = Dialer(self.state, self._on_call, seed=seed, settings=dialer_settings)
        #: Deliveries and their retries run on simulation time: advancing a virtual clock makes them due.
        self.callbacks = CallbackSender(
            allow_external=allow_external_callbacks, clock=self.sim_clock, account_clock=self.clocks.now
        )
        #: The one lock over the state (state_lock.py).
        self.lock = StateLock()
        #: The turns of long reads: at most MAX_LONG_RUNNING at once, MAX_LONG_RUNNING_PER_ACCOUNT per account.
        self.long_reads = Turns(MAX_LONG_RUNNING, MAX_LONG_RUNNING_PER_ACCOUNT)
        #: Accounts whose advance is running (one at a time per account).
        self.advancing: set[str] = set()
        #: Faults injected into the answers of chosen operations (faults.py).
        self.faults = Faults(self.spec.operations, self.accounts)

    @property
    def long_running(self) -> int:
        """How many long reads are advancing now."""
        return self.long_reads.taken

    # --- simulation and callbacks --------------------------------------------------------------------

    def advance(self, seconds: float, account: Account | str | None = None) -> None:
        """Move simulation time on by ``seconds``, dial what is due, and deliver the callbacks due by then
        (retries whose delay has passed included): every account's (``account`` None: the virtual clock
        moves), or only ``account``'s (an Account or its uuid): no other account's time, calls or callbacks
        move. Dialing runs in slices of CALLS_PER_FLUSH calls, letting requests in between, and the callbacks due
        are sent after each slice, so that a campaign's callbacks never outgrow an account's cap of waiting ones."""
        if self.virtual_clock is None:
            raise RuntimeError("advance() needs a sandbox made with a virtual_clock")
        if account is None:
            with self.lock:
                self.virtual_clock.advance(seconds)
            owners: tuple[str, ...] | None = None
        else:
            uuid = account if isinstance(account, str) else account.uuid
            if uuid not in self.accounts:
                raise ValueError(f"advance(): the sandbox has no account {uuid[:64]!r}")
            self.clocks.advance(uuid, seconds)
            owners = (uuid,)
        done = False
        while not done:  # callbacks sent between slices: an account's queue stays under its cap while it is taken
            with self.lock:
                done = self.dialer.run_until(self.clocks.now, budget=CALLS_PER_FLUSH, owners=owners)
                self._announce_status_changes()
            self.callbacks.flush(accounts=owners)

    def tick(self) -> None:
        """Real-time mode's heartbeat: dial what is due, holding the state lock for a slice of
        DIAL_BUDGET_PER_HOLD calls at a time (requests waiting for it are woken between slices), and deliver
        pending callbacks."""
        now, done = self.clocks.frozen(), False  # what is due now: calls falling due meanwhile wait for the next tick
        while not done:
            with self.lock:
                done = self.dialer.run_until(now, budget=DIAL_BUDGET_PER_HOLD)
                self._announce_status_changes()
        self.callbacks.flush(wait=False)  # an account whose receiver is slow keeps its lane; the others go on

    def _catch_up(self, budget: int | None = None) -> None:
        self.dialer.run_until(self.clocks.now, budget=budget)
        self._announce_status_changes()

    def _on_call(self, task: Task, order: Order, call: Call) -> None:
        account = self.accounts.get(task.owner)
        if account is not None:
            queue_call_callbacks(self.state, self.callbacks, account, task, order, call)

    def _announce_status_changes(self) -> None:
        queue_status_callbacks(self.state, self.accounts, self.callbacks)

    # --- signatures (signatures.py) ----------------------------------------------------------------

    def request_algorithm(self, headers: dict[str, str], account: Account | None) -> str:
        """The algorithm a request is signed with, by its ``algorithm`` header (MD5 without one); the answer
        is signed with it."""
        return request_algorithm(headers, account, pinned="pinned-algorithm" in self.deviations)

    def check_signature(self, headers: dict[str, str], raw_body: bytes, account: Account) -> str:
        """Verify the request's sign and that its requestID is new for the account; return the algorithm.
        A refusal is a RequestRejected with the service's retCode (6001, 6, 7)."""
        return check_request_signature(
            headers,
            raw_body,
            account,
            now=self.clock(),
            max_clock_skew=self.max_clock_skew,
            seen=None if self.allow_replayed_requests else self.seen_request_ids,
            pinned="pinned-algorithm" in self.deviations,
        )

    def encode_response(
        self,
        payload: Payload,
        headers: dict[str, str],
        account: Account | None,
        algorithm: str | None,
        operation: str = "",
        refusal: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The reply's bytes and headers, signed with the account's key when the account is known, with
        ``algorithm`` (None: the one the request names, see :meth:`request_algorithm`). ``refusal``: the
        value of the X-Sandbox-Refusal header (a refusal's kind)."""
        return signed_reply(
            payload,
            headers,
            account,
            algorithm or self.request_algorithm(headers, account),
            now=self.clock(),
            deviations=self.deviations,
            operation=operation,
            refusal=refusal,
        )

    # --- HTTP --------------------------------------------------------------------------------------

    async def _run(
        self, handle: Callable[[Payload, Account], Result], body: Payload, account: Account, *, reads_only: bool
    ) -> tuple[Payload, bool]:
        """Run an operation under the state lock, a chunk at a time for a long one (the lock is released and
        the loop serves others between chunks); return its answer and whether it was a long one. At most
        MAX_LONG_RUNNING long reads advance at once; a long change (its task marked busy) never waits."""
        lock = self.lock
        if not lock.acquire(blocking=False):
            await lock.acquire_async()
        try:
            if self.virtual_clock is None:
                self._catch_up(budget=self.dial_budget)
            result = handle(body, account)
            if not isinstance(result, Generator):
                self._announce_status_changes()
                return result, False
        finally:
            lock.release()
        try:
            if reads_only:
                await self.long_reads.take(account.uuid)
            try:
                while True:
                    await asyncio.sleep(0)
                    async with lock:
                        try:
                            next(result)
                        except StopIteration as done:
                            payload: Payload = done.value
                            return payload, True
            finally:
                if reads_only:
                    self.long_reads.give_back(account.uuid)
        except BaseException:  # cancelled (a timeout, a shutdown): a read just stops, a change is finished
            with lock:  # (chunked.in_chunks: closing it does the rest at once, never half made)
                result.close()
            raise

    def endpoint(self, operation: str) -> Endpoint:
        """The ASGI endpoint of the spec's operation ``operation`` (asgi.py routes requests to it): checked at
        the door, then served by its handler (operations.py) or, without one, answered from the spec."""
        served = self.spec.operations[operation]
        handling = Operations.handling(operation)
        handle: Callable[[Payload, Account], Result] | None = None
        if handling is not None:
            handle = getattr(self.operations, handler_name(operation))
        stateless = handling is None or handling.stateless
        reads_only = handling is not None and handling.reads_only

        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            head = RequestHead(scope["headers"], SIGNING_NAMES)
            headers, problem = signing_headers(head.kept)
            account = self.accounts.get(headers.get(UUID_HEADER.lower(), ""))
            long_one = False
            refusal: str | None = None
            algorithm: str | None = None  # the one the request is verified with, once it is
            fault: Fault | None = None
            payload: Payload
            try:
                if problem is not None:
                    raise problem
                missing = [name for name, key in SIGNED_KEYS if not headers.get(key)]
                if missing:
                    raise RequestRejected(SIGNATURE_MISSING, f"missing signature header(s): {', '.join(missing)}")
                if account is None:
                    raise RequestRejected(ACCOUNT_UNKNOWN, "account does not exist")
                raw_body = await read_body(receive, head.content_length, self.limits, self.reading, account.uuid)
                algorithm = self.check_signature(headers, raw_body, account)
                body = json_object(
                    raw_body, head.content_type, head.content_encodings, self.limits, gzip_allowed=served.gzip_body
                )
                del raw_body
                self.spec.check_body(served, body)
                fault = self.faults.take(operation, account.uuid)  # past the door: a fault applies
                if fault is not None and fault.refuses:  # nothing done; unsigned: as if there were no key
                    payload = self.spec.refusal(operation, fault.ret_code, fault.message(operation), new_id())
                    refusal, account = INJECTED, account if fault.signed else None
                elif handle is None:  # no state kept for it: the answer the spec describes
                    payload = self.spec.answer(operation, new_id())
                elif stateless:  # neither the lock nor the dialer
                    payload = complete(handle(body, account))
                else:
                    payload, long_one = await self._run(handle, body, account, reads_only=reads_only)
            except RequestRejected as rejected:
                payload = self.spec.refusal(operation, rejected.ret_code, rejected.ret_msg, new_id())
                refusal = "state" if rejected.state else "request"
            except ClientDisconnect:
                return  # nobody to answer
            except Exception:  # a bug: logged, answered like the service's internal error, never a 5xx
                logger.exception("%s failed", operation)
                payload = self.spec.refusal(operation, INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE, new_id())
                refusal = "internal"
            try:
                if long_one:  # a big answer is encoded, signed and compressed off the event loop
                    reply, out = await run_in_threadpool(
                        self._reply, payload, headers, account, operation, head.accepts_gzip, refusal, algorithm
                    )
                else:
                    reply, out = self._reply(
                        payload, headers, account, operation, head.accepts_gzip, refusal, algorithm
                    )
            except Exception:  # a bug: as above
                logger.exception("%s: the answer could not be encoded", operation)
                failed = self.spec.refusal(operation, INTERNAL_ERROR, INTERNAL_ERROR_MESSAGE, new_id())
                reply, out = self._reply(failed, headers, account, "", head.accepts_gzip, "internal", algorithm)
            await send_answer(send, reply, out, fault, operation)

        return serve

    def _reply(
        self,
        payload: Payload,
        headers: dict[str, str],
        account: Account | None,
        operation: str,
        accepts_gzip: bool,
        refusal: str | None = None,
        algorithm: str | None = None,
    ) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        """The reply on the wire, signed with ``algorithm`` (None: the one the request names)."""
        body, signed = self.encode_response(payload, headers, account, algorithm, operation, refusal)
        return wire_reply(body, signed, accepts_gzip=accepts_gzip)

    def asgi_app(self) -> ASGIApp:
        """The sandbox as an ASGI app: the spec's operations on plain ASGI (asgi.py), the rest on Starlette."""
        endpoints: dict[str, dict[str, Endpoint]] = {}
        for name, operation in self.spec.operations.items():
            endpoints.setdefault(operation.path, {})[operation.method] = self.endpoint(name)
        endpoints[ADVANCE_PATH] = {"POST": advance_endpoint(self)}
        return operations_first(endpoints, Starlette())


def create_app(accounts: Iterable[Account], **options: Any) -> ASGIApp:
    """The sandbox as an ASGI app; ``options`` go to :class:`Sandbox` (state, clock, max_clock_skew)."""
    return Sandbox(accounts, **options).asgi_app()
