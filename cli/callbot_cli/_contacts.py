"""Reading orders (and order IDs) from CSV, every row checked before anything is sent; writing result CSVs."""

from __future__ import annotations

import csv
import hashlib
import os
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from callbot_client.models import CallOrder, Param
from callbot_client.types import UNSET
from nxcloud_callbot import OrderResult

#: Columns of a contacts file: orderID and userPhone required; the optional fields of the spec's CallOrder;
#: and one ``param.NAME`` column per template variable of the script (its value, per row).
REQUIRED = ("orderID", "userPhone")
OPTIONAL = ("other", "userName", "customerName")
PARAM_PREFIX = "param."
PHONE = re.compile(r"[0-9]{5,20}")
MAX_ID_LENGTH = 128


class RowProblem(NamedTuple):
    """A row left out: its line, its orderID as written (empty when it has none) and why."""

    line: int
    order_id: str
    problem: str


@dataclass
class Contacts:
    """The orders of a file with the line each came from (``lines[n]`` for ``orders[n]``), and the problems
    of the rows left out."""

    orders: list[CallOrder] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("L"))
    problems: list[RowProblem] = field(default_factory=list)
    digest: str = ""


def file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(chunk)
    return "sha256:" + hasher.hexdigest()


def _id_problem(value: str) -> str | None:
    if not value:
        return "orderID is empty"
    if value != value.strip() or not value.isprintable():
        return f"orderID {value!r} has surrounding whitespace or a control character"
    if len(value) > MAX_ID_LENGTH:
        return f"orderID is {len(value)} characters long, more than {MAX_ID_LENGTH}"
    return None


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) per record that is not an empty line; ValueError for a file that
    is not CSV text."""
    start = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            for record in reader:
                line, start = start, reader.line_num + 1
                if record:
                    yield line, record
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}): save it as UTF-8 CSV") from None
    except csv.Error as exc:
        raise ValueError(f"{path}:{start}: not readable as CSV ({exc}): an unclosed quote?") from None


def _table(path: Path, check_header: Callable[[int, list[str]], None]) -> Iterator[tuple[int, dict[str, str], bool]]:
    """(line, row by column name, whether its cell count is the header's) per record.

    A record whose cells are all blank is skipped when the file has several columns (a spreadsheet's empty
    row: no orderID nor anything else); in a one-column file that cell is the orderID, so the row is kept
    (an empty orderID is reported, never skipped). Empty lines are skipped everywhere."""
    header: list[str] | None = None
    for line, record in _records(path):
        blank = not any(cell.strip() for cell in record)
        if header is None:
            if not blank:
                header = [name.strip() for name in record]
                check_header(line, header)
        elif not blank or len(header) == 1:
            yield line, dict(zip(header, record, strict=False)), len(record) == len(header)


def _contacts_header(line: int, header: list[str]) -> None:
    missing = [name for name in REQUIRED if name not in header]
    unknown = [n for n in header if n not in REQUIRED + OPTIONAL and not (n.startswith(PARAM_PREFIX) and n[6:])]
    if missing or unknown or len(set(header)) != len(header):
        raise ValueError(
            f"line {line}: the header must name the columns {', '.join(REQUIRED)} (required), "
            f"{', '.join(OPTIONAL)} and param.NAME (optional), each once; "
            + (f"missing {missing}" if missing else f"unknown {unknown}" if unknown else "a column repeats")
        )


def read_contacts(path: Path) -> Contacts:
    """Every row of a contacts CSV checked; ValueError for an unusable file (header, encoding, no rows).

    Runs once per row of files of millions of rows, so a row that is fine takes a short path (the rows read
    as lists, no dict per row, its order built in one call); a row with a problem is checked again to say
    which. A row whose cells are all blank is skipped (see ``_table``)."""
    contacts = Contacts(digest=file_digest(path))
    seen: set[str] = set()
    repeated: dict[str, list[int]] = {}  # orderID -> the indexes of its rows in contacts.problems
    records = _records(path)
    header: list[str] = []
    for line, record in records:
        if any(cell.strip() for cell in record):
            header = [name.strip() for name in record]
            _contacts_header(line, header)
            break
    width, build = len(header), _order_builder(header)
    id_column, phone_column = header.index("orderID") if header else 0, header.index("userPhone") if header else 0
    orders, lines = contacts.orders, contacts.lines
    for line, record in records:
        if len(record) == width:
            order_id, phone = record[id_column], record[phone_column]
            if (
                0 < len(order_id) <= MAX_ID_LENGTH
                and 5 <= len(phone) <= 20
                and phone.isascii()
                and phone.isdigit()  # with isascii: [0-9]{5,20}, as PHONE
                and "".join(record).isprintable()
                and order_id == order_id.strip()
                and order_id not in seen
            ):
                seen.add(order_id)
                lines.append(line)
                orders.append(build(record))
                continue
        if not any(cell.strip() for cell in record):  # a spreadsheet's empty row
            continue
        problem = _row_problem(record, header, seen)
        if problem is None:  # the short path is stricter in form only: taken after all
            seen.add(record[id_column])
            lines.append(line)
            orders.append(build(record))
            continue
        order_id = dict(zip(header, record, strict=False)).get("orderID", "")
        if problem == REPEATS:
            repeated.setdefault(order_id, []).append(len(contacts.problems))
        contacts.problems.append(RowProblem(line, order_id, problem))
    if repeated:  # the line each repeats: one more pass over what was read, only when an orderID repeats
        first = {order.order_id: n for order, n in zip(orders, lines, strict=True) if order.order_id in repeated}
        for order_id, indexes in repeated.items():
            for index in indexes:
                row = contacts.problems[index]
                contacts.problems[index] = row._replace(problem=f"orderID {order_id!r} repeats line {first[order_id]}")
    if not contacts.orders and not contacts.problems:
        raise ValueError(f"{path} has no orders: a header line (orderID,userPhone,...) and one line per order")
    return contacts


REPEATS = "repeats"


def _row_problem(record: list[str], header: list[str], seen: set[str]) -> str | None:
    """Why a row that did not take the short path is left out (REPEATS: its orderID repeats one read before);
    None when it is fine after all."""
    if len(record) != len(header):
        return "the number of cells differs from the header's"
    row = dict(zip(header, record, strict=True))
    problem = _id_problem(row["orderID"])
    if problem is not None:
        return problem
    if not PHONE.fullmatch(row["userPhone"]):
        return f"userPhone {row['userPhone']!r} is not a phone number with country code, digits only (8613800000000)"
    for name, value in row.items():
        if not value.isprintable():
            return f"{name} has a control character (a line break inside quotes?)"
    return REPEATS if row["orderID"] in seen else None


def _order_builder(header: list[str]) -> Callable[[list[str]], CallOrder]:
    """A function that makes a CallOrder of a row of the file (its cells, in the header's order), in one call:
    an optional column left empty is left out of the order (UNSET)."""
    column = {name: index for index, name in enumerate(header)}
    order_id, phone = column.get("orderID", 0), column.get("userPhone", 0)
    other, user_name, customer_name = (column.get(name, -1) for name in OPTIONAL)
    params = [(name[len(PARAM_PREFIX) :], index) for name, index in column.items() if name.startswith(PARAM_PREFIX)]

    def build(record: list[str]) -> CallOrder:
        return CallOrder(
            order_id=record[order_id],
            user_phone=record[phone],
            other=(record[other] or UNSET) if other >= 0 else UNSET,
            user_name=(record[user_name] or UNSET) if user_name >= 0 else UNSET,
            customer_name=(record[customer_name] or UNSET) if customer_name >= 0 else UNSET,
            params=[Param(name=name, value=record[index]) for name, index in params] if params else UNSET,
        )

    if len(params) != 1:
        return build
    (param_name, param_index), unset = params[0], UNSET

    def build_with_one_param(record: list[str]) -> CallOrder:  # the usual file: no comprehension per row
        return CallOrder(
            order_id=record[order_id],
            user_phone=record[phone],
            other=(record[other] or unset) if other >= 0 else unset,
            user_name=(record[user_name] or unset) if user_name >= 0 else unset,
            customer_name=(record[customer_name] or unset) if customer_name >= 0 else unset,
            params=[Param(name=param_name, value=record[param_index])],
        )

    return build_with_one_param


def _ids_header(line: int, header: list[str]) -> None:
    if "orderID" not in header:
        raise ValueError(f"line {line}: the header has no orderID column (found: {','.join(header)})")


def read_order_ids(path: Path) -> tuple[list[str], dict[str, int], list[RowProblem]]:
    """The orderID column of a CSV (other columns are ignored): IDs, their lines, and the problems (an empty
    orderID is one, also in a one-column file)."""
    ids: list[str] = []
    lines: dict[str, int] = {}
    problems: list[RowProblem] = []
    for line, row, complete in _table(path, _ids_header):
        order_id = row.get("orderID", "")
        problem = _id_problem(order_id) if complete else "the number of cells differs from the header's"
        if problem is None and order_id in lines:
            problem = f"orderID {order_id!r} repeats line {lines[order_id]}"
        if problem is not None:
            problems.append(RowProblem(line, order_id, problem))
            continue
        ids.append(order_id)
        lines[order_id] = line
    if not ids and not problems:
        raise ValueError(f"{path} has no order IDs: a header line with orderID and one line per order")
    return ids, lines, problems


#: Result lines gathered before they are written at once (the fast path of write_results).
RESULT_LINES_PER_WRITE = 4096


def _needs_quotes(cell: str) -> bool:
    """Whether the csv module (excel dialect, minimal quoting) would quote ``cell``."""
    return '"' in cell or "," in cell or "\r" in cell or "\n" in cell


def write_results(
    path: Path, results: Iterable[OrderResult], lines: Iterable[int], problems: Sequence[RowProblem] = ()
) -> Counter[str]:
    """One line per order (``lines``: the input line of each result, in the same order, ascending) and per
    invalid row (with its orderID as written and why), by input line; written as the results come (a stream:
    nothing is kept per order), to a temporary file that is then renamed, so that a reader never sees half a
    file. Returns the number of results by status.

    Runs once per order of millions: a result without a message whose orderID needs no quoting (the usual
    one) is formatted as the csv module would write it and written with a few thousand others at once;
    statuses are counted by runs of the same status."""
    counts: Counter[str] = Counter()
    pending = iter(sorted(problems))
    problem = next(pending, None)
    temporary = path.with_name(path.name + ".partial")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "orderID", "status", "message"])
        chunk: list[str] = []
        last, run = "", 0  # the status of the latest results, and how many in a row have it
        for result, line in zip(results, lines, strict=True):
            if problem is not None and problem.line < line:
                handle.write("".join(chunk))
                chunk.clear()
                while problem is not None and problem.line < line:
                    writer.writerow((problem.line, problem.order_id, "invalid", problem.problem))
                    problem = next(pending, None)
            order_id, status, message = result.order_id, result.status, result.message
            if status is not last:
                if run:
                    counts[last] += run
                last, run = status, 0
            run += 1
            if message or _needs_quotes(order_id):
                handle.write("".join(chunk))
                chunk.clear()
                writer.writerow((line, order_id, status, message))
            else:
                chunk.append(f"{line},{order_id},{status},\r\n")
                if len(chunk) >= RESULT_LINES_PER_WRITE:
                    handle.write("".join(chunk))
                    chunk.clear()
        handle.write("".join(chunk))
        if run:
            counts[last] += run
        while problem is not None:
            writer.writerow((problem.line, problem.order_id, "invalid", problem.problem))
            problem = next(pending, None)
    os.replace(temporary, path)
    return counts
