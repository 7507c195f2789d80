"""The iter_* pagers against a service that pages wrongly: they stop with an error, never loop."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from callbot_signing import (
    Callbot,
    UnexpectedResponseError,
)

from .._support import documented_sign

UUID = "review-uuid"
SECRET = "review-secret-key"
STOP_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}


def signed(request: httpx.Request, body: bytes, status: int = 200, **headers: Any) -> httpx.Response:
    ts = str(int(time.time()))
    rid = request.headers["requestID"]
    out = {"requestID": rid, "uuid": UUID, "createTs": ts, "sign": documented_sign(SECRET, body, ts, rid, UUID, "MD5")}
    return httpx.Response(status, content=body, headers={**out, **headers})


def callbot(handler: Any, base_url: str = "http://127.0.0.1:9", **options: Any) -> Callbot:
    transport = httpx.MockTransport(handler)
    return Callbot(base_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport}, **options)


def test_paging_a_service_that_ignores_the_page_number_stops_with_an_error() -> None:
    row = {"orderID": "o-1"}
    body = json.dumps({**STOP_OK, "orderList": [row] * 3, "totalCount": 10**9}).encode()
    requested: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(json.loads(request.content)["page"])
        return signed(request, body)

    from callbot_client.models import ListOrderOptions

    with callbot(handler) as client:
        rows = client.iter_list_order(user_task_id="t", options=ListOrderOptions(), size=3)
        with pytest.raises(UnexpectedResponseError, match="answered page 2 with the rows of page 1"):
            for _ in rows:
                pass
    assert requested == [1, 2]
