"""Helpers shared by the rule tests: the documented signing rule written out, and signed messages built
with it. Nothing here calls the code under test, so it can serve as the tests' oracle."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import callbot_client.api
import callbot_client.models
import httpx
from callbot_client.api.orders import stop_order
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
from callbot_signing import RetryPolicy, connect

UUID = "rules-uuid"
SECRET = "rules-secret-key"
NOW = 1_800_000_000


def documented_sign(secret: str, body: bytes, ts: str, request_id: str, uuid: str, algorithm: str) -> str:
    """The wiki's rule, written independently of the package: one string, hashed, upper-case hex."""
    raw = secret.encode() + b"&body=" + body + f"&createTs={ts}&requestID={request_id}&uuid={uuid}".encode()
    return hashlib.new({"MD5": "md5", "SHA256": "sha256"}[algorithm.upper()], raw).hexdigest().upper()


def signed_headers(
    body: bytes,
    *,
    request_id: str = "req-1",
    uuid: str = UUID,
    ts: int | str = NOW,
    algorithm: str = "MD5",
    secret: str = SECRET,
) -> dict[str, str]:
    """The four signed headers of a genuine message (no algorithm header, as the platform sends them)."""
    return {
        "requestID": request_id,
        "uuid": uuid,
        "createTs": str(ts),
        "sign": documented_sign(secret, body, str(ts), request_id, uuid, algorithm),
    }


ORDER: dict[str, Any] = {
    "orderID": "o-1",
    "userPhone": "8613800000000",
    "userName": "Li",
    "sceneID": "s-1",
    "userTaskID": "t-1",
    "taskID": "T1",
    "finish": True,
    "other": "ref",
}
CALL: dict[str, Any] = {
    "callID": "c-1",
    "callStatus": 1,
    "callStartTs": 100,
    "callAnswerTs": 105,
    "callEndTs": 160,
    "callDuration": 55,
    "intents": [{"intentID": "i", "intentTag": "A", "intentName": "yes", "intentLevel": 1}],
    "agent": {"agentName": None, "manualHangupBy": 0},
}
#: One payload of each callback kind, as the wiki's examples send them.
PAYLOADS: dict[str, dict[str, Any]] = {
    "call": {"callbackType": 1, **ORDER, "callInfoDetail": CALL},
    "order": {"callbackType": "1", **ORDER, "callInfoDetail": CALL},
    "task": {
        "callbackType": 1,
        "userTaskID": "t-1",
        "taskID": "T1",
        "sceneID": "s-1",
        "taskStatus": 3,
        "createTs": 99,
        "taskStat": {
            "answerOrderCount": 1,
            "finishOrderCount": 2,
            "totalOrderCount": 2,
            "finishRate": 1.0,
            "totalAnswerCall": 1,
            "totalCall": 3,
            "answerRate": 0.33,
        },
    },
}


def callback(kind: str, **signing: Any) -> tuple[dict[str, str], bytes]:
    """A genuine callback of ``kind``: its signed headers and body."""
    body = json.dumps(PAYLOADS[kind], ensure_ascii=False).encode()
    return signed_headers(body, **signing), body


#: The account of the webhook tests (and of the README's receiver).
WEBHOOK_UUID = "hook-uuid"
WEBHOOK_SECRET = "hook-secret-key"


def delivery(
    payload: dict[str, Any], *, algorithm: str = "MD5", age: int = 0, request_id: str = "hook-req-1"
) -> tuple[dict[str, str], bytes]:
    """Headers and body as the platform sends a callback now (no algorithm header, per the pages)."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    ts = str(int(time.time()) - age)
    headers = {
        "requestID": request_id,
        "uuid": WEBHOOK_UUID,
        "createTs": ts,
        "sign": documented_sign(WEBHOOK_SECRET, body, ts, request_id, WEBHOOK_UUID, algorithm),
    }
    return headers, body


#: The repository's root, for the README and the spec.
REPO = Path(__file__).resolve().parent.parent
_README_BLOCK = re.compile(r"(?:<!-- readme-block: (?P<name>[\w-]+) -->\n)?```python\n(?P<code>.*?)```", re.DOTALL)


def readme_blocks() -> dict[str, str]:
    """The README's python blocks by their ``readme-block`` marker; an unmarked block fails."""
    found: dict[str, str] = {}
    for match in _README_BLOCK.finditer((REPO / "README.md").read_text(encoding="utf-8")):
        assert match["name"], f"a python block of README.md has no readme-block marker:\n{match['code'][:200]}"
        found[match["name"]] = match["code"]
    return found


def run_readme_block(name: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute README block ``name`` as written; return its namespace."""
    namespace = {} if namespace is None else namespace
    exec(compile(readme_blocks()[name], f"README.md:{name}", "exec"), namespace)
    return namespace


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


#: How a consumer of the installed package sees it under ``mypy --strict``: errors inside the generated
#: modules (the generator's own code, e.g. its client's __exit__) are not the consumer's, but the operations
#: module, where the consumer's types come from, must be clean.
CONSUMER_MYPY_CONFIG = """\
[mypy]
strict = True
python_version = 3.11
[mypy-callbot_client.*]
ignore_errors = True
[mypy-callbot_client.api]
ignore_errors = False
"""


def mypy_strict(folder: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``mypy --strict`` as a consumer would over ``files`` in ``folder`` (their own cache, no daemon)."""
    (folder / "mypy.ini").write_text(CONSUMER_MYPY_CONFIG, encoding="utf-8")
    env = {
        **os.environ,
        "MYPYPATH": os.pathsep.join(str(REPO / part) for part in ("generated", "signing", "sandbox", "cli")),
    }
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(folder / ".mypy_cache"),
         "--show-error-codes", "--no-error-summary", *files],
        cwd=folder, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


# --- the fault tests' client: a stopOrder call against a MockTransport, answers signed as the service signs -----

FAULT_UUID = "fault-uuid"
FAULT_SECRET = "fault-secret-key-do-not-leak"
FAULT_POLICY = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.002)
FAULT_BODY = StopOrderRequest(user_task_id="t", order_ids=["o-1"])
Handler = Callable[[httpx.Request], httpx.Response]


def reply(request: httpx.Request, body: bytes, *, signed: bool = True, **headers: str) -> httpx.Response:
    """An answer signed as the service signs, unless ``signed`` is False; ``headers`` override."""
    out = {"requestID": request.headers["requestID"], "uuid": FAULT_UUID, "createTs": str(int(time.time()))}
    if signed:
        out["sign"] = documented_sign(FAULT_SECRET, body, out["createTs"], out["requestID"], FAULT_UUID, "MD5")
    out.update(headers)
    return httpx.Response(200, content=body, headers=out)


def envelope(ret_code: int, **extra: Any) -> bytes:
    return json.dumps({"retCode": ret_code, "retMsg": f"msg {ret_code}", "responseID": "resp-1", **extra}).encode()


class Counting:
    """A MockTransport handler that counts attempts and keeps the requestIDs and signs it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.request_ids: list[str] = []
        self.signs: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.request_ids.append(request.headers["requestID"])
        self.signs.append(request.headers["sign"])
        return self.handler(request)


def mock_client(handler: Handler, policy: RetryPolicy = FAULT_POLICY, **options: Any) -> Any:
    transport = httpx.MockTransport(handler)
    return connect(
        "http://127.0.0.1:9",
        FAULT_UUID,
        FAULT_SECRET,
        retry_policy=policy,
        httpx_args={"transport": transport},
        **options,
    )


def call_stop_order(client: Any) -> Any:
    with client:
        return stop_order.sync(client=client, body=FAULT_BODY)


def driven(result: Any) -> tuple[int, Any]:
    """(how many times a sandbox operation let the event loop run, its answer): an operation's result is its
    answer, or a generator that yields between chunks of work and returns it."""
    if isinstance(result, dict):
        return 0, result
    steps = 0
    try:
        while True:
            next(result)
            steps += 1
    except StopIteration as done:
        return steps, done.value
