"""The models of an answer: built lazily (each model's fields are set from the checked answer when the first of
them is used), yet the same as eagerly built ones in every way a caller can see; and nothing of the answer but
the returned model stays alive once a call returns, without waiting for a garbage collection."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import threading
import time
import tracemalloc
import weakref
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from nxcloud_callbot import Callbot
from nxcloud_callbot.models import CallRecord, ListCallOptions, ListCallResponse, StopOrderResponse

from .._support import documented_sign

UUID = "models-uuid"
SECRET = "models-secret"


def call_row(n: int) -> dict[str, Any]:
    return {
        "callID": f"C{n:08d}",
        "callStatus": n % 5,
        "callStartTs": 1_700_000_000 + n,
        "intents": [{"intentID": f"i-{n}", "intentTag": "A", "intentName": "interested", "intentLevel": 1}],
        "sms": [{"smsSendTs": 1_700_000_400, "sysMessageID": f"sms-{n}", "smsContent": "Thanks."}],
        "agent": {"agentName": None, "agentGroup": "g"},
        "params": [{"name": "customerName", "value": f"Customer {n}"}],
        "orderID": f"order-{n:08d}",
        "userPhone": f"8613800{n:06d}",
        "fieldFromTheFuture": {"nested": [n, "two"]},
    }


def list_call_answer(rows: int) -> dict[str, Any]:
    calls = [call_row(n) for n in range(rows)]
    return {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": rows, "callList": calls}


ANSWER = list_call_answer(3)


def test_a_lazily_built_model_is_equal_to_the_eagerly_built_one_and_prints_the_same() -> None:
    eager = ListCallResponse.from_dict(ANSWER)
    assert ListCallResponse.from_checked_dict(ANSWER) == eager
    assert eager == ListCallResponse.from_checked_dict(ANSWER)
    assert (ListCallResponse.from_checked_dict(ANSWER) != eager) is False
    assert repr(ListCallResponse.from_checked_dict(ANSWER)) == repr(eager)
    assert ListCallResponse.from_checked_dict(ANSWER).to_dict() == ANSWER
    row = ListCallResponse.from_checked_dict(ANSWER).call_list[1]  # type: ignore[index]
    assert isinstance(row, CallRecord)
    assert row.intents[0].intent_id == "i-1"  # type: ignore[index]
    assert type(row) is CallRecord  # once used (before, an instance of a subclass holding only the answer)
    assert row["fieldFromTheFuture"] == {"nested": [1, "two"]}


def test_a_field_set_before_any_is_read_is_kept_and_the_others_come_from_the_answer() -> None:
    row = CallRecord.from_checked_dict(ANSWER["callList"][0])
    row.order_id = "changed"
    assert (row.order_id, row.call_id) == ("changed", "C00000000")
    row = CallRecord.from_checked_dict(ANSWER["callList"][0])
    del row.user_phone
    with pytest.raises(AttributeError):
        row.user_phone  # noqa: B018
    assert row.call_id == "C00000000"


def test_copies_pickles_and_evolved_copies_of_a_lazy_model_are_ordinary_models() -> None:
    source = ANSWER["callList"][2]
    for made in (
        copy.copy(CallRecord.from_checked_dict(source)),
        copy.deepcopy(CallRecord.from_checked_dict(source)),
        pickle.loads(pickle.dumps(CallRecord.from_checked_dict(source))),
        attrs.evolve(CallRecord.from_checked_dict(source), other="x"),
    ):
        assert type(made) is CallRecord
        assert made.order_id == "order-00000002"
    assert attrs.asdict(CallRecord.from_checked_dict(source)) == attrs.asdict(CallRecord.from_dict(source))


def test_an_unknown_attribute_of_a_lazy_model_is_an_attribute_error_naming_the_model() -> None:
    row = CallRecord.from_checked_dict(ANSWER["callList"][0])
    with pytest.raises(AttributeError, match="'CallRecord' object has no attribute 'no_such_field'"):
        row.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(row, "no_such_field")
    assert row.call_status == 0


def test_threads_reading_a_lazy_model_at_once_see_the_same_nested_models() -> None:
    for _ in range(20):
        answer = ListCallResponse.from_checked_dict(list_call_answer(50))
        start = threading.Barrier(4)
        seen: list[Any] = []

        def read(answer: ListCallResponse = answer, start: threading.Barrier = start, seen: list[Any] = seen) -> None:
            start.wait(timeout=10)
            rows = answer.call_list
            seen.append([(row.agent, row.intents) for row in rows])  # type: ignore[union-attr]

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len(seen) == 4
        for other in seen[1:]:
            assert all(a[0] is b[0] and a[1] is b[1] for a, b in zip(seen[0], other, strict=True))


def test_from_dict_still_refuses_what_does_not_fit_at_once() -> None:
    with pytest.raises(KeyError):
        StopOrderResponse.from_dict({"retCode": 0, "retMsg": ""})
    with pytest.raises(TypeError):
        CallRecord.from_dict({"intents": 5})


# --- nothing of the answer alive after the call -------------------------------------------------------------


def signed(request: httpx.Request, body: bytes) -> httpx.Response:
    ts, rid = str(int(time.time())), request.headers["requestID"]
    sign = documented_sign(SECRET, body, ts, rid, UUID, "MD5")
    # A copy per answer, as a network read would make: the test sees whether the body is freed.
    fresh = bytes(bytearray(body))
    return httpx.Response(200, content=fresh, headers={"requestID": rid, "uuid": UUID, "createTs": ts, "sign": sign})


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_after_list_call_returns_only_its_model_holds_the_answer_even_without_a_collection(gc_disabled: None) -> None:
    body = json.dumps(list_call_answer(2000)).encode()  # about 0.9 MB
    responses: list[weakref.ref[httpx.Response]] = []
    hooks = {"response": [lambda response: responses.append(weakref.ref(response))]}
    transport = httpx.MockTransport(lambda request: signed(request, body))
    with Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": transport, "event_hooks": hooks}) as bot:
        bot.list_call(user_task_id="t", options=ListCallOptions(), page=1, size=2000)  # caches warmed
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            result = bot.list_call(user_task_id="t", options=ListCallOptions(), page=1, size=2000)
            assert len(result.call_list) == 2000  # type: ignore[arg-type]
            assert responses[-1]() is None  # the response (and its body) went when the call returned
            del result
            left = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert left < 64 * 1024, f"{left:,} bytes of a {len(body):,}-byte answer outlived its model"
