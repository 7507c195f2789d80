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

Results are kept per batch, not per order (:func:`iter_add_orders` streams them in input order), and the
journal names each batch by its rows (see :mod:`nxcloud_callbot.journal`). Delivering one batch, and the
reconciliation, are in ``_order_delivery.py``.

Uses only ``callbot_signing`` and ``callbot_client``: no command-line dependency.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final

from callbot_client.models import CallOrder, DelCall
from callbot_signing import Callbot, CallbotError
from callbot_signing.wire import check_count

from ._journal_records import CODES, Replay
from ._order_delivery import OrderResult, OrderStatus, _Batch, _describe, _Import, _order_rows, _result
from .journal import OrderJournal

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
#: The journal's states of an order that is sent (again) unless a lookup finds it: never sent, failed, in doubt.
_TO_SEND: Final = frozenset({0, CODES["failed"], CODES["sending"], CODES["unknown"]})
#: The journal's states of an order whose fate it does not know: looked up before anything is sent.
_IN_DOUBT: Final = frozenset({CODES["sending"], CODES["unknown"]})


def find_existing_orders(callbot: Callbot[Any], user_task_id: str, order_ids: Sequence[str]) -> set[str]:
    """Which of ``order_ids`` exist in the task: listOrder filtered by orderID, 1,000 (LOOKUP_SIZE) at a time.

    Pages until an empty page or every ID was seen (a service that caps the page size still gets asked for
    the next page); at most one page more than there are IDs. Raises CallbotError when the service cannot
    answer.
    """
    return set(_order_rows(callbot, user_task_id, order_ids))


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
    next_batch = run.journal.next_batch if run.journal is not None else 1
    if not any(replay.codes):  # a fresh run: every order is sent, in input order, one batch's results after another
        delivered = _in_order(_batches(orders, range(len(orders)), batch_size, next_batch), run.deliver, concurrency)
        return _batch_results(run, delivered)
    return _resumed(run, orders, replay, batch_size, concurrency, next_batch)


def _batches(orders: Sequence[CallOrder], to_send: Sequence[int], size: int, first_number: int) -> Iterator[_Batch]:
    """The orders at the positions ``to_send`` in batches of ``size``, numbered from ``first_number``."""
    for number, start in enumerate(range(0, len(to_send), size), start=first_number):
        positions = to_send[start : start + size]
        if isinstance(orders, list) and isinstance(positions, range) and positions.step == 1:
            yield _Batch(number, positions, orders[positions.start : positions.stop])
        else:
            yield _Batch(number, positions, [orders[p] for p in positions])


def _resumed(
    run: _Import, orders: Sequence[CallOrder], replay: Replay, batch_size: int, concurrency: int, next_batch: int
) -> Iterator[OrderResult]:
    """The results of a run that resumes a journal: the orders it settled are not sent again, those it left in
    doubt are looked up first (as the iterator is first read), the others are sent."""
    codes = replay.codes
    settled = codes.count(CODES["accepted"]) + codes.count(CODES["refused"])
    if run.progress is not None and settled:
        run.progress(settled)
    in_doubt = [orders[p] for p in range(len(orders)) if codes[p] in _IN_DOUBT]
    if in_doubt:  # looked up first: found ones are settled, the others are sent with the rest
        run.reconcile(in_doubt, "an earlier run was interrupted")
        del in_doubt
    to_send = [p for p in range(len(orders)) if codes[p] in _TO_SEND and orders[p].order_id not in run.results]
    delivered = _in_order(_batches(orders, to_send, batch_size, next_batch), run.deliver, concurrency)
    batch: _Batch | None = None
    rank = -1  # the index in to_send of the last order sent
    for position, order in enumerate(orders):
        order_id = order.order_id
        if rank + 1 < len(to_send) and to_send[rank + 1] == position:
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


def _batch_results(run: _Import, delivered: Iterator[_Batch]) -> Iterator[OrderResult]:
    """One result per order of each batch, once delivered: its batch's outcome, or the one it was settled with
    one by one (``run.results``). Runs once per order of millions: a batch none of whose orders was settled one
    by one (the usual case) takes a loop that only makes results, and they are made without the frozen
    dataclass's ``__init__`` (see ``_result``)."""
    new, set_attribute = object.__new__, object.__setattr__
    for batch in delivered:
        status, message = batch.outcome
        if run.results:  # only this batch's own delivery settles its orders, and it is over
            for order in batch.orders:
                order_id = order.order_id
                settled = run.results.pop(order_id, None)
                yield settled or _result(order_id, status, message)
            continue
        for order in batch.orders:
            result = new(OrderResult)
            set_attribute(result, "__dict__", {"order_id": order.order_id, "status": status, "message": message})
            yield result


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
