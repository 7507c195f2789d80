"""The order journal's format (version 2): a line per batch before it is sent, naming its rows and a digest of
its orderIDs, and a line for its outcome; orders named one by one only where the outcome was in doubt. A run
killed between batches or with a batch's answer lost resumes without sending an order twice; a resume with
other orders is refused before anything is sent; a journal of version 1 is read."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from callbot_client.models import CallOrder
from nxcloud_callbot import Callbot, JournalError, OrderJournal, add_orders, iter_add_orders

from .._support import FAULT_SECRET, FAULT_UUID, envelope, reply

TASK = "journal-task"


class Service:
    """A mock Callbot that keeps the orders added: addBatchCall adds them (unless it is told to crash), listOrder
    shows those asked for that it holds. ``batches`` and ``looked_up`` list the orderIDs of each request."""

    def __init__(self, crash_on_batch: int = 0, crash_after_landing: bool = True) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.batches: list[list[str]] = []
        self.looked_up: list[list[str]] = []
        self.crash_on_batch = crash_on_batch
        self.crash_after_landing = crash_after_landing
        self.dead = False  # crashed: every request after is lost too, as in a killed process
        self.sent_twice: list[str] = []  # orders sent when the service held them already

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.dead:
            raise KeyboardInterrupt
        body = json.loads(request.content)
        if request.url.path.endswith("/addBatchCall"):
            sent = body["callInfoList"]["callList"]
            self.batches.append([order["orderID"] for order in sent])
            self.sent_twice += [order["orderID"] for order in sent if order["orderID"] in self.orders]
            self.dead = len(self.batches) == self.crash_on_batch
            if not self.dead or self.crash_after_landing:
                self.orders.update((order["orderID"], order) for order in sent)
            if self.dead:  # the process is killed while the answer is on its way (or before the batch landed)
                raise KeyboardInterrupt
            return reply(request, envelope(0, errList=[]))
        asked = body["options"]["orderID"]
        if body["page"] > 1:
            return reply(request, envelope(0, totalCount=0, orderList=[]))
        self.looked_up.append(asked)
        rows = [self.orders[order_id] for order_id in asked if order_id in self.orders]
        return reply(request, envelope(0, totalCount=len(rows), orderList=rows))


def client(service: Service) -> Callbot[Any]:
    transport = httpx.MockTransport(service)
    return Callbot("http://callbot.test", FAULT_UUID, FAULT_SECRET, max_retries=0, httpx_args={"transport": transport})


def orders(count: int) -> list[CallOrder]:
    return [CallOrder(order_id=f"j-{n:03d}", user_phone=f"86138{n:08d}") for n in range(count)]


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "orders.journal.jsonl"


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_run_journals_each_batch_by_its_rows_and_digest_never_listing_its_orders(path: Path) -> None:
    service = Service()
    with client(service) as callbot, OrderJournal.create(path, task=TASK, source="s") as journal:
        results = add_orders(callbot, TASK, orders(10), batch_size=4, concurrency=1, journal=journal)
    assert {result.status for result in results} == {"accepted"}
    header, *records = lines(path)
    assert header["version"] == 2
    assert [record.get("rows") for record in records[::2]] == [[0, 4], [4, 8], [8, 10]]
    assert records[1::2] == [{"done": n, "status": "accepted", "message": ""} for n in (1, 2, 3)]
    assert "j-001" not in path.read_text(encoding="utf-8")


def test_a_run_killed_between_batches_resumes_with_the_batches_not_sent_and_looks_nothing_up(path: Path) -> None:
    with OrderJournal.create(path, task=TASK, source="s") as journal:  # what a run killed after batch 1 leaves
        journal.send_batch(1, [order.order_id for order in orders(4)], 0)
        journal.batch_done(1, "accepted", "")
    service = Service()
    with client(service) as callbot, OrderJournal.resume(path, task=TASK, source="s") as journal:
        results = add_orders(callbot, TASK, orders(10), batch_size=4, concurrency=1, journal=journal)
    assert [result.status for result in results] == ["accepted"] * 10
    assert service.batches == [[f"j-{n:03d}" for n in range(4, 8)], ["j-008", "j-009"]]
    assert service.looked_up == []
    assert lines(path)[-2]["batch"] == 3  # a resumed run numbers its batches after the journal's


@pytest.mark.parametrize("landed", [True, False], ids=["landed", "never reached the service"])
def test_a_batch_whose_answer_was_lost_to_a_crash_is_looked_up_on_resume_and_no_order_is_sent_twice(
    path: Path, landed: bool
) -> None:
    service = Service(crash_on_batch=2, crash_after_landing=landed)
    with (
        client(service) as callbot,
        OrderJournal.create(path, task=TASK, source="s") as journal,
        pytest.raises(KeyboardInterrupt),
    ):
        add_orders(callbot, TASK, orders(10), batch_size=4, concurrency=1, journal=journal)
    service.dead = False
    with client(service) as callbot, OrderJournal.resume(path, task=TASK, source="s") as journal:
        results = add_orders(callbot, TASK, orders(10), batch_size=4, concurrency=1, journal=journal)
    batch_2 = [f"j-{n:03d}" for n in range(4, 8)]
    looked_up = [order_id for lookup in service.looked_up for order_id in lookup]
    assert looked_up[:4] == batch_2 and set(looked_up) <= {*batch_2, "j-008", "j-009"}  # only batches in doubt
    assert [result.status for result in results] == ["accepted"] * 10
    assert results[4].message.startswith("found in the task" if landed else "")
    assert service.sent_twice == []
    assert sorted(service.orders) == [order.order_id for order in orders(10)]


def test_resuming_with_other_orders_at_a_batchs_rows_is_refused_before_anything_is_sent(path: Path) -> None:
    service = Service()
    with client(service) as callbot, OrderJournal.create(path, task=TASK, source="s") as journal:
        add_orders(callbot, TASK, orders(6), batch_size=4, concurrency=1, journal=journal)
    service.batches.clear()
    reordered = orders(6)[::-1]  # the same source, said the caller: not the same input
    with (
        client(service) as callbot,
        OrderJournal.resume(path, task=TASK, source="s") as journal,
        pytest.raises(JournalError) as caught,
    ):
        add_orders(callbot, TASK, reordered, journal=journal)
    assert "(line 2, batch 1) was written for other orders at positions 1 to 4 of the input" in str(caught.value)
    assert "resume with the same orders in the same order, or start a new journal" in str(caught.value)
    assert service.batches == [] and service.looked_up == []


def test_a_journal_of_version_1_is_read_its_settled_orders_kept_and_those_in_doubt_looked_up(path: Path) -> None:
    header = {"journal": "callbot-orders-journal", "version": 1, "task": TASK, "source": "s"}
    records = [header, {"sending": ["j-000", "j-001", "j-002"]}, {"accepted": ["j-000"]}, {"refused": [["j-001", "x"]]}]
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    service = Service()
    with client(service) as callbot, OrderJournal.resume(path, task=TASK, source="s") as journal:
        assert journal.states["j-001"] == ("refused", "x")
        results = add_orders(callbot, TASK, orders(4), concurrency=1, journal=journal)
    assert [(result.status, result.message) for result in results[:2]] == [("accepted", ""), ("refused", "x")]
    assert [result.status for result in results[2:]] == ["accepted", "accepted"]
    assert service.looked_up == [["j-002"]] and service.batches == [["j-002", "j-003"]]


def test_a_journal_of_an_unknown_version_is_refused_saying_so(path: Path) -> None:
    header = {"journal": "callbot-orders-journal", "version": 3, "task": TASK, "source": "s"}
    path.write_text(json.dumps(header) + "\n", encoding="utf-8")
    with pytest.raises(JournalError, match=r"is of version 3, which this version of callbot cannot read"):
        OrderJournal.resume(path, task=TASK, source="s")


@pytest.mark.parametrize(
    "record",
    [{"done": 7, "status": "accepted", "message": ""}, {"batch": 1, "rows": [4, 2], "ids": "x"}],
    ids=["the outcome of a batch never started", "rows backwards"],
)
def test_a_batch_record_that_does_not_fit_is_damage_naming_its_line(path: Path, record: dict[str, Any]) -> None:
    header = {"journal": "callbot-orders-journal", "version": 2, "task": TASK, "source": "s"}
    path.write_text(json.dumps(header) + "\n" + json.dumps(record) + "\n{}\n", encoding="utf-8")
    with pytest.raises(JournalError, match=r"is damaged at line 2: an unknown record$"):
        OrderJournal.resume(path, task=TASK, source="s")


def test_results_stream_in_input_order_before_the_last_batch_is_sent() -> None:
    service = Service()
    with client(service) as callbot:
        results = iter_add_orders(callbot, TASK, orders(40), batch_size=2, concurrency=1)
        first = next(results)
        sent_before_the_first_result = len(service.batches)
        rest = list(results)
    assert first.order_id == "j-000" and [result.order_id for result in rest] == [f"j-{n:03d}" for n in range(1, 40)]
    assert sent_before_the_first_result < 20 and len(service.batches) == 20  # at most a few batches ahead


def test_a_repeated_order_id_is_refused_when_iter_add_orders_is_called_before_anything_is_sent() -> None:
    service = Service()
    with client(service) as callbot, pytest.raises(ValueError, match="'j-000' is given twice"):
        iter_add_orders(callbot, TASK, [*orders(2), *orders(1)])
    assert service.batches == []
    assert gc.isenabled()
