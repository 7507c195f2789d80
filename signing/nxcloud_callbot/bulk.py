"""Orders in bulk: add thousands of orders to a task without ever sending an order again once it may have
landed, and stop them in batches; one result per order.

``add_orders`` sends addBatchCall batches (at most ``batch_size`` orders each) from a few threads. When a
batch's outcome is unknown (the client's own verdict, ``CallbotError.outcome_unknown``: a lost or
unverifiable answer, retCode 5001, an unsigned refusal) the batch may or may not have been carried out,
and sending it again could ring people twice. So it *reconciles*: it asks the service which of the batch's
orders exist (listOrder filtered by their orderIDs) and sends only the rest, in a new batch. An order the
service refuses is looked up too: it may be refused as a duplicate of itself, when a batch that landed was
sent again (the client retries after an unsigned HTTP 503, which no service signs). With an
:class:`~nxcloud_callbot.OrderJournal` every batch is recorded before it is sent, so a run that was
killed can be resumed: orders whose fate the journal does not know are reconciled first, the same way.

Every reconciliation tells our order from another one holding the same orderID by its data: listOrder's rows
carry ``userPhone``, ``userName`` and ``other`` (OrderInfo in the spec); a row with the data we sent is our
order (``accepted``), a row with other data is a different order (``refused``: the orderID exists with other
data). A row that carries none of those fields cannot be told apart: after a lost answer it counts as ours,
after a refusal the refusal stands.

Uses only ``callbot_signing`` and ``callbot_client``: no command-line dependency.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Literal

from callbot_client.models import CallInfoList, CallOrder, DelCall, ListOrderOptions, OrderError, OrderWithLastCall
from callbot_client.types import Unset
from callbot_signing import (
    AuthenticationError,
    BatchInProgressError,
    Callbot,
    CallbotError,
    ServiceUnavailableError,
    SignatureRejectedError,
)
from callbot_signing.wire import check_count

from .journal import CODES, OrderJournal, Replay

__all__ = [
    "MAX_ORDERS_PER_BATCH",
    "MAX_ORDER_IDS_PER_STOP",
    "OrderResult",
    "OrderStatus",
    "add_orders",
    "find_existing_orders",
    "iter_add_orders",
    "stop_orders",
]

#: Orders per addBatchCall. The wiki gives no limit; 10,000 is the sandbox's (retCode 4001 above it).
MAX_ORDERS_PER_BATCH: Final = 10_000
#: orderIDs per stopOrder. The wiki gives no limit; 1,000 is the sandbox's (and the spec's maxItems).
MAX_ORDER_IDS_PER_STOP: Final = 1_000
#: Batches in flight at once, at most: one thread each.
MAX_CONCURRENCY: Final = 64
#: orderIDs per listOrder lookup (and its page size). listOrder documents no limit.
LOOKUP_SIZE: Final = 1_000
#: Sends of one order's batch after answers were lost, at most (each after a reconciliation).
MAX_ROUNDS: Final = 3
#: The fields of an order that listOrder's rows carry too (OrderInfo), compared to tell our order from
#: another one holding the same orderID: (attribute, name in the spec).
COMPARED_FIELDS: Final = (("user_phone", "userPhone"), ("user_name", "userName"), ("other", "other"))

#: The journal's states of an order that is sent (again) unless a lookup finds it: never sent, failed, in doubt.
_TO_SEND: Final = frozenset({0, CODES["failed"], CODES["sending"], CODES["unknown"]})

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
    ``object.__setattr__`` calls): one is made per order, for millions of orders."""
    result = object.__new__(OrderResult)
    result.__dict__.update(order_id=order_id, status=status, message=message)
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


def find_existing_orders(callbot: Callbot[Any], user_task_id: str, order_ids: Sequence[str]) -> set[str]:
    """Which of ``order_ids`` exist in the task: listOrder filtered by orderID, ``LOOKUP_SIZE`` at a time.

    Pages until an empty page or every ID was seen (a service that caps the page size still gets asked for
    the next page); at most one page more than there are IDs. Raises CallbotError when the service cannot
    answer.
    """
    return set(_order_rows(callbot, user_task_id, order_ids))


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
            refused = _refusals(answer.err_list, {order.order_id for order in pending})
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


def _refusals(err_list: Sequence[OrderError] | Unset, sent: set[str]) -> dict[str, str]:
    """``{orderID: errMsg}`` from an addBatchCall answer's errList (assumed by the spec, AddOrdersResponse:
    the sandbox sends one); orders not listed were accepted."""
    if isinstance(err_list, Unset):
        return {}
    return {item.order_id: item.err_msg or "refused" for item in err_list if item.order_id in sent}


def _in_order(batches: Iterator[_Batch], deliver: Callable[[_Batch], None], concurrency: int) -> Iterator[_Batch]:
    """Deliver ``batches`` ``concurrency`` at a time; yield each once delivered, in their order. At most
    2 x ``concurrency`` are taken ahead, so that memory stays bounded whatever the number of batches."""
    ahead: deque[tuple[_Batch, Future[None]]] = deque()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        try:
            for batch in batches:
                ahead.append((batch, pool.submit(deliver, batch)))
                if len(ahead) >= 2 * concurrency:
                    done, future = ahead.popleft()
                    future.result()
                    yield done
            while ahead:
                done, future = ahead.popleft()
                future.result()
                yield done
        finally:  # an error, or the caller stopped reading: the batches not started are not sent
            for _, future in ahead:
                future.cancel()


def iter_add_orders(
    callbot: Callbot[Any],
    user_task_id: str,
    orders: Sequence[CallOrder],
    *,
    call_callback_url: str = "",
    order_callback_url: str = "",
    batch_size: int = MAX_ORDERS_PER_BATCH,
    concurrency: int = 4,
    journal: OrderJournal | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[OrderResult]:
    """:func:`add_orders`, its results streamed: one :class:`OrderResult` per order, in input order, each as
    soon as its batch is settled, holding no more than a few batches in memory besides ``orders``. The
    settings, the journal and the orderIDs are checked when it is called, before anything is sent (the same
    errors as add_orders); orders are sent as the iterator is consumed."""
    batch_size = check_count("batch_size", batch_size, maximum=MAX_ORDERS_PER_BATCH)
    concurrency = check_count("concurrency", concurrency, maximum=MAX_CONCURRENCY)
    order_ids = [order.order_id for order in orders]
    if len(set(order_ids)) != len(order_ids):
        seen: set[str] = set()
        for order_id in order_ids:
            if order_id in seen:
                raise ValueError(f"orderID {order_id!r} is given twice: orderIDs must be unique")
            seen.add(order_id)
    replay = journal.replay(order_ids) if journal is not None else Replay(len(order_ids))
    del order_ids
    run = _Import(callbot, user_task_id, (call_callback_url, order_callback_url), journal, progress)
    return _add_in_order(run, orders, replay, batch_size, concurrency)


def _add_in_order(
    run: _Import, orders: Sequence[CallOrder], replay: Replay, batch_size: int, concurrency: int
) -> Iterator[OrderResult]:
    codes = replay.codes
    settled = codes.count(CODES["accepted"]) + codes.count(CODES["refused"])
    if run.progress is not None and settled:
        run.progress(settled)
    in_doubt = [orders[p] for p in range(len(orders)) if codes[p] in (CODES["sending"], CODES["unknown"])]
    if in_doubt:  # looked up first: found ones are settled, the others are sent with the rest
        run.reconcile(in_doubt, "an earlier run was interrupted")
        del in_doubt
    fresh = not any(codes)
    to_send: Sequence[int] = (
        range(len(orders))
        if fresh
        else [p for p in range(len(orders)) if codes[p] in _TO_SEND and orders[p].order_id not in run.results]
    )
    next_batch = run.journal.next_batch if run.journal is not None else 1

    def batches() -> Iterator[_Batch]:
        for number, start in enumerate(range(0, len(to_send), batch_size), start=next_batch):
            positions = to_send[start : start + batch_size]
            yield _Batch(number, positions, [orders[p] for p in positions])

    delivered = _in_order(batches(), run.deliver, concurrency)
    batch: _Batch | None = None
    rank = -1  # the index in to_send of the last order sent
    for position, order in enumerate(orders):
        order_id = order.order_id
        if fresh or (rank + 1 < len(to_send) and to_send[rank + 1] == position):
            rank += 1
            if rank % batch_size == 0:
                batch = next(delivered)
            assert batch is not None
            result = run.results.pop(order_id, None)
            yield result or _result(order_id, *batch.outcome)
        elif order_id in run.results:
            yield run.results.pop(order_id)
        else:
            state, message = replay.state(position)
            assert state == "accepted" or state == "refused"
            yield _result(order_id, state, message)


def add_orders(
    callbot: Callbot[Any],
    user_task_id: str,
    orders: Iterable[CallOrder],
    *,
    call_callback_url: str = "",
    order_callback_url: str = "",
    batch_size: int = MAX_ORDERS_PER_BATCH,
    concurrency: int = 4,
    journal: OrderJournal | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[OrderResult]:
    """Add ``orders`` to the task ``user_task_id``; return one :class:`OrderResult` per order, in input order.

    Orders go in addBatchCall batches of at most ``batch_size`` (1 to MAX_ORDERS_PER_BATCH), ``concurrency``
    (1 to MAX_CONCURRENCY) batches at a time, through ``callbot`` (a raising :class:`~callbot_signing.Callbot`).
    An order is never sent again once it may have landed: when a batch's ``outcome_unknown`` is set, its
    orders are looked up (listOrder), those found in the task are settled (``accepted`` with the data sent,
    ``refused`` with other data) and only the others are sent again. With a ``journal`` every batch is
    recorded before it is sent and every outcome after; orders the journal settled already are not sent
    again and those it left in doubt are looked up first (a resume needs the same orders in the same order:
    the journal names batches by their positions, JournalError otherwise). ``progress`` is called with the
    number of orders settled at each step. ValueError for a repeated orderID or a setting out of range,
    TypeError for a setting that is not a whole number, before anything is sent. :func:`iter_add_orders`
    streams the same results.
    """
    ordered = orders if isinstance(orders, Sequence) else list(orders)
    return list(
        iter_add_orders(
            callbot,
            user_task_id,
            ordered,
            call_callback_url=call_callback_url,
            order_callback_url=order_callback_url,
            batch_size=batch_size,
            concurrency=concurrency,
            journal=journal,
            progress=progress,
        )
    )


def stop_orders(
    callbot: Callbot[Any],
    user_task_id: str,
    order_ids: Iterable[str],
    *,
    delete: bool = False,
    batch_size: int = MAX_ORDER_IDS_PER_STOP,
    progress: Callable[[int], None] | None = None,
) -> list[OrderResult]:
    """Stop orders with stopOrder, ``batch_size`` (1 to MAX_ORDER_IDS_PER_STOP) at a time; one
    :class:`OrderResult` per ID, in order: ``stopped``, or ``refused`` with the errList message (e.g. dialed
    already). ``delete`` also deletes the undialed data (delCall 1). stopOrder is idempotent, so the client
    retries a lost answer itself; a batch that still fails is ``failed`` with the error. Sequential: stopping
    is rarely large. ValueError or TypeError for a ``batch_size`` out of range or not a whole number."""
    batch_size = check_count("batch_size", batch_size, maximum=MAX_ORDER_IDS_PER_STOP)
    ids = list(order_ids)
    results: dict[str, OrderResult] = {}
    for start in range(0, len(ids), batch_size):
        batch = list(dict.fromkeys(ids[start : start + batch_size]))
        try:
            answer = callbot.stop_order(
                user_task_id=user_task_id, order_ids=batch, del_call=DelCall.DELETE if delete else DelCall.KEEP
            )
        except CallbotError as exc:
            results.update({i: OrderResult(i, "failed", _describe(exc)) for i in batch})
        else:
            errors = {error.order_id: error.err_msg for error in answer.err_list}
            for order_id in batch:
                refused = order_id in errors
                results[order_id] = OrderResult(order_id, "refused" if refused else "stopped", errors.get(order_id, ""))
        if progress is not None:
            progress(len(batch))
    return [results[order_id] for order_id in ids]
