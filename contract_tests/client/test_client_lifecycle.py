"""A client and its transport: copies share the original's pool and only the original closes it; a transport
that serves the other kind of requests (sync or async) is refused when the client is built."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from callbot_signing import (
    AsyncCallbot,
    Callbot,
)

from .._support import documented_sign

UUID = "review-uuid"
SECRET = "review-secret-key"
PING_OK = {"data": "x", "timestamp": 1, "code": 0, "msg": "ok", "reqId": "q"}


def signed(request: httpx.Request, body: bytes, status: int = 200, **headers: Any) -> httpx.Response:
    ts = str(int(time.time()))
    rid = request.headers["requestID"]
    out = {"requestID": rid, "uuid": UUID, "createTs": ts, "sign": documented_sign(SECRET, body, ts, rid, UUID, "MD5")}
    return httpx.Response(status, content=body, headers={**out, **headers})


def test_closing_the_original_closes_a_pool_only_its_copies_used() -> None:
    closed: list[str] = []

    class Recording(httpx.MockTransport):
        def close(self) -> None:
            closed.append("sync")

    body = json.dumps(PING_OK).encode()
    client = Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": Recording(lambda r: signed(r, body))})
    with client, client.with_options(timeout=60.0) as slow:
        slow.ping(data="x")
        assert closed == []  # closing the copy leaves the shared pool open
    assert closed == ["sync"]


def test_a_transport_of_the_wrong_kind_is_refused_at_construction() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    asgi_only = httpx.ASGITransport(app=app)
    with pytest.raises(TypeError, match="serves async requests only"):
        Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": asgi_only})
    with pytest.raises(TypeError, match="serves sync requests only"):
        AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.HTTPTransport()})
