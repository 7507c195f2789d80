"""A base URL with a path prefix (a gateway in front of the service): the operation is still known from the
path, so answers are checked against the spec and ping is read by its own envelope."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.models import PingRequest
from callbot_signing import (
    Callbot,
    CallbotError,
    UnexpectedResponseError,
    connect,
)

from .._support import documented_sign

UUID = "review-uuid"
SECRET = "review-secret-key"
STOP_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}
PING_OK = {"data": "x", "timestamp": 1, "code": 0, "msg": "ok", "reqId": "q"}


def signed(request: httpx.Request, body: bytes, status: int = 200, **headers: Any) -> httpx.Response:
    ts = str(int(time.time()))
    rid = request.headers["requestID"]
    out = {"requestID": rid, "uuid": UUID, "createTs": ts, "sign": documented_sign(SECRET, body, ts, rid, UUID, "MD5")}
    return httpx.Response(status, content=body, headers={**out, **headers})


def callbot(handler: Any, base_url: str = "http://127.0.0.1:9", **options: Any) -> Callbot:
    transport = httpx.MockTransport(handler)
    return Callbot(base_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport}, **options)


def test_a_base_url_with_a_path_prefix_still_checks_answers_against_the_spec() -> None:
    broken = json.dumps({**STOP_OK, "errList": None}).encode()
    ping_body = json.dumps(PING_OK).encode()
    with callbot(lambda r: signed(r, broken), base_url="http://127.0.0.1:9/gateway") as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            client.stop_order(user_task_id="t", order_ids=["o"])
        assert caught.value.field_path == "errList"
    generated = connect(
        "http://127.0.0.1:9/gateway",
        UUID,
        SECRET,
        httpx_args={"transport": httpx.MockTransport(lambda r: signed(r, ping_body))},
    )
    with generated:
        assert ping.sync(client=generated, body=PingRequest(data="x")).code == 0


def test_ping_behind_a_gateway_reads_pings_envelope() -> None:
    body = json.dumps({**PING_OK, "retCode": 0, "code": 6, "msg": "refused"}).encode()
    with (
        callbot(lambda r: signed(r, body), base_url="http://127.0.0.1:9/gw") as client,
        pytest.raises(CallbotError) as caught,
    ):
        client.ping(data="x")
    assert caught.value.ret_code == 6
