"""What the custom generator templates (openapi/templates/) make of the spec, checked on the generated package.

One typed method per operation (SyncOperations / AsyncOperations) with iter_ pagers, acronyms kept whole in
Python names, enums that survive values the spec does not know, endpoint functions typed without ``| None``
that parse the body once. (What a consumer and a new operation see: test_generated_for_consumers.py.)
"""

from __future__ import annotations

import asyncio
import inspect
import re
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Never, TypeVar
from unittest import mock

import attrs
import callbot_client.api
import httpx
import pytest
from callbot_client import Client, errors, models
from callbot_client.api import AsyncOperations, SyncOperations
from callbot_client.api.orders import stop_order
from callbot_client.models import (
    DelCall,
    ImportBatchCallContentEncoding,
    ListOrderOptions,
    ListTaskConditions,
    StopOrderRequest,
    TaskOperate,
)

from ..from_spec import endpoint_modules, request_schema, resolved, spec_document, spec_operations

REPO = Path(__file__).resolve().parents[2]
GENERATED = REPO / "generated"

_M = TypeVar("_M")


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, operationId, operation) for every operation of the spec."""
    return [(path, item["post"]["operationId"], item["post"]) for path, item in spec["paths"].items()]


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def ref_name(node: dict[str, Any]) -> str:
    return str(node["$ref"].rsplit("/", 1)[1])


class Recorder(SyncOperations[Never]):
    """Records each call and answers with the next of the given pages (or a bare model)."""

    def __init__(self, pages: list[dict[str, Any]] | None = None) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], type[Any], dict[str, str]]] = []
        self.pages = list(pages or [])

    def _answer(self, response_model: type[_M]) -> _M:
        page = self.pages.pop(0) if self.pages else {}
        return response_model.from_dict(page)  # type: ignore[attr-defined, no-any-return]

    def _call(self, operation_id, path, body, response_model, headers):  # type: ignore[no-untyped-def]
        self.calls.append((operation_id, path, body, response_model, headers))
        return mock.sentinel.answer

    def _call_or_raise(self, operation_id, path, body, response_model, headers):  # type: ignore[no-untyped-def]
        self.calls.append((operation_id, path, body, response_model, headers))
        return self._answer(response_model)


class AsyncRecorder(AsyncOperations[Never]):
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.calls: list[dict[str, Any]] = []
        self.pages = list(pages)

    async def _call_or_raise(self, operation_id, path, body, response_model, headers):  # type: ignore[no-untyped-def]
        self.calls.append(body)
        return response_model.from_dict(self.pages.pop(0) if self.pages else {})


# --- one typed method per operation ---


def stand_in(hint: Any) -> Any:
    """An enum's first member, else a mock that passes for the annotated type."""
    if isinstance(hint, type) and issubclass(hint, Enum):
        return next(iter(hint))
    return mock.MagicMock(spec=typing.get_origin(hint) or hint)


def test_every_operation_of_the_spec_has_a_method_that_calls_it_with_its_path_and_models(
    spec: dict[str, Any],
) -> None:
    for path, operation_id, operation in operations(spec):
        name = snake(operation_id)
        for cls in (SyncOperations, AsyncOperations):
            assert callable(getattr(cls, name, None)), (cls.__name__, name)
        method = getattr(Recorder, name)
        required = [
            parameter.name
            for parameter in inspect.signature(method).parameters.values()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is inspect.Parameter.empty
        ]
        recorder = Recorder()
        # A stand-in of the annotated type (the methods check types at run time) for every required argument.
        hints = typing.get_type_hints(method, vars(callbot_client.api))
        arguments = {argument: stand_in(hints[argument]) for argument in required}
        assert getattr(recorder, name)(**arguments) is mock.sentinel.answer
        [(called_id, called_path, _, response_model, _)] = recorder.calls
        response = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert (called_id, called_path, response_model.__name__) == (operation_id, path, ref_name(response))


def test_method_arguments_are_the_body_fields_but_the_constant_and_the_header_parameters(
    spec: dict[str, Any],
) -> None:
    for _, operation_id, operation in operations(spec):
        body_model = getattr(models, ref_name(operation["requestBody"]["content"]["application/json"]["schema"]))
        expected = {field.name for field in attrs.fields(body_model) if field.init} - {"product_id"}
        expected |= {
            parameter["name"].lower().replace("-", "_")
            for parameter in (
                spec["components"]["parameters"][ref_name(p)] if "$ref" in p else p
                for p in operation.get("parameters", [])
            )
            if parameter["in"] == "header"
        }
        for cls in (SyncOperations, AsyncOperations):
            parameters = inspect.signature(getattr(cls, snake(operation_id))).parameters
            assert set(parameters) - {"self"} == expected, operation_id
            assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for n, p in parameters.items() if n != "self")


def test_stop_order_sends_the_json_names_and_the_constant_product_id() -> None:
    recorder = Recorder()
    recorder.stop_order(user_task_id="t", order_ids=["a", "b"], del_call=DelCall.DELETE)
    [(operation_id, path, body, response_model, headers)] = recorder.calls
    assert (operation_id, path, response_model) == (
        "stopOrder",
        "/callcentre/api/v3/stopOrder",
        models.StopOrderResponse,
    )
    assert body == {"productID": "callbot", "userTaskID": "t", "orderIDs": ["a", "b"], "delCall": 1}
    assert headers == {}


def test_header_parameters_are_sent_only_when_given() -> None:
    recorder = Recorder()
    call_info_list = models.CallInfoList(order_callback_url="", call_callback_url="", call_list=[])
    recorder.import_batch_call(user_task_id="t", call_info_list=call_info_list)
    recorder.import_batch_call(
        user_task_id="t", call_info_list=call_info_list, content_encoding=ImportBatchCallContentEncoding.GZIP
    )
    recorder.export_batch_call(user_task_id="t", accept_encoding="gzip")
    assert [call[4] for call in recorder.calls] == [{}, {"Content-Encoding": "gzip"}, {"Accept-Encoding": "gzip"}]


def test_methods_carry_the_operations_summary_and_description() -> None:
    doc = inspect.getdoc(SyncOperations.stop_order) or ""
    assert doc.startswith("Stop order calls") and "irreversible" in doc and "order_ids (list[str])" in doc


# --- pagers ---


def _pages(operation_id: str) -> bool:
    """What the template makes a pager of: an integer ``page`` in the request, one list of objects in the answer."""
    request = resolved(request_schema(operation_id)).get("properties", {})
    path = spec_operations()[operation_id]
    answer = resolved(
        spec_document()["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    rows = [
        name
        for name, field in answer.get("properties", {}).items()
        if resolved(field).get("type") == "array" and "properties" in resolved(resolved(field).get("items", {}))
    ]
    return resolved(request.get("page", {})).get("type") == "integer" and len(rows) == 1


def test_pagers_exist_for_exactly_the_operations_with_an_integer_page() -> None:
    modules = endpoint_modules()
    expected = sorted("iter_" + modules[op].__name__.rsplit(".", 1)[1] for op in spec_operations() if _pages(op))
    assert {"iter_list_call", "iter_list_order", "iter_list_task"} <= set(expected)  # the documented ones at least
    for cls in (SyncOperations, AsyncOperations):
        pagers = sorted(name for name in vars(cls) if name.startswith("iter_"))
        assert pagers == expected
        for pager in pagers:
            assert "page" not in inspect.signature(getattr(cls, pager)).parameters


def order_page(*order_ids: str, total: int | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {"retCode": 0, "retMsg": "ok", "responseID": "r"}
    page["orderList"] = [{"orderID": order_id} for order_id in order_ids]
    if total is not None:
        page["totalCount"] = total
    return page


def test_a_pager_fetches_lazily_page_after_page_until_a_short_page() -> None:
    recorder = Recorder([order_page("a", "b"), order_page("c", "d"), order_page("e")])
    rows = recorder.iter_list_order(user_task_id="t", options=ListOrderOptions(), size=2)
    assert next(rows).order_id == "a" and len(recorder.calls) == 1  # nothing fetched ahead
    assert [row.order_id for row in rows] == ["b", "c", "d", "e"]
    assert [call[2]["page"] for call in recorder.calls] == [1, 2, 3]
    assert all(call[2]["size"] == 2 and call[0] == "listOrder" for call in recorder.calls)


def test_a_pager_stops_at_an_empty_page_without_size() -> None:
    recorder = Recorder([order_page("a"), order_page("b"), order_page()])
    assert [row.order_id for row in recorder.iter_list_order(user_task_id="t", options=ListOrderOptions())] == [
        "a",
        "b",
    ]
    assert len(recorder.calls) == 3


def test_a_pager_stops_once_total_count_rows_were_seen() -> None:
    recorder = Recorder([order_page("a", "b", total=3), order_page("c", total=3), order_page("never")])
    rows = [row.order_id for row in recorder.iter_list_order(user_task_id="t", options=ListOrderOptions())]
    assert rows == ["a", "b", "c"] and len(recorder.calls) == 2


def test_list_task_pager_yields_task_infos() -> None:
    pages = [{"retCode": 0, "retMsg": "", "responseID": "", "taskData": [{"userTaskID": "t1"}, {"userTaskID": "t2"}]}]
    recorder = Recorder(pages)
    rows = list(recorder.iter_list_task(size=5, query_conditions=ListTaskConditions()))
    assert [row.user_task_id for row in rows] == ["t1", "t2"] and len(recorder.calls) == 1
    assert recorder.calls[0][2]["page"] == 1 and recorder.calls[0][2]["productID"] == "callbot"


def test_the_async_pager_yields_the_same_rows() -> None:
    recorder = AsyncRecorder([order_page("a", "b"), order_page("c")])

    async def collect() -> list[str]:
        rows = recorder.iter_list_order(user_task_id="t", options=ListOrderOptions(), size=2)
        return [row.order_id async for row in rows]  # type: ignore[misc]

    assert asyncio.run(collect()) == ["a", "b", "c"]
    assert [body["page"] for body in recorder.calls] == [1, 2]


# --- names keep acronyms whole ---


def test_order_ids_is_the_python_name_and_orderids_the_json_name() -> None:
    request = StopOrderRequest(user_task_id="t", order_ids=["a"])
    assert request.to_dict()["orderIDs"] == ["a"]
    assert StopOrderRequest.from_dict({"productID": "callbot", "userTaskID": "t", "orderIDs": ["b"]}).order_ids == ["b"]


def test_no_generated_identifier_splits_an_acronym() -> None:
    split = re.compile(r"\b\w*_i_ds?\b")
    for path in (GENERATED / "callbot_client").rglob("*.py"):
        assert not split.search(path.read_text(encoding="utf-8")), path


# --- enums keep unknown values ---


def test_an_unknown_enum_value_is_kept_and_wrong_types_still_fail() -> None:
    seven = DelCall(7)
    assert (seven.value, seven.name, seven == 7) == (7, "UNKNOWN_7", True)
    assert "UNKNOWN_7" not in DelCall.__members__ and 7 not in DelCall._value2member_map_
    brotli = ImportBatchCallContentEncoding("br")
    assert (brotli.name, str(brotli)) == ("UNKNOWN_br", "br")
    assert brotli not in list(ImportBatchCallContentEncoding)
    wrong_types: list[tuple[Any, object]] = [(DelCall, "7"), (DelCall, 1.5), (ImportBatchCallContentEncoding, 1)]
    for enum, wrong in wrong_types:
        with pytest.raises(ValueError):
            enum(wrong)


def test_a_model_with_an_unknown_enum_value_can_be_read_and_written_back() -> None:
    request = models.MgrTaskStatusRequest.from_dict({"productID": "callbot", "userTaskID": "t", "taskOperate": 9})
    assert request.task_operate.value == 9 and request.task_operate is not TaskOperate.START
    assert request.to_dict()["taskOperate"] == 9
    conditions = ListTaskConditions.from_dict({"taskStatus": [1, 42]})
    assert [status.value for status in conditions.task_status] == [1, 42]  # type: ignore[union-attr]


# --- endpoint functions ---


STOP_ORDER_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}


def test_the_endpoint_reads_the_json_the_signing_layer_already_parsed() -> None:
    already_parsed = {**STOP_ORDER_OK, "successCount": 7}
    response = httpx.Response(200, json=STOP_ORDER_OK, extensions={"callbot.json": already_parsed})
    client = Client(base_url="http://127.0.0.1")
    assert stop_order._parse_response(client=client, response=response).success_count == 7
    plain = httpx.Response(200, json=STOP_ORDER_OK)
    assert stop_order._parse_response(client=client, response=plain).success_count == 1


def test_an_undocumented_status_raises_even_when_the_client_would_not() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    client = Client(base_url="http://127.0.0.1", raise_on_unexpected_status=False)
    client.set_httpx_client(httpx.Client(base_url="http://127.0.0.1", transport=httpx.MockTransport(handler)))
    with pytest.raises(errors.UnexpectedStatus):
        stop_order.sync(client=client, body=StopOrderRequest(user_task_id="t", order_ids=["a"]))


def test_endpoint_functions_are_typed_without_none() -> None:
    for function in (stop_order.sync, stop_order.asyncio, stop_order._parse_response):
        assert "None" not in str(inspect.signature(function).return_annotation), function
