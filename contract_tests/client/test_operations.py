"""Every operation through the generated client and CallbotAuth against the sandbox: a whole campaign.

Each answer is signed (CallbotAuth verifies it) and valid against the operation's response schema.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from callbot_client import Client
from callbot_client.api.batches import export_batch_call, import_batch_call
from callbot_client.api.calls import list_call, list_order_detail
from callbot_client.api.health import ping
from callbot_client.api.orders import add_batch_call, list_order, stop_order
from callbot_client.api.tasks import create_and_call, create_task, list_task, mgr_task_status, update_task
from callbot_client.models import (
    AddBatchCallRequest,
    CreateAndCallRequest,
    CreateTaskRequest,
    ExportBatchCallRequest,
    FuncFlag,
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
    TaskStatus,
    UpdateTaskRequest,
)
from callbot_client.types import Response
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_sandbox import TaskStatus as SandboxTaskStatus
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.spec import check_schema, load_spec
from callbot_sandbox.state import Call
from callbot_signing import CallbotAuth, InvalidRequestError, connect
from callbot_signing.wire import operations

from ..from_spec import KNOWN_BODIES, OPERATION_TASK, OPERATIONS, body_path, orders, request_body, request_schema

pytestmark = pytest.mark.contract

ACCOUNT = Account("campaign-uuid", "campaign-secret-key", "SHA256")
TASK = OPERATION_TASK


def valid(response: Response[Any], path: str) -> Any:
    """The parsed answer, after checking its raw JSON against the spec's response schema."""
    assert response.status_code == 200
    pointer = load_spec()["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    check_schema(pointer, json.loads(response.content))
    return response.parsed


def run_campaign(client: Client, sandbox: Sandbox) -> None:
    api = "/callcentre/api/v3/"
    assert valid(ping.sync_detailed(client=client, body=PingRequest(data="hi")), api + "ping").data == "hi"

    setting = TaskCreateSetting(task_name="Autumn", max_call=2)
    created = create_task.sync_detailed(
        client=client, body=CreateTaskRequest(user_task_id=TASK, scene_id="s-1", task_create_setting=setting)
    )
    assert valid(created, api + "createTask").ret_code == 0
    added = add_batch_call.sync_detailed(
        client=client, body=AddBatchCallRequest(user_task_id=TASK, call_info_list=orders("o-1", "o-2", "o-3"))
    )
    assert valid(added, api + "addBatchCall").ret_code == 0

    listed = valid(
        list_task.sync_detailed(
            client=client,
            body=ListTaskRequest(
                page=1, size=10, query_conditions=ListTaskConditions(task_status=[TaskStatus.PENDING])
            ),
        ),
        api + "listTask",
    )
    assert [(t.user_task_id, t.task_status, t.task_stat.total_order_count) for t in listed.task_data] == [(TASK, 1, 3)]

    started = valid(
        mgr_task_status.sync_detailed(
            client=client, body=MgrTaskStatusRequest(user_task_id=TASK, task_operate=TaskOperate.START)
        ),
        api + "mgrTaskStatus",
    )
    assert (started.task_status, started.task_id) == (2, listed.task_data[0].task_id)

    # The virtual clock stands still, so nothing is dialed: record one answered call for o-1 by hand.
    task = sandbox.state.task(TASK, ACCOUNT.uuid)
    sandbox.state.record_call(
        task,
        task.orders["o-1"],
        Call(
            "c-1",
            status=1,
            start_ts=100,
            answer_ts=105,
            end_ts=165,
            intents=[{"intentID": "i-1", "intentTag": "A", "intentName": "interested", "intentLevel": 1}],
        ),
        finished=False,
    )

    order_page = valid(
        list_order.sync_detailed(
            client=client, body=ListOrderRequest(user_task_id=TASK, options=ListOrderOptions(intent_id=["i-1"]))
        ),
        api + "listOrder",
    )
    assert [(o.order_id, o.call_info_detail.call_id) for o in order_page.order_list] == [("o-1", "c-1")]
    call_page = valid(
        list_call.sync_detailed(
            client=client, body=ListCallRequest(user_task_id=TASK, options=ListCallOptions()), accept_encoding="gzip"
        ),
        api + "listCall",
    )
    assert [(c.call_id, c.order_id, c.call_duration) for c in call_page.call_list] == [("c-1", "o-1", 60)]
    details = valid(
        list_order_detail.sync_detailed(
            client=client, body=ListOrderDetailRequest(user_task_id=TASK, order_list=["o-1", "o-2"])
        ),
        api + "listOrderDetail",
    )
    assert [(d.order_id, len(d.call_info_detail_list)) for d in details.order_detail_list] == [("o-1", 1), ("o-2", 0)]
    exported = valid(
        export_batch_call.sync_detailed(client=client, body=ExportBatchCallRequest(user_task_id=TASK)),
        api + "exportBatchCall",
    )
    assert (exported.batch_id, [c.call_id for c in exported.call_list]) == ("1", ["c-1"])

    with pytest.raises(InvalidRequestError, match="only a paused or pending task"):
        update_task.sync(client=client, body=UpdateTaskRequest(user_task_id=TASK, func_flag=FuncFlag(sms_enable=True)))
    valid(
        mgr_task_status.sync_detailed(
            client=client, body=MgrTaskStatusRequest(user_task_id=TASK, task_operate=TaskOperate.PAUSE)
        ),
        api + "mgrTaskStatus",
    )
    updated = update_task.sync_detailed(
        client=client, body=UpdateTaskRequest(user_task_id=TASK, func_flag=FuncFlag(sms_enable=True))
    )
    assert valid(updated, api + "updateTask").ret_code == 0
    assert sandbox.state.tasks[TASK].func_flag == {"smsEnable": True}

    stopped = valid(
        stop_order.sync_detailed(client=client, body=StopOrderRequest(user_task_id=TASK, order_ids=["o-1", "o-2"])),
        api + "stopOrder",
    )
    assert (stopped.success_count, [e.order_id for e in stopped.err_list]) == (1, ["o-1"])  # o-1 was dialed
    imported = import_batch_call.sync_detailed(
        client=client, body=AddBatchCallRequest(user_task_id=TASK, call_info_list=orders("o-4"))
    )
    assert valid(imported, api + "importBatchCall").ret_code == 0
    assert set(o.order_id for o in sandbox.state.orders_of(TASK)) == {"o-1", "o-2", "o-4"}  # undialed o-3 dropped

    both = create_and_call.sync_detailed(
        client=client,
        body=CreateAndCallRequest(user_task_id="campaign-task-2", scene_id="s-1", call_info_list=orders("o-9")),
    )
    assert valid(both, api + "createAndCall").ret_code == 0
    assert sandbox.state.tasks["campaign-task-2"].status is SandboxTaskStatus.RUNNING


def test_a_whole_campaign_over_uvicorn() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_700_000_000))
    with (
        serve_in_thread(sandbox.asgi_app()) as url,
        connect(url, ACCOUNT.uuid, ACCOUNT.secret_key, algorithm="SHA256") as client,
    ):
        run_campaign(client, sandbox)


def test_the_round_trip_table_covers_every_operation_of_the_spec_and_names_no_other() -> None:
    assert [body_path(module) for module, _ in OPERATIONS] == list(operations())  # read from the spec
    assert set(KNOWN_BODIES) <= set(operations())  # no body kept for an operation the spec dropped


@pytest.mark.parametrize("operation_id", list(operations()))
def test_the_smallest_body_of_every_operation_fits_its_schema(operation_id: str) -> None:
    """What a new operation is sent in the round trips (and the CLI test): the smallest body its schema allows."""
    check_schema(request_schema(operation_id)["$ref"], request_body(operation_id))


@pytest.mark.parametrize(("module", "body"), OPERATIONS, ids=[m.__name__.rsplit(".", 1)[1] for m, _ in OPERATIONS])
async def test_every_operation_round_trips_in_process_with_the_async_client(module: Any, body: Any) -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_700_000_000))
    task = sandbox.state.create_task(TASK, "s", 0, ACCOUNT.uuid)
    sandbox.state.import_orders(task, orders("o-1").to_dict(), new_batch=False)
    transport = httpx.ASGITransport(app=sandbox.asgi_app())
    client = connect(
        "http://sandbox.local",
        ACCOUNT.uuid,
        ACCOUNT.secret_key,
        algorithm="SHA256",
        httpx_args={"transport": transport},
    )
    async with client:
        response = await module.asyncio_detailed(client=client, body=body)
    path = "/callcentre/api/v3/" + body_path(module)
    parsed = valid(response, path)
    assert (parsed.code if module is ping else parsed.ret_code) == 0


async def test_a_gzip_compressed_answer_is_verified_over_its_uncompressed_json() -> None:
    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_700_000_000))
    task = sandbox.state.create_task(TASK, "s", 0, ACCOUNT.uuid)
    sandbox.state.import_orders(task, orders(*[f"o-{n}" for n in range(20)]).to_dict(), new_batch=False)
    for n, order in enumerate(task.orders.values()):
        sandbox.state.record_call(
            task, order, Call(f"c-{n}", 1, start_ts=100, answer_ts=101, end_ts=130), finished=True
        )
    wire_encodings: list[str | None] = []

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            wire_encodings.append(response.headers.get("content-encoding"))
            return response

    transport = Recording(httpx.ASGITransport(app=sandbox.asgi_app()))
    client = connect(
        "http://sandbox.local",
        ACCOUNT.uuid,
        ACCOUNT.secret_key,
        algorithm="SHA256",
        httpx_args={"transport": transport},
    )
    async with client:
        body = ListCallRequest(user_task_id=TASK, options=ListCallOptions())
        response = await list_call.asyncio_detailed(client=client, body=body, accept_encoding="gzip")
    assert wire_encodings == ["gzip"]
    assert len(valid(response, "/callcentre/api/v3/listCall").call_list) == 20


async def test_a_gzip_compressed_import_is_signed_over_the_bytes_sent() -> None:
    import gzip

    sandbox = Sandbox([ACCOUNT], virtual_clock=VirtualClock(1_700_000_000))
    sandbox.state.create_task(TASK, "s", 0, ACCOUNT.uuid)
    body = gzip.compress(
        json.dumps(AddBatchCallRequest(user_task_id=TASK, call_info_list=orders("z-1")).to_dict()).encode()
    )
    auth = CallbotAuth(ACCOUNT.uuid, ACCOUNT.secret_key, "SHA256")
    async with httpx.AsyncClient(auth=auth, transport=httpx.ASGITransport(app=sandbox.asgi_app())) as client:
        response = await client.post(
            "http://sandbox.local/callcentre/api/v3/importBatchCall",
            content=body,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    assert response.json()["retCode"] == 0
    assert "z-1" in sandbox.state.orders
