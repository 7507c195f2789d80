"""Orders in bulk: add thousands of orders to a task without ever sending an order again once it may have
landed, and stop them in batches; one result per order.

``add_orders`` sends addBatchCall batches (at most ``batch_size`` orders each) from a few threads. When a
batch's answer is lost (a reset or timeout, an unverifiable or malformed answer, retCode 5001) the batch
may or may not have been carried out, and sending it again could ring people twice. So it *reconciles*:
it asks the service which of the batch's orders exist (listOrder filtered by their orderIDs), counts those
as accepted, and sends only the rest, in a new batch. An order the service refuses is looked up too: it may
be refused as a duplicate of itself, when a batch that landed was sent again (the client retries after an
unsigned HTTP 503, which no service signs). With an :class:`~callbot_cli.journal.OrderJournal` every
batch is recorded before it is sent, so a run that was killed can be resumed: orders whose fate the journal
does not know are reconciled first, the same way.

Uses only ``callbot_signing`` and ``callbot_client``: no command-line dependency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Literal

from callbot_client.models import CallInfoList, CallOrder, DelCall, ListOrderOptions, OrderError
from callbot_client.types import Unset
from callbot_signing import Callbot, CallbotError, InvalidRequestError

from .journal import OrderJournal

__all__ = [
    "MAX_ORDERS_PER_BATCH",
    "MAX_ORDER_IDS_PER_STOP",
    "OrderResult",
    "OrderStatus",
    "add_orders",
    "find_existing_orders",
    "stop_orders",
]

#: Orders per addBatchCall. The wiki gives no limit; 10,000 is the sandbox's (retCode 4001 above it).
MAX_ORDERS_PER_BATCH: Final = 10_000
#: orderIDs per stopOrder. The wiki gives no limit; 1,000 is the sandbox's.
MAX_ORDER_IDS_PER_STOP: Final = 1_000
#: orderIDs per listOrder lookup (and its page size). listOrder documents no limit.
LOOKUP_SIZE: Final = 1_000
#: Sends of one order's batch after answers were lost, at most (each after a reconciliation).
MAX_ROUNDS: Final = 3
#: retCodes that say the service did nothing: the orders may be sent again later (``failed``).
NOT_CARRIED_OUT: Final = frozenset({5, 7, 1001})
#: retCode 5001 (internal error) may come after the batch was carried out, like a lost answer.
MAYBE_CARRIED_OUT: Final = frozenset({5001})
#: retCodes that refuse the account's credentials (signature, uuid).
CREDENTIALS_REFUSED: Final = frozenset({6, 6001, 6002})

OrderStatus = Literal["accepted", "refused", "failed", "unknown", "stopped"]


@dataclass(frozen=True)
class OrderResult:
    """What became of one order.

    ``status``: ``accepted`` (it is in the task: the service took it, or it was found there after a lost
    answer); ``refused`` (the service refused it, ``message`` says why; final); ``failed`` (not carried out,
    e.g. the service was busy: safe to send again); ``unknown`` (its answer was lost and the service could not
    be asked: resume with the journal to find out); for :func:`stop_orders`, ``stopped`` or ``refused``.
    """

    order_id: str
    status: OrderStatus
    message: str = ""


def _is_ambiguous(exc: CallbotError) -> bool:
    """Whether the failed call may have been carried out all the same: the client says its outcome is
    unknown (e.g. a refusal that is not signed, which an intermediary may have forged after forwarding the
    batch), or no retCode came back, or retCode 5001."""
    if exc.outcome_unknown:
        return True
    if exc.ret_code is not None:
        return exc.ret_code in MAYBE_CARRIED_OUT
    # No retCode: a lost or unusable answer (connection, timeout, signature, malformed), except a request
    # refused before it was sent (InvalidRequestError without retCode).
    return not isinstance(exc, InvalidRequestError)


def _describe(exc: CallbotError) -> str:
    if exc.ret_code is not None:
        return f"retCode {exc.ret_code}: {exc.ret_msg or ''} (responseID={exc.response_id})"
    return f"{type(exc).__name__}: {exc.message}"


def find_existing_orders(callbot: Callbot[Any], user_task_id: str, order_ids: Sequence[str]) -> set[str]:
    """Which of ``order_ids`` exist in the task: listOrder filtered by orderID, ``LOOKUP_SIZE`` at a time.

    Pages until an empty page or every ID was seen (a service that caps the page size still gets asked for
    the next page); at most one page more than there are IDs. Raises CallbotError when the service cannot
    answer.
    """
    wanted = set(order_ids)
    found: set[str] = set()
    for start in range(0, len(order_ids), LOOKUP_SIZE):
        chunk = list(order_ids[start : start + LOOKUP_SIZE])
        for page in range(1, len(chunk) + 2):
            answer = callbot.list_order(
                user_task_id=user_task_id, options=ListOrderOptions(order_id=chunk), page=page, size=len(chunk)
            )
            rows = answer.order_list if isinstance(answer.order_list, list) else []
            found.update(row.order_id for row in rows if isinstance(row.order_id, str) and row.order_id in wanted)
            if not rows or len(rows) >= len(chunk) or found.issuperset(chunk):
                break
    return found


class _Import:
    """One add_orders run: its settings, results and journal."""

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
        self.results: dict[str, OrderResult] = {}
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

    def reconcile(self, order_ids: list[str], why: str) -> list[str] | None:
        """Settle those found in the task as accepted; return the others (None: the service could not say)."""
        try:
            landed = find_existing_orders(self.callbot, self.task, order_ids)
        except CallbotError as exc:
            hint = (
                "check the uuid, secret key and algorithm, then resume: the orders are looked up before anything "
                "is sent"
                if exc.ret_code in CREDENTIALS_REFUSED
                else "resume to find out"
            )
            message = f"{why}; looking the orders up failed too ({_describe(exc)}): {hint}"
            self.settle("unknown", dict.fromkeys(order_ids, message))
            return None
        self.settle("accepted", {i: f"found in the task after {why}" for i in order_ids if i in landed})
        return [order_id for order_id in order_ids if order_id not in landed]

    def deliver(self, batch: list[CallOrder]) -> None:
        """Send one batch, reconciling and re-sending the rest after a lost answer, at most MAX_ROUNDS times."""
        by_id = {order.order_id: order for order in batch}
        pending = list(batch)
        for _ in range(MAX_ROUNDS):
            ids = [order.order_id for order in pending]
            if self.journal is not None:
                self.journal.sending(ids)
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
                if not _is_ambiguous(exc):
                    failed = exc.ret_code in NOT_CARRIED_OUT or exc.ret_code is None
                    self.settle("failed" if failed else "refused", dict.fromkeys(ids, _describe(exc)))
                    return
                lost = "an unverified refusal" if exc.ret_code in CREDENTIALS_REFUSED else "the answer was lost"
                rest = self.reconcile(ids, f"{lost} ({_describe(exc)})")
                if not rest:
                    return
                pending = [by_id[order_id] for order_id in rest]
                continue
            refused = _refusals(answer.err_list, set(ids))
            self.settle("accepted", {order_id: "" for order_id in ids if order_id not in refused})
            if refused:
                # An order may be refused as a duplicate of itself: the client re-sends a batch after an HTTP
                # 503 or 429 (said to mean "not carried out", but no service signs it), and this run re-sends
                # after a lookup that an earlier attempt may have outrun. So a refusal is looked up: an order
                # found in the task is accepted, the others are refused (unknown if the lookup fails).
                why = "a refusal (an order already in the task is refused)"
                for order_id in self.reconcile(list(refused), why) or []:
                    self.settle("refused", {order_id: refused[order_id]})
            return
        lost = f"no usable answer in {MAX_ROUNDS} sends; not in the task, so safe to send again"
        self.settle("failed", {order.order_id: lost for order in pending})


def _refusals(err_list: Sequence[OrderError] | Unset, sent: set[str]) -> dict[str, str]:
    """``{orderID: errMsg}`` from an addBatchCall answer's errList (assumed by the spec, AddOrdersResponse:
    the sandbox sends one); orders not listed were accepted."""
    if isinstance(err_list, Unset):
        return {}
    return {item.order_id: item.err_msg or "refused" for item in err_list if item.order_id in sent}


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

    Orders go in addBatchCall batches of at most ``batch_size``, ``concurrency`` batches at a time, through
    ``callbot`` (a raising :class:`~callbot_signing.Callbot`). An order is never sent again once it may have
    landed: after a lost answer the batch's orders are looked up with :func:`find_existing_orders`, those
    found count as accepted and only the others are sent again. With a ``journal`` every batch is recorded
    before it is sent and every outcome after; orders the journal settled already are not sent again and
    those it left in doubt are looked up first. ``progress`` is called with the number of orders settled at
    each step. ValueError for a repeated orderID or a bad setting, before anything is sent.
    """
    if not 1 <= batch_size <= MAX_ORDERS_PER_BATCH:
        raise ValueError(f"batch_size must be between 1 and {MAX_ORDERS_PER_BATCH}, got {batch_size}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be 1 or more, got {concurrency}")
    ordered = list(orders)
    seen: set[str] = set()
    for order in ordered:
        if order.order_id in seen:
            raise ValueError(f"orderID {order.order_id!r} is given twice: orderIDs must be unique")
        seen.add(order.order_id)
    run = _Import(callbot, user_task_id, (call_callback_url, order_callback_url), journal, progress)
    known = dict(journal.states) if journal is not None else {}
    in_doubt: list[str] = []
    for order in ordered:
        state, message = known.get(order.order_id, ("failed", ""))  # failed or never sent: send it
        if state == "accepted" or state == "refused":
            run.results[order.order_id] = OrderResult(order.order_id, state, message)
        elif state == "sending" or state == "unknown":
            in_doubt.append(order.order_id)
    if progress is not None and run.results:
        progress(len(run.results))
    if in_doubt:
        run.reconcile(in_doubt, "an earlier run was interrupted")
    to_send = [order for order in ordered if order.order_id not in run.results]
    batches = [to_send[start : start + batch_size] for start in range(0, len(to_send), batch_size)]
    with ThreadPoolExecutor(max_workers=min(concurrency, max(1, len(batches)))) as pool:
        for future in [pool.submit(run.deliver, batch) for batch in batches]:
            future.result()
    return [run.results[order.order_id] for order in ordered]


def stop_orders(
    callbot: Callbot[Any],
    user_task_id: str,
    order_ids: Iterable[str],
    *,
    delete: bool = False,
    batch_size: int = MAX_ORDER_IDS_PER_STOP,
    progress: Callable[[int], None] | None = None,
) -> list[OrderResult]:
    """Stop orders with stopOrder, ``batch_size`` at a time; one :class:`OrderResult` per ID, in order:
    ``stopped``, or ``refused`` with the errList message (e.g. dialed already). ``delete`` also deletes the
    undialed data (delCall 1). stopOrder is idempotent, so the client retries a lost answer itself; a batch
    that still fails is ``failed`` with the error. Sequential: stopping is rarely large."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be 1 or more, got {batch_size}")
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
