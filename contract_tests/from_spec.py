"""The operations of the spec, read from the spec shipped with the generated client, and a request body for
each: the tests' lists of operations come from here, so that an operation added to the spec is covered with
no test to edit. Like _support, nothing here calls the code under test (the spec is read as JSON)."""

from __future__ import annotations

import importlib
import json
import pkgutil
from functools import cache
from importlib import resources
from typing import Any

import callbot_client.api
import callbot_client.models
from callbot_client.models import (
    AddBatchCallRequest,
    CallInfoList,
    CallOrder,
    CreateAndCallRequest,
    CreateTaskRequest,
    ExportBatchCallRequest,
    ListCallOptions,
    ListCallRequest,
    ListOrderDetailRequest,
    ListOrderOptions,
    ListOrderRequest,
    ListTaskConditions,
    ListTaskRequest,
    MgrTaskStatusRequest,
    PingRequest,
    StopOrderRequest,
    TaskCreateSetting,
    TaskOperate,
    UpdateTaskRequest,
)

#: The 13 operations the wiki documents (reference/callbot-api-facts.md): the spec has at least these.
WIKI_OPERATIONS = (
    "ping", "createTask", "addBatchCall", "createAndCall", "mgrTaskStatus", "updateTask", "listTask", "listCall",
    "listOrder", "stopOrder", "listOrderDetail", "exportBatchCall", "importBatchCall",
)  # fmt: skip


@cache
def spec_document() -> dict[str, Any]:
    """The spec as shipped with the generated client (callbot_client/openapi.json), read directly."""
    loaded: dict[str, Any] = json.loads(resources.files("callbot_client").joinpath("openapi.json").read_text("utf-8"))
    return loaded


def spec_operations() -> dict[str, str]:
    """operationId -> path, for every operation of the spec, in its order."""
    return {
        item["operationId"]: path
        for path, methods in spec_document()["paths"].items()
        for item in methods.values()
        if isinstance(item, dict) and "operationId" in item
    }


def request_schema(operation_id: str) -> dict[str, Any]:
    """The JSON schema of the operation's request body, as the spec writes it (a $ref to a component)."""
    schema: dict[str, Any] = spec_document()["paths"][spec_operations()[operation_id]]["post"]["requestBody"][
        "content"
    ]["application/json"]["schema"]
    return schema


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its $refs followed and an allOf merged into one object schema."""
    while "$ref" in schema:
        node: Any = spec_document()
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = {**node, **{key: value for key, value in schema.items() if key != "$ref"}}
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            inner = resolved(part)
            merged["properties"].update(inner.get("properties", {}))
            merged["required"] += inner.get("required", [])
        return merged
    return schema


def smallest_instance(schema: dict[str, Any], depth: int = 0) -> Any:
    """The smallest value ``schema`` allows, from the schema alone: required properties only, the const, the
    default or the first enum value, the least number and the shortest list the limits allow, a string of
    ``minLength`` (at least one) characters, a loopback URL for a ``uri``."""
    assert depth < 20, "a schema nested this deep is recursive: give the operation a body in KNOWN_BODIES"
    schema = resolved(schema)
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    types = schema.get("type", "object")
    kind = next((t for t in types if t != "null"), "null") if isinstance(types, list) else types
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: smallest_instance(properties.get(name, {}), depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        return [smallest_instance(schema.get("items", {}), depth + 1) for _ in range(schema.get("minItems", 0))]
    if kind in ("integer", "number"):
        least = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        return max(least, 0) if "maximum" not in schema else min(max(least, 0), schema["maximum"])
    if kind == "string":
        if schema.get("format") in ("uri", "url"):
            return "http://127.0.0.1:1/callback"
        return "x" * max(schema.get("minLength", 1), 1)
    return False if kind == "boolean" else None


def request_body(operation_id: str, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON body to send to ``operation_id``: ``known[operation_id]`` when given, else the smallest body the
    spec allows. Every operation of the spec gets one, a new operation included."""
    if known is not None and operation_id in known:
        chosen: dict[str, Any] = known[operation_id]
        return chosen
    body: dict[str, Any] = smallest_instance(request_schema(operation_id))
    return body


def body_path(module: Any) -> str:
    """The operationId (the last path segment) of a generated endpoint module: stop_order -> stopOrder."""
    name: str = module.__name__.rsplit(".", 1)[1]
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def endpoint_modules() -> dict[str, Any]:
    """operationId -> its generated endpoint module (``callbot_client.api.<tag>.<name>``), for every one."""
    found = {}
    for info in pkgutil.walk_packages(callbot_client.api.__path__, "callbot_client.api."):
        if not info.ispkg:
            module = importlib.import_module(info.name)
            found[body_path(module)] = module
    return found


#: The task the operation round trips work on.
OPERATION_TASK = "campaign-task-1"


def orders(*order_ids: str) -> CallInfoList:
    return CallInfoList(
        order_callback_url="http://127.0.0.1:1/order",
        call_callback_url="http://127.0.0.1:1/call",
        call_list=[CallOrder(order_id=o, user_phone="8613800000000", other=f"ref-{o}") for o in order_ids],
    )


#: Bodies chosen for the state of the round trips (a new task where one is created, the task's orders, a page
#: size): test data for the operations the sandbox keeps state for. The operations come from the spec.
KNOWN_BODIES: dict[str, Any] = {
    "ping": PingRequest(data="x"),
    "createTask": CreateTaskRequest(user_task_id="t-new", scene_id="s"),
    "addBatchCall": AddBatchCallRequest(user_task_id=OPERATION_TASK, call_info_list=orders("a-1")),
    "createAndCall": CreateAndCallRequest(user_task_id="t-new-2", scene_id="s", call_info_list=orders("a-2")),
    "mgrTaskStatus": MgrTaskStatusRequest(user_task_id=OPERATION_TASK, task_operate=TaskOperate.START),
    "updateTask": UpdateTaskRequest(user_task_id=OPERATION_TASK, task_create_setting=TaskCreateSetting(max_call=3)),
    "listTask": ListTaskRequest(page=1, size=5, query_conditions=ListTaskConditions()),
    "listCall": ListCallRequest(user_task_id=OPERATION_TASK, options=ListCallOptions()),
    "listOrder": ListOrderRequest(user_task_id=OPERATION_TASK, options=ListOrderOptions()),
    "stopOrder": StopOrderRequest(user_task_id=OPERATION_TASK, order_ids=["o-1"]),
    "listOrderDetail": ListOrderDetailRequest(user_task_id=OPERATION_TASK, order_list=["o-1"]),
    "exportBatchCall": ExportBatchCallRequest(user_task_id=OPERATION_TASK),
    "importBatchCall": AddBatchCallRequest(user_task_id=OPERATION_TASK, call_info_list=orders("a-3")),
}


def _operation_table() -> list[tuple[Any, Any]]:
    modules = endpoint_modules()
    table = []
    for operation_id in spec_operations():
        body = KNOWN_BODIES.get(operation_id)
        if body is None:
            model = getattr(callbot_client.models, request_schema(operation_id)["$ref"].rsplit("/", 1)[-1])
            body = model.from_dict(request_body(operation_id))
        table.append((modules[operation_id], body))
    return table


#: (generated endpoint module, request model) for every operation of the spec, in its order.
OPERATIONS: list[tuple[Any, Any]] = _operation_table()
