"""add_orders and `callbot orders add` when a refusal is forged or an answer lost: an order in doubt is looked up in
the task, never sent twice nor marked refused while it may have landed; an order found with other data than was
sent is someone else's and stays refused."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from callbot_cli import OrderJournal, add_orders, main
from callbot_client.models import CallOrder
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_signing import (
    Callbot,
)

from .._support import FAULT_SECRET, FAULT_UUID, envelope, reply
from ..dropping_proxy import dropping_proxy

ACCOUNT = Account("outcome-uuid", "outcome-Secret-Key-51c2e0")


TASK = "outcome-task"


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = Sandbox([ACCOUNT])
    sandbox.state.create_task(TASK, "scene-1", int(time.time()), ACCOUNT.uuid)
    return sandbox


@pytest.fixture
def url(sandbox: Sandbox) -> Iterator[str]:
    with serve_in_thread(sandbox.asgi_app()) as served:
        yield served


def mock_callbot(handler: Callable[[httpx.Request], httpx.Response]) -> Callbot[Any]:
    transport = httpx.MockTransport(handler)
    return Callbot("http://callbot.test", FAULT_UUID, FAULT_SECRET, max_retries=0, httpx_args={"transport": transport})


# --- the forging intermediary against add_orders and `callbot orders add` -------------------------------


def contacts(path: Path, count: int) -> list[str]:
    ids = [f"u-{n:04d}" for n in range(count)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["orderID", "userPhone"])
        writer.writerows([order_id, f"86139{n:08d}"] for n, order_id in enumerate(ids))
    return ids


def result_rows(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["orderID"]: (row["status"], row["message"]) for row in csv.DictReader(handle)}


def test_orders_add_reports_a_landed_batch_accepted_when_a_proxy_forges_an_unsigned_refusal(
    sandbox: Sandbox, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = contacts(tmp_path / "contacts.csv", 30)
    with dropping_proxy(url, {1: "refuse_after", 2: "refuse_after", 3: "refuse_after"}) as proxy:
        monkeypatch.setenv("CALLBOT_BASE_URL", proxy.url)
        monkeypatch.setenv("CALLBOT_UUID", ACCOUNT.uuid)
        monkeypatch.setenv("CALLBOT_SECRET_KEY", ACCOUNT.secret_key)
        code = main(
            [
                "orders",
                "add",
                "--task",
                TASK,
                "--csv",
                str(tmp_path / "contacts.csv"),
                "--batch-size",
                "10",
                "--concurrency",
                "1",
            ]
        )
    outcome = result_rows(tmp_path / "contacts.result.csv")
    assert code == 0
    assert {order_id: outcome[order_id][0] for order_id in ids} == dict.fromkeys(ids, "accepted")
    assert all("unverified refusal" in outcome[order_id][1] for order_id in ids)
    assert proxy.sent == proxy.carried == dict.fromkeys(ids, 1)  # each sent once: none sent again
    assert sorted(sandbox.state.tasks[TASK].order_ids) == ids


def test_a_proxy_that_forges_refusals_without_forwarding_never_gets_an_order_twice_nor_a_loop(
    sandbox: Sandbox, url: str
) -> None:
    orders = [CallOrder(order_id=f"f-{n}", user_phone=f"86137{n:08d}") for n in range(12)]
    plan = dict.fromkeys(range(1, 100), "refuse_before")
    with dropping_proxy(url, plan) as proxy, Callbot(proxy.url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot:
        results = add_orders(callbot, TASK, orders, batch_size=5, concurrency=1)
    assert [result.status for result in results] == ["failed"] * len(orders)  # never refused: it is not known
    assert proxy.batches == 3 * 3  # three batches, each sent at most 3 times (README), then given up
    assert not proxy.carried and not sandbox.state.tasks[TASK].order_ids


def test_a_forged_refusal_of_a_re_send_still_never_sends_a_landed_order_again(sandbox: Sandbox, url: str) -> None:
    orders = [CallOrder(order_id=f"r-{n}", user_phone=f"86136{n:08d}") for n in range(8)]
    # Lost before the service (nothing landed), then the re-send lands and its answer is a forged refusal.
    plan = {1: "drop_before", 2: "refuse_after"}
    with dropping_proxy(url, plan) as proxy, Callbot(proxy.url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot:
        results = add_orders(callbot, TASK, orders)
    assert [result.status for result in results] == ["accepted"] * len(orders)
    assert proxy.carried == dict.fromkeys([order.order_id for order in orders], 1)


def test_a_batch_that_landed_before_a_forged_503_is_reported_accepted_not_refused_as_a_duplicate(
    sandbox: Sandbox, url: str
) -> None:
    """A 503 is retried as "not carried out" (no service signs one), so the client sends the batch again and
    the service refuses each order as a duplicate of itself: those refusals are looked up, not believed."""
    orders = [CallOrder(order_id=f"d-{n}", user_phone=f"86135{n:08d}") for n in range(6)]
    with (
        dropping_proxy(url, {1: "unavailable_after"}) as proxy,
        Callbot(proxy.url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot,
    ):
        results = add_orders(callbot, TASK, orders, concurrency=1)
    ids = [order.order_id for order in orders]
    assert proxy.batches == 2 and proxy.carried == dict.fromkeys(ids, 1)  # the retry was sent, and refused
    assert [(result.status, "found in the task" in result.message) for result in results] == [("accepted", True)] * 6


def test_an_order_refused_and_not_in_the_task_stays_refused() -> None:
    """Looking refusals up never turns the refusal of an order that is not in the task into an acceptance."""
    looked_up: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/addBatchCall"):
            return reply(request, envelope(0, errList=[{"orderID": "bad-1", "errMsg": "userPhone is invalid"}]))
        looked_up.extend(json.loads(request.content)["options"]["orderID"])
        return reply(request, envelope(0, totalCount=0, orderList=[]))

    orders = [CallOrder(order_id="good-1", user_phone="8613500000001"), CallOrder(order_id="bad-1", user_phone="x")]
    with mock_callbot(service) as callbot:
        results = add_orders(callbot, "t-1", orders, concurrency=1)
    assert [(result.status, result.message) for result in results] == [
        ("accepted", ""),
        ("refused", "userPhone is invalid"),
    ]
    assert looked_up == ["bad-1"]


def test_a_wrong_secret_key_leaves_orders_unknown_not_refused_and_a_resume_with_the_right_key_sends_each_once(
    sandbox: Sandbox, url: str, tmp_path: Path
) -> None:
    orders = [CallOrder(order_id=f"k-{n}", user_phone=f"86135{n:08d}") for n in range(6)]
    path = tmp_path / "orders.journal.jsonl"
    with (
        Callbot(url, ACCOUNT.uuid, "not-the-secret-key") as wrong,
        OrderJournal.create(path, task=TASK, source="s") as journal,
    ):
        first = add_orders(wrong, TASK, orders, journal=journal)
    assert {result.status for result in first} == {"unknown"}
    assert "check the uuid, secret key and algorithm, then resume" in first[0].message
    with (
        Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as right,
        OrderJournal.resume(path, task=TASK, source="s") as journal,
    ):
        again = add_orders(right, TASK, orders, journal=journal)
    assert {result.status for result in again} == {"accepted"}
    assert sorted(sandbox.state.tasks[TASK].order_ids) == sorted(order.order_id for order in orders)


# --- add_orders tells its own order from another one holding the same orderID --------------------------


def test_a_genuine_duplicate_order_id_with_other_data_stays_refused_and_says_so(sandbox: Sandbox, url: str) -> None:
    with Callbot(url, ACCOUNT.uuid, ACCOUNT.secret_key) as callbot:
        first = add_orders(callbot, TASK, [CallOrder(order_id="dup-1", user_phone="8613800000001")])
        again = [CallOrder(order_id="dup-1", user_phone="8613999999999"), CallOrder(order_id="new-1", user_phone="86")]
        second = add_orders(callbot, TASK, again)
    assert [result.status for result in first + second] == ["accepted", "refused", "accepted"]
    assert "'dup-1' already exists in the task with other data (its userPhone differs)" in second[0].message
    assert "give it a new orderID" in second[0].message
    assert sandbox.state.orders["dup-1"].user_phone == "8613800000001"  # the first order, untouched


def bulk_service(rows: list[dict[str, Any]], first_send: Callable[[httpx.Request], httpx.Response]) -> Any:
    """A mock service: the first addBatchCall is answered by ``first_send``, the others accepted; listOrder
    answers ``rows`` (those asked for). ``service.batches`` lists the orderIDs of each addBatchCall,
    ``service.looked_up`` those of each listOrder."""

    class Service:
        def __init__(self) -> None:
            self.batches: list[list[str]] = []
            self.looked_up: list[list[str]] = []

        def __call__(self, request: httpx.Request) -> httpx.Response:
            body = json.loads(request.content)
            if request.url.path.endswith("/addBatchCall"):
                self.batches.append([order["orderID"] for order in body["callInfoList"]["callList"]])
                return first_send(request) if len(self.batches) == 1 else reply(request, envelope(0))
            asked = body["options"]["orderID"]
            found = [row for row in rows if row["orderID"] in asked]
            if body["page"] > 1:  # one page holds them all
                return reply(request, envelope(0, totalCount=len(found), orderList=[]))
            self.looked_up.append(asked)
            return reply(request, envelope(0, totalCount=len(found), orderList=found))

    return Service()


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("the answer never came", request=request)


def test_after_a_lost_answer_an_order_found_with_other_data_is_refused_and_one_with_ours_accepted() -> None:
    rows = [
        {"orderID": "same", "userPhone": "+86 138-0000-0001", "userName": "Ann", "other": ""},  # digits compared
        {"orderID": "other", "userPhone": "8613899999999", "userName": "Ann", "other": ""},
        {"orderID": "named", "userPhone": "8613800000003", "userName": "Bob", "other": ""},
        {"orderID": "bare"},  # listOrder shows nothing to compare: found after a lost answer, so ours
    ]
    service = bulk_service(rows, lost)
    orders = [
        CallOrder(order_id=order_id, user_phone=f"861380000000{n}", user_name="Ann")
        for n, order_id in enumerate(["absent", "same", "other", "named", "bare"])
    ]
    with mock_callbot(service) as callbot:
        results = add_orders(callbot, "t-1", orders)
    assert [result.status for result in results] == ["accepted", "accepted", "refused", "refused", "accepted"]
    assert results[0].message == ""  # sent again: it was not in the task
    assert results[1].message.startswith("found in the task with the data sent, after the answer was lost")
    assert "already exists in the task with other data (its userPhone differs)" in results[2].message
    assert "(its userName differs)" in results[3].message
    assert "none of its data to compare" in results[4].message
    assert service.batches == [["absent", "same", "other", "named", "bare"], ["absent"]]


def test_after_a_refusal_only_an_order_found_with_the_data_sent_is_accepted() -> None:
    rows = [
        {"orderID": "same", "userPhone": "8613800000001", "other": "ref-1"},
        {"orderID": "other", "userPhone": "8613800000002", "other": "someone else's"},
        {"orderID": "bare"},  # nothing to compare: the service's refusal stands
    ]
    ids = ["same", "other", "bare", "absent"]
    refusals = [{"orderID": order_id, "errMsg": "orderID already exists"} for order_id in ids]
    service = bulk_service(rows, lambda request: reply(request, envelope(0, errList=refusals)))
    orders = [CallOrder(order_id=i, user_phone=f"861380000000{n + 1}", other=f"ref-{n + 1}") for n, i in enumerate(ids)]
    with mock_callbot(service) as callbot:
        results = add_orders(callbot, "t-1", orders)
    assert [result.status for result in results] == ["accepted", "refused", "refused", "refused"]
    assert results[0].message.startswith("found in the task with the data sent, after its refusal")
    assert "other data (its other differs)" in results[1].message
    assert [result.message for result in results[2:]] == ["orderID already exists"] * 2
    assert service.batches == [ids] and service.looked_up == [ids]


def test_a_resumed_run_tells_an_order_in_doubt_from_another_one_holding_its_order_id(tmp_path: Path) -> None:
    path = tmp_path / "orders.journal.jsonl"
    with OrderJournal.create(path, task="t-1", source="s") as journal:
        journal.sending(["mine", "theirs"])  # killed before the answer was read
    rows = [{"orderID": "mine", "userPhone": "8613800000001"}, {"orderID": "theirs", "userPhone": "8613899999999"}]
    service = bulk_service(rows, lambda request: reply(request, envelope(0)))
    orders = [CallOrder(order_id="mine", user_phone="8613800000001"), CallOrder(order_id="theirs", user_phone="86")]
    with mock_callbot(service) as callbot, OrderJournal.resume(path, task="t-1", source="s") as journal:
        results = add_orders(callbot, "t-1", orders, journal=journal)
    assert [result.status for result in results] == ["accepted", "refused"]
    assert "other data (its userPhone differs)" in results[1].message
    assert service.batches == []  # both were in the task: nothing sent


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: (_ for _ in ()).throw(httpx.ConnectError("refused", request=request)),
        lambda request: httpx.Response(404, text="not found"),
        lambda request: httpx.Response(503, text="busy"),
    ],
    ids=["connection refused", "HTTP 404", "HTTP 503"],
)
def test_a_batch_the_client_knows_was_not_carried_out_is_failed_at_once_without_a_lookup(
    answer: Callable[[httpx.Request], httpx.Response],
) -> None:
    """The library's outcome_unknown is the only rule: a request that never left, or an answer that comes
    before the work (a 4xx, 503), is not looked up nor sent again by add_orders: `failed`, safe to resume."""
    service = bulk_service([], answer)
    with mock_callbot(service) as callbot:
        results = add_orders(callbot, "t-1", [CallOrder(order_id="o-1", user_phone="8613800000001")])
    assert results[0].status == "failed" and "outcome" not in results[0].message.lower()
    assert service.batches == [["o-1"]] and service.looked_up == []
