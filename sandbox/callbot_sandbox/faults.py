"""Faults injected into the sandbox's answers, by operationId: a refusal, signed or not, an answer lost after
the request was carried out, a slow answer. ``Sandbox.faults`` holds them; a user's tests set them to see
what their code does when Callbot fails (the pytest plugin offers them as fixtures' methods).

A fault applies to the next request of its operation (``times`` for the next N), from any account or from
one (``account``, its uuid). Faults of one operation queue in the order they were set: a request takes the
first one that applies to its account. A fault is taken only by a request that got past the door (its
signing headers, account, body size, signature, requestID, JSON and schema, app.py): a request refused there
is refused as usual and leaves the fault for the next one.

Thread-safe: faults may be set from any thread while the app serves.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import threading
from collections import deque
from collections.abc import Container, Iterable
from dataclasses import dataclass
from typing import Literal

from callbot_signing.wire import check_count, check_seconds
from starlette.types import Send

from .asgi import Headers, send_reply

#: The value of X-Sandbox-Refusal on an injected refusal (app.py lists the others).
INJECTED = "injected"
#: retCode of an unsigned refusal by default: 6002, the refusal the service cannot sign (it knows no key).
UNSIGNED_RET_CODE = 6002
#: The logger uvicorn logs an exception of the app to: a dropped answer is not one to log there.
UVICORN_ERROR_LOGGER = "uvicorn.error"
logger = logging.getLogger("callbot_sandbox")

Kind = Literal["fail", "unsigned", "drop", "delay"]


class AnswerDropped(Exception):
    """The sandbox dropped an answer on purpose (``Faults.drop_answer_after_carrying_out``): raised by its
    ASGI app after ``http.response.start`` (status 200, a Content-Length) and before any body. A server then
    closes the connection, so the client sees the answer cut short; the kit's in-process transports
    (callbot_sandbox.inprocess) turn it into the same connection error (httpx's own ASGITransport does not)."""


@dataclass(frozen=True)
class Fault:
    """One injected fault: its kind, the retCode of a refusal, the seconds of a delay."""

    kind: Kind
    ret_code: int = 0
    seconds: float = 0.0

    @property
    def refuses(self) -> bool:
        """Whether the request is refused instead of carried out (nothing changes)."""
        return self.kind in ("fail", "unsigned")

    @property
    def signed(self) -> bool:
        """Whether the answer is signed (all but an unsigned refusal)."""
        return self.kind != "unsigned"

    def message(self, operation: str) -> str:
        """The retMsg of an injected refusal."""
        how = "an unsigned refusal" if self.kind == "unsigned" else "a refusal"
        return f"injected fault of the sandbox: {how} of {operation} with retCode {self.ret_code}; nothing was done"


@dataclass
class _Queued:
    fault: Fault
    account: str | None
    left: int


class Faults:
    """The faults waiting for the requests of the operations a sandbox serves (``operations``: their
    operationIds). Each method queues a fault for the next ``times`` requests of ``operation`` (an operationId
    of the sandbox's spec, e.g. ``"addBatchCall"``; another name is a ValueError listing the known ones) from
    ``account`` (a uuid; None: from any account). A request refused at the door does not use a fault up."""

    def __init__(self, operations: Iterable[str], accounts: Container[str] | None = None) -> None:
        self._known = frozenset(operations)
        #: The sandbox's account uuids (read when a fault is set): a fault for another uuid is a ValueError.
        self._accounts = accounts
        self._lock = threading.Lock()
        self._queues: dict[str, deque[_Queued]] = {}
        _quiet_uvicorn_about_dropped_answers()

    def fail_next(self, operation: str, ret_code: int = 7, *, times: int = 1, account: str | None = None) -> None:
        """Refuse the request with a *signed* answer carrying ``ret_code`` (Ping's envelope: ``code``), a
        retMsg saying the fault is injected and the header ``X-Sandbox-Refusal: injected``; nothing changes.
        The default, 7 (system busy), is one the client retries, for the operations it retries."""
        code = check_count("ret_code", ret_code)
        self._add(operation, Fault("fail", ret_code=code), times, account)

    def unsigned_refusal(
        self, operation: str, ret_code: int = UNSIGNED_RET_CODE, *, times: int = 1, account: str | None = None
    ) -> None:
        """Refuse the request with an *unsigned* answer (HTTP 200, the envelope with ``ret_code``, the
        requestID, uuid and createTs headers but no sign), as the service does when it cannot sign (6002, an
        account it does not know) or an intermediary forging a refusal would; nothing changes. The client
        raises a refusal of 6, 6001 or 6002 as such, marked unverified (``outcome_unknown`` for an operation
        that is not idempotent); any other retCode unsigned is a SignatureError."""
        code = check_count("ret_code", ret_code)
        self._add(operation, Fault("unsigned", ret_code=code), times, account)

    def drop_answer_after_carrying_out(self, operation: str, *, times: int = 1, account: str | None = None) -> None:
        """Carry the request out (the state changes as on any call), then lose the answer: the app sends the
        answer's status and headers and raises :class:`AnswerDropped`, so the connection closes before the
        body and the client sees a connection error. Logged at INFO (it is meant), not as a bug."""
        self._add(operation, Fault("drop"), times, account)

    def delay(self, operation: str, seconds: float, *, times: int = 1, account: str | None = None) -> None:
        """Carry the request out, then wait ``seconds`` of wall-clock time (more than 0, at most a day)
        before answering, holding no lock: a client whose timeout is shorter loses an answer to a request
        that was carried out."""
        wait = check_seconds("seconds", seconds)
        self._add(operation, Fault("delay", seconds=wait), times, account)

    def clear(self) -> None:
        """Forget every fault not used yet."""
        with self._lock:
            self._queues.clear()

    def pending(self, operation: str | None = None) -> int:
        """How many requests faults are still waiting for: of ``operation``, or of every operation."""
        if operation is not None:
            self._check_operation(operation)
        with self._lock:
            queues = self._queues.values() if operation is None else [self._queues.get(operation, deque())]
            return sum(queued.left for queue in queues for queued in queue)

    def take(self, operation: str, account: str) -> Fault | None:
        """The fault for this request of ``operation`` from ``account``, used up; None when there is none
        (asked by the app once a request got past the door)."""
        if not self._queues:  # no fault set: no lock taken
            return None
        with self._lock:
            queue = self._queues.get(operation)
            if queue is None:
                return None
            for queued in queue:
                if queued.account is None or queued.account == account:
                    queued.left -= 1
                    if not queued.left:
                        queue.remove(queued)
                        if not queue:
                            del self._queues[operation]
                    return queued.fault
        return None

    def _add(self, operation: str, fault: Fault, times: int, account: str | None) -> None:
        self._check_operation(operation)
        count = check_count("times", times)
        if account is not None and not isinstance(account, str):
            raise TypeError(f"account must be a uuid (str) or None for any account, got {type(account).__name__}")
        if account is not None and self._accounts is not None and account not in self._accounts:
            raise ValueError(f"the sandbox has no account {account[:64]!r}: a fault for it would never be used")
        with self._lock:
            self._queues.setdefault(operation, deque()).append(_Queued(fault, account, count))

    def _check_operation(self, operation: str) -> None:
        if operation in self._known:
            return
        close = difflib.get_close_matches(str(operation), self._known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(
            f"unknown operation {operation!r}{hint}: faults are set by the operationId of an operation the "
            f"sandbox serves: {', '.join(sorted(self._known))}"
        )


async def send_answer(send: Send, body: bytes, headers: Headers, fault: Fault | None, operation: str) -> None:
    """Send the answer, after the fault's delay; or, for a dropped answer, its status and headers only, then
    raise :class:`AnswerDropped`."""
    if fault is not None and fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
    elif fault is not None and fault.kind == "drop":
        logger.info("%s: carried out, its answer dropped on purpose (an injected fault)", operation)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise AnswerDropped(f"{operation}: carried out, its answer dropped on purpose (an injected fault)")
    await send_reply(send, body, headers)


class _NotDroppedAnswers(logging.Filter):
    """Keeps uvicorn from logging a dropped answer as an exception of the app (it is meant)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], AnswerDropped))


def _quiet_uvicorn_about_dropped_answers() -> None:
    uvicorn_errors = logging.getLogger(UVICORN_ERROR_LOGGER)
    if not any(isinstance(installed, _NotDroppedAnswers) for installed in uvicorn_errors.filters):
        uvicorn_errors.addFilter(_NotDroppedAnswers())
