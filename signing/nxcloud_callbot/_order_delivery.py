"""Delivering addBatchCall batches for :mod:`nxcloud_callbot.bulk`: one batch sent, its outcome settled, and the
orders whose outcome is in doubt reconciled (looked up with listOrder), each recorded in the journal.

Every reconciliation tells our order from another one holding the same orderID by its data: listOrder's rows
carry ``userPhone``, ``userName`` and ``other`` (OrderInfo in the spec); a row with the data we sent is our
order (``accepted``), a row with other data is a different order (``refused``: the orderID exists with other
data). A row that carries none of those fields cannot be told apart: after a lost answer it counts as ours,
after a refusal the refusal stands.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from callbot_client.models import CallInfoList, CallOrder, ListOrderOptions, OrderError, OrderWithLastCall
from callbot_client.types import Unset
from callbot_signing import (
    AuthenticationError,
    BatchInProgressError,
    Callbot,
    CallbotError,
    ServiceUnavailableError,
    SignatureRejectedError,
)

from .journal import OrderJournal

#: orderIDs per listOrder lookup (and its page size). listOrder documents no limit.
LOOKUP_SIZE: Final = 1_000
#: Sends of one order's batch after answers were lost, at most (each after a reconciliation).
MAX_ROUNDS: Final = 3
#: The fields of an order that listOrder's rows carry too (OrderInfo), compared to tell our order from
#: another one holding the same orderID: (attribute, name in the spec).
COMPARED_FIELDS: Final = (("user_phone", "userPhone"), ("user_name", "userName"), ("other", "other"))

OrderStatus = Literal["accepted", "refused", "failed", "unknown", "stopped"]


@dataclass(frozen=True)
class OrderResult:
    """What became of one order.

    ``status``: ``accepted`` (it is in the task: the service took it, or it was found there with the data
    sent after a lost answer); ``refused`` (the service refused it, or its orderID is in the task with other
    data; ``message`` says why; final); ``failed`` (not carried out, e.g. the service was busy or could not be
    reached: safe to send again); ``unknown`` (its answer was lost and the service could not be asked: resume
    with the journal to find out); for :func:`stop_orders`, ``stopped`` or ``refused``.
    """

    order_id: str
    status: OrderStatus
    message: str = ""


def _result(order_id: str, status: OrderStatus, message: str) -> OrderResult:
    """``OrderResult(order_id, status, message)``, made without the frozen dataclass's ``__init__`` (three
    ``object.__setattr__`` calls): its attributes given as one dict. One is made per order, for millions."""
    result = object.__new__(OrderResult)
    object.__setattr__(result, "__dict__", {"order_id": order_id, "status": status, "message": message})
    return result


def _describe(exc: CallbotError) -> str:
    if exc.ret_code is not None:
        return f"retCode {exc.ret_code}: {exc.ret_msg or ''} (responseID={exc.response_id})"
    return f"{type(exc).__name__}: {exc.message}"


def _not_carried_out(exc: CallbotError) -> bool:
    """Whether a failed addBatchCall whose outcome is known was not carried out, so that it may be sent again
    (``failed``): no answer at all (the request never left, an HTTP 4xx, 429 or 503), or the service busy
    (retCode 5, 7, 1001). Any other retCode is a refusal."""
    return exc.ret_code is None or isinstance(exc, ServiceUnavailableError | BatchInProgressError)


def _order_rows(callbot: Callbot[Any], user_task_id: str, order_ids: Sequence[str]) -> dict[str, OrderWithLastCall]:
    """The listOrder rows of those of ``order_ids`` that are in the task, by orderID (see find_existing_orders)."""
    wanted = set(order_ids)
    found: dict[str, OrderWithLastCall] = {}
    for start in range(0, len(order_ids), LOOKUP_SIZE):
        chunk = list(order_ids[start : start + LOOKUP_SIZE])
        for page in range(1, len(chunk) + 2):
            answer = callbot.list_order(
                user_task_id=user_task_id, options=ListOrderOptions(order_id=chunk), page=page, size=len(chunk)
            )
            rows = answer.order_list if isinstance(answer.order_list, list) else []
            for row in rows:
                if isinstance(row.order_id, str) and row.order_id in wanted:
                    found.setdefault(row.order_id, row)
            if not rows or len(rows) >= len(chunk) or found.keys() >= set(chunk):
                break
    return found


def _digits(phone: str) -> str:
    return "".join(character for character in phone if character.isdigit())


def _differences(order: CallOrder, row: OrderWithLastCall) -> list[str] | None:
    """The fields (spec names) in which ``row``, listOrder's row for the order's ID, differs from ``order``;
    None when the row carries none of COMPARED_FIELDS (nothing to compare). userPhone is compared by its
    digits, the others exactly; a field the order leaves out counts as empty, one the row leaves out is not
    compared."""
    compared, differ = 0, []
    for attribute, name in COMPARED_FIELDS:
        theirs = getattr(row, attribute)
        if not isinstance(theirs, str):
            continue
        compared += 1
        ours = getattr(order, attribute)
        ours = ours if isinstance(ours, str) else ""
        if (_digits(ours) != _digits(theirs)) if attribute == "user_phone" else ours != theirs:
            differ.append(name)
    return differ if compared else None


class _Batch:
    """One addBatchCall's orders (at ``positions`` of the input) and, once delivered, the outcome of those that
    were not settled one by one (``outcome``)."""

    def __init__(self, number: int, positions: Sequence[int], orders: list[CallOrder]) -> None:
        self.number = number
        self.positions = positions
        self.orders = orders
        self.outcome: tuple[Literal["accepted", "refused", "failed", "unknown"], str] = ("unknown", "")

    @property
    def first(self) -> int | None:
        """The position of its first order when its orders are consecutive in the input (None: they are not)."""
        first = self.positions[0]
        return first if self.positions[-1] - first + 1 == len(self.positions) else None


class _Import:
    """One add_orders run: its settings, the outcomes of the orders settled one by one, and its journal."""

    def __init__(
        self,
        callbot: Callbot[Any],
        task: str,
        urls: tuple[str, str],
        journal: OrderJournal | None,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.callbot = callbot
        self.task = task
        self.call_callback_url, self.order_callback_url = urls
        self.journal = journal
        self.progress = progress
        self.results: dict[str, OrderResult] = {}  # only the orders settled one by one: those once in doubt
        self._lock = threading.Lock()

    def settle(self, status: Literal["accepted", "refused", "failed", "unknown"], outcomes: dict[str, str]) -> None:
        if not outcomes:
            return
        if self.journal is not None:
            self.journal.record(status, outcomes)
        with self._lock:
            for order_id, message in outcomes.items():
                self.results[order_id] = OrderResult(order_id, status, message)
        if self.progress is not None:
            self.progress(len(outcomes))

    def finish(self, batch: _Batch, status: Literal["accepted", "refused", "failed"], message: str, count: int) -> None:
        """Settle the orders of ``batch`` that were not settled one by one (``count`` of them)."""
        if self.journal is not None:
            self.journal.batch_done(batch.number, status, message)
        batch.outcome = (status, message)
        if self.progress is not None and count:
            self.progress(count)

    def reconcile(self, orders: list[CallOrder], why: str, *, after_refusal: bool = False) -> list[CallOrder] | None:
        """Look ``orders`` up in the task and settle those found: ``accepted`` when the row holds the data sent,
        ``refused`` when it holds other data (another order has the orderID). Return the others, not shown to
        be in the task (None: the lookup failed, and every order is settled ``unknown``). A row that shows
        none of the compared fields counts as ours, except ``after_refusal``: then the service's refusal
        stands (the order is returned)."""
        try:
            rows = _order_rows(self.callbot, self.task, [order.order_id for order in orders])
        except CallbotError as exc:
            hint = (
                "check the uuid, secret key and algorithm, then resume: the orders are looked up before anything "
                "is sent"
                if isinstance(exc, SignatureRejectedError | AuthenticationError)
                else "resume to find out"
            )
            message = f"{why}; looking the orders up failed too ({_describe(exc)}): {hint}"
            self.settle("unknown", {order.order_id: message for order in orders})
            return None
        ours: dict[str, str] = {}
        others: dict[str, str] = {}
        rest: list[CallOrder] = []
        for order in orders:
            row = rows.get(order.order_id)
            differ = None if row is None else _differences(order, row)
            if row is None or (differ is None and after_refusal):
                rest.append(order)
            elif differ is None:
                ours[order.order_id] = f"found in the task after {why} (listOrder showed none of its data to compare)"
            elif not differ:
                ours[order.order_id] = f"found in the task with the data sent, after {why}"
            else:
                fields = f"{', '.join(differ)} {'differs' if len(differ) == 1 else 'differ'}"
                others[order.order_id] = (
                    f"orderID {order.order_id!r} already exists in the task with other data (its {fields}): another "
                    "order holds this orderID, so this one was not added: give it a new orderID"
                )
        self.settle("accepted", ours)
        self.settle("refused", others)
        return rest

    def deliver(self, batch: _Batch) -> None:
        """Send one batch, reconciling and re-sending the rest after an unknown outcome, at most MAX_ROUNDS
        times."""
        pending = batch.orders
        if self.journal is not None:
            self.journal.send_batch(batch.number, [order.order_id for order in pending], batch.first)
        for _ in range(MAX_ROUNDS):
            try:
                answer = self.callbot.add_batch_call(
                    user_task_id=self.task,
                    call_info_list=CallInfoList(
                        call_list=pending,
                        call_callback_url=self.call_callback_url,
                        order_callback_url=self.order_callback_url,
                    ),
                )
            except CallbotError as exc:
                if not exc.outcome_unknown:  # the client's verdict: the batch was not carried out
                    status: Literal["failed", "refused"] = "failed" if _not_carried_out(exc) else "refused"
                    self.finish(batch, status, _describe(exc), len(pending))
                    return
                refusal = isinstance(exc, SignatureRejectedError | AuthenticationError)
                lost = "an unverified refusal" if refusal else "the answer was lost"
                rest = self.reconcile(pending, f"{lost} ({_describe(exc)})")
                if not rest:
                    return
                pending = rest
                continue
            refused = _refusals(answer.err_list, pending)
            if refused:
                # An order may be refused as a duplicate of itself: the client re-sends a batch after an HTTP
                # 503 or 429 (said to mean "not carried out", but no service signs it), and this run re-sends
                # after a lookup that an earlier attempt may have outrun. So a refusal is looked up: an order
                # found in the task with the data sent is accepted, one with other data is a genuine duplicate
                # (refused, saying so); the others keep the service's refusal (unknown if the lookup fails).
                why = "its refusal (a batch that landed and was sent again is refused as a duplicate of itself)"
                refused_orders = [order for order in pending if order.order_id in refused]
                for order in self.reconcile(refused_orders, why, after_refusal=True) or []:
                    self.settle("refused", {order.order_id: refused[order.order_id]})
            self.finish(batch, "accepted", "", len(pending) - len(refused))
            return
        lost = f"no usable answer in {MAX_ROUNDS} sends; not in the task, so safe to send again"
        self.finish(batch, "failed", lost, len(pending))


def _refusals(err_list: Sequence[OrderError] | Unset, sent: Sequence[CallOrder]) -> dict[str, str]:
    """``{orderID: errMsg}`` from an addBatchCall answer's errList (assumed by the spec, AddOrdersResponse:
    the sandbox sends one) for the orders ``sent``; orders not listed were accepted. The orderIDs sent are
    gathered only when the list is not empty (the usual answer: once per batch of up to 10,000)."""
    if isinstance(err_list, Unset) or not err_list:
        return {}
    ids = {order.order_id for order in sent}
    return {item.order_id: item.err_msg or "refused" for item in err_list if item.order_id in ids}
