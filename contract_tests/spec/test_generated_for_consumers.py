"""What a consumer of the generated package sees: types that a ``mypy --strict`` consumer uses without asserts or
casts, and a new operation in the spec that gets its method with no other change."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from .._support import mypy_strict

REPO = Path(__file__).resolve().parents[2]


BIN = Path(sys.executable).parent


# --- what consumers and a new operation see ---


CONSUMER = """
from collections.abc import AsyncIterator, Iterator
from typing import Never

from callbot_client.api import AsyncOperations, SyncOperations
from callbot_client.api.orders import stop_order
from callbot_client.client import Client
from callbot_client.models import ListOrderOptions, OrderWithLastCall, RetEnvelope, StopOrderRequest


class C(SyncOperations[Never]): ...


class A(AsyncOperations[Never]): ...


class Lenient(SyncOperations[RetEnvelope]): ...


def use() -> None:
    r = C().stop_order(user_task_id="t", order_ids=["a"])
    n: int = r.success_count
    rows: Iterator[OrderWithLastCall] = C().iter_list_order(user_task_id="t", options=ListOrderOptions(), size=10)
    first: str | object = next(rows).order_id
    either = Lenient().stop_order(user_task_id="t", order_ids=["a"])
    code: int = either.ret_code  # both the model and the envelope have ret_code
    direct = stop_order.sync(client=Client(base_url="x"), body=StopOrderRequest(user_task_id="t", order_ids=["a"]))
    m: int = direct.success_count
    body = StopOrderRequest(user_task_id="t", order_ids=["a"])
    detailed = stop_order.sync_detailed(client=Client(base_url="x"), body=body)
    k: int = detailed.parsed.success_count  # parsed is never None


async def use_async() -> None:
    r = await A().stop_order(user_task_id="t", order_ids=["a"])
    n: int = r.success_count
    rows: AsyncIterator[OrderWithLastCall] = A().iter_list_order(user_task_id="t", options=ListOrderOptions())
    async for row in rows:
        print(row.order_id)
"""


@pytest.mark.slow
@pytest.mark.generator
def test_a_strict_consumer_needs_no_assert_or_cast(tmp_path: Path) -> None:
    (tmp_path / "consumer.py").write_text(CONSUMER, encoding="utf-8")
    result = mypy_strict(tmp_path, ["consumer.py"])
    assert result.returncode == 0, result.stdout + result.stderr


NEW_OPERATION = {
    "post": {
        "operationId": "listThing",
        "tags": ["orders"],
        "summary": "List things",
        "description": "A made-up 14th operation.",
        "parameters": [{"name": "X-Trace", "in": "header", "required": False, "schema": {"type": "string"}}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ListThingRequest"}}},
        },
        "responses": {
            "200": {
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ListThingResponse"}}},
            }
        },
    }
}
NEW_SCHEMAS = {
    "ListThingRequest": {
        "type": "object",
        "required": ["productID", "thingIDs"],
        "properties": {
            "productID": {"type": "string", "const": "callbot", "default": "callbot"},
            "thingIDs": {"type": "array", "items": {"type": "string"}},
            "page": {"type": "integer"},
            "size": {"type": "integer"},
        },
    },
    "Thing": {"type": "object", "properties": {"thingID": {"type": "string"}}},
    "ListThingResponse": {
        "type": "object",
        "properties": {
            "totalCount": {"type": "integer"},
            "things": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
        },
    },
}


@pytest.mark.slow
@pytest.mark.generator
def test_a_new_operation_in_the_spec_gets_its_method_with_no_other_change(spec: dict[str, Any], tmp_path: Path) -> None:
    changed = {**spec, "paths": {**spec["paths"], "/callcentre/api/v3/listThing": NEW_OPERATION}}
    changed["components"] = {**spec["components"], "schemas": {**spec["components"]["schemas"], **NEW_SCHEMAS}}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    config = yaml.safe_load((REPO / "openapi" / "generator.yaml").read_text(encoding="utf-8"))
    config["package_name_override"] = "thing_client"
    config["post_hooks"] = []  # formatting is not what is checked here, and it saves time
    (tmp_path / "generator.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path", "spec.yaml",
            "--config", "generator.yaml",
            "--custom-template-path", str(REPO / "openapi" / "templates"),
            "--meta", "none",
            "--output-path", "thing_client",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    post = [sys.executable, str(REPO / "openapi" / "spec_to_json.py"), "spec.yaml", "thing_client/openapi.json"]
    finished = subprocess.run(post, cwd=tmp_path, capture_output=True, text=True, timeout=60)  # as make generate
    assert finished.returncode == 0, finished.stdout + finished.stderr

    probe = textwrap.dedent(
        """
        import inspect
        from thing_client.api import AsyncOperations, SyncOperations

        class Recorder(SyncOperations):
            def _call(self, *args):
                return args

            def _call_or_raise(self, operation_id, path, body, response_model, headers):
                self.bodies = [*getattr(self, "bodies", []), body]
                return response_model.from_dict({"things": [{"thingID": "a"}] if body["page"] == 1 else []})

        recorder = Recorder()
        operation_id, path, body, model, headers = recorder.list_thing(thing_ids=["t"], x_trace="x")
        assert (operation_id, path) == ("listThing", "/callcentre/api/v3/listThing"), (operation_id, path)
        assert body == {"productID": "callbot", "thingIDs": ["t"]} and headers == {"X-Trace": "x"}, body
        assert model.__name__ == "ListThingResponse"
        assert [thing.thing_id for thing in recorder.iter_list_thing(thing_ids=["t"])] == ["a"]
        assert [b["page"] for b in recorder.bodies] == [1, 2]
        assert inspect.isasyncgenfunction(AsyncOperations.iter_list_thing)
        print("ok")
        """
    )
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == "ok", ran.stdout + ran.stderr
