"""`callbot orders add` and `callbot orders stop`: CSV in, a result CSV out, one line per order."""

from __future__ import annotations

import functools
import gc
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec

import click
from nxcloud_callbot import (
    MAX_ORDER_IDS_PER_STOP,
    MAX_ORDERS_PER_BATCH,
    OrderJournal,
    iter_add_orders,
    stop_orders,
)
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import _exit
from ._app import Settings, fail
from ._contacts import RowProblem, read_contacts, read_order_ids, write_results

MAX_PROBLEMS_SHOWN = 50
P = ParamSpec("P")


@click.group("orders")
def orders() -> None:
    """Add orders to a task from CSV, or stop them, in batches; a result CSV says what became of each."""


@contextmanager
def _progress(total: int, label: str, shown: bool | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (when it is a terminal, or with --progress); yields the advance function."""
    console = Console(stderr=True)
    enabled = console.is_terminal if shown is None else shown
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not enabled) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.advance(task, done)


@contextmanager
def _orders_kept_out_of_collections() -> Iterator[None]:
    """Read a contacts file (the body of the ``with``) with the cyclic collector off, then move what was
    read out of its reach (``gc.freeze``) until the command ends. A million orders are millions of objects
    that live to the end and hold no cycle: the collector would only walk them again and again (a third of
    the reading's time, and of each batch's encoding after it). Frozen before it is switched back on, so no
    collection is merely postponed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _unfrozen_after(command: Callable[P, int]) -> Callable[P, int]:
    """``command``, then ``gc.unfreeze()`` (see _orders_kept_out_of_collections), also after an error: for a
    caller that runs the command in its own process (``callbot_cli.main``)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return command(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run


def _report_problems(problems: Sequence[RowProblem], path: Path) -> None:
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        fail(f"{path}:{problem.line}: {problem.problem}")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        fail(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more rows with problems")


def _summary(counts: Counter[str], invalid: int, result_path: Path) -> int:
    parts = [f"{counts[status]} {status}" for status in ("accepted", "stopped", "refused", "failed", "unknown")]
    shown = [part for part in parts if not part.startswith("0 ")] or ["nothing to do"]
    if invalid:
        shown.append(f"{invalid} invalid rows skipped")
    click.echo(f"{counts.total()} orders: {', '.join(shown)}. Results: {result_path}")
    if counts["failed"] or counts["unknown"]:
        fail("some orders are not settled: run the same command again with --resume")
        return _exit.TRANSPORT
    return _exit.SERVICE_ERROR if counts["refused"] else _exit.OK


def _default(path: Path | None, csv_path: Path, suffix: str) -> Path:
    return path if path is not None else csv_path.with_name(csv_path.stem + suffix)


CSV = click.Path(exists=True, dir_okay=False, path_type=Path)
OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@orders.command("add")
@click.option("--task", required=True, help="The task's userTaskID.")
@click.option("--csv", "csv_path", type=CSV, required=True,
              help="Columns orderID, userPhone; optional other, userName, customerName, param.NAME.")  # fmt: skip
@click.option("--result", "result_path", type=OUT, help="Result CSV [default: <csv>.result.csv].")
@click.option("--journal", "journal_path", type=OUT, help="Journal [default: <csv>.journal.jsonl].")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its journal.")
@click.option("--skip-invalid", is_flag=True, help="Send the valid rows even when some are invalid.")
@click.option("--batch-size", type=click.IntRange(1, MAX_ORDERS_PER_BATCH), default=MAX_ORDERS_PER_BATCH,
              show_default=True, help="Orders per addBatchCall.")  # fmt: skip
@click.option("--concurrency", type=click.IntRange(1, 16), default=4, show_default=True, help="Batches at a time.")
@click.option("--call-callback-url", default="", help="callCallbackUrl of the orders.")
@click.option("--order-callback-url", default="", help="orderCallbackUrl of the orders.")
@click.option("--progress/--no-progress", "show_progress", default=None, help="[default: when stderr is a terminal]")
@click.pass_obj
@_unfrozen_after
def add(
    settings: Settings,
    task: str,
    csv_path: Path,
    result_path: Path | None,
    journal_path: Path | None,
    resume: bool,
    skip_invalid: bool,
    batch_size: int,
    concurrency: int,
    call_callback_url: str,
    order_callback_url: str,
    show_progress: bool | None,
) -> int:
    """Add the orders of a CSV file to TASK. Every row is checked first: nothing is sent while a row is
    invalid (unless --skip-invalid). When an answer is lost, the batch's orders are looked up (listOrder)
    and only those not in the task are sent again; a journal lets an interrupted run be resumed (--resume),
    again without sending an order twice."""
    with _orders_kept_out_of_collections():
        contacts = read_contacts(csv_path)
    if contacts.problems:
        _report_problems(contacts.problems, csv_path)
        if not skip_invalid:
            fail(f"{len(contacts.problems)} invalid rows: nothing was sent. Fix them, or pass --skip-invalid")
            return _exit.BAD_INPUT
    result_path = _default(result_path, csv_path, ".result.csv")
    journal_path = _default(journal_path, csv_path, ".journal.jsonl")
    opener = OrderJournal.resume if resume else OrderJournal.create
    with (
        settings.callbot() as callbot,
        opener(journal_path, task=task, source=contacts.digest) as journal,
        _progress(len(contacts.orders), f"orders → {task}", show_progress) as advance,
    ):
        results = iter_add_orders(
            callbot,
            task,
            contacts.orders,
            call_callback_url=call_callback_url,
            order_callback_url=order_callback_url,
            batch_size=batch_size,
            concurrency=concurrency,
            journal=journal,
            progress=advance,
        )
        counts = write_results(result_path, results, contacts.lines, contacts.problems)
    return _summary(counts, len(contacts.problems), result_path)


@orders.command("stop")
@click.option("--task", required=True, help="The task's userTaskID.")
@click.option("--csv", "csv_path", type=CSV, required=True, help="A CSV with an orderID column.")
@click.option("--result", "result_path", type=OUT, help="Result CSV [default: <csv>.stop-result.csv].")
@click.option("--delete", is_flag=True, help="Also delete the undialed data (delCall 1); asks first.")
@click.option("--yes", is_flag=True, help="Do not ask before --delete.")
@click.option("--batch-size", type=click.IntRange(1, MAX_ORDER_IDS_PER_STOP), default=MAX_ORDER_IDS_PER_STOP,
              show_default=True, help="orderIDs per stopOrder.")  # fmt: skip
@click.option("--progress/--no-progress", "show_progress", default=None, help="[default: when stderr is a terminal]")
@click.pass_obj
def stop(
    settings: Settings,
    task: str,
    csv_path: Path,
    result_path: Path | None,
    delete: bool,
    yes: bool,
    batch_size: int,
    show_progress: bool | None,
) -> int:
    """Stop the orders listed in a CSV (its orderID column) so that they are not dialed; the result CSV
    has one line per order: stopped, or refused with the service's reason (dialed already, unknown, ...)."""
    ids, lines, problems = read_order_ids(csv_path)
    if problems:
        _report_problems(problems, csv_path)
        fail(f"{len(problems)} invalid rows: nothing was sent")
        return _exit.BAD_INPUT
    if delete and not yes:
        if not sys.stdin.isatty():
            fail("--delete deletes the undialed data for good: confirm with --yes when not at a terminal")
            return _exit.BAD_INPUT
        click.confirm(f"Delete the undialed data of {len(ids)} orders of task {task}? It cannot be undone", abort=True)
    result_path = _default(result_path, csv_path, ".stop-result.csv")
    with settings.callbot() as callbot, _progress(len(ids), f"stop → {task}", show_progress) as advance:
        results = stop_orders(callbot, task, ids, delete=delete, batch_size=batch_size, progress=advance)
    counts = write_results(result_path, results, [lines[result.order_id] for result in results])
    return _summary(counts, 0, result_path)
