"""Shared fixtures: the spec, a sandbox with known accounts and orders, and live servers on 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from callbot_sandbox import Account, OrderState, Sandbox, serve_in_thread
from hypothesis import settings

# No per-example deadline: on a loaded 2-core CI machine a slow example is not a failure.
settings.register_profile("project", deadline=None, print_blob=True)
# `make mutate` runs the tests once per mutant: the same examples every time (a mutant is killed or not,
# never by luck), fewer of them, and no example database shared between mutants.
settings.register_profile(
    "mutation", parent=settings.get_profile("project"), derandomize=True, database=None, max_examples=50
)
settings.load_profile(os.environ.get("CALLBOT_HYPOTHESIS_PROFILE", "project"))

REPO = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO / "openapi" / "callbot.yaml"

MD5_ACCOUNT = Account(uuid="acc-md5-0001", secret_key="md5-secret-key-0123456789abcdef", algorithm="MD5")
SHA_ACCOUNT = Account(uuid="acc-sha-0002", secret_key="sha-secret-key-fedcba9876543210", algorithm="SHA256")
TASK = "task-0001"
UNDIALED = [f"order-{n}" for n in range(1, 6)]
DIALED = "order-dialed"


def call_info_list(*order_ids: str) -> dict[str, Any]:
    orders = [{"orderID": order_id, "userPhone": "8613800000000"} for order_id in order_ids]
    return {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": orders}


def make_sandbox(**options: Any) -> Sandbox:
    """A sandbox where each account has its own task TASK holding the orders UNDIALED (not called yet) and
    DIALED (called once): the same IDs in two accounts, which never see each other's."""
    sandbox = Sandbox([MD5_ACCOUNT, SHA_ACCOUNT], **options)
    for account in (MD5_ACCOUNT, SHA_ACCOUNT):
        task = sandbox.state.create_task(TASK, "scene-1", int(time.time()), account.uuid)
        sandbox.state.import_orders(task, call_info_list(*UNDIALED, DIALED), new_batch=False)
        task.orders[DIALED].state = OrderState.DIALED
    return sandbox


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def sandbox() -> Sandbox:
    return make_sandbox()


@pytest.fixture
def live_url(sandbox: Sandbox) -> Iterator[str]:
    """The ``sandbox`` fixture served by uvicorn on 127.0.0.1 (a free port)."""
    with serve_in_thread(sandbox.asgi_app()) as url:
        yield url
