"""A Callbot over a mock transport answering signed pings, recording what it was sent, or over a live sandbox:
shared by the tests of the client's options, reuse and environment."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Never

import httpx
import pytest
from callbot_sandbox import Sandbox, serve_in_thread
from callbot_signing import (
    Callbot,
)

from ._support import documented_sign
from .conftest import MD5_ACCOUNT, make_sandbox
from .recording import RecordingApp

UUID = "client-uuid"
SECRET = "client-secret-key-0123"

Handler = Callable[[httpx.Request], httpx.Response]


def signed(request: httpx.Request, answer: dict[str, object]) -> httpx.Response:
    body = json.dumps(answer).encode()
    headers = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    headers["sign"] = documented_sign(SECRET, body, headers["createTs"], headers["requestID"], UUID, "MD5")
    return httpx.Response(200, content=body, headers=headers)


def pong(request: httpx.Request) -> httpx.Response:
    return signed(request, {"data": "x", "timestamp": int(time.time()), "code": 0, "msg": "ok", "reqId": "r"})


class Recorder:
    """A MockTransport handler that keeps every request and answers with ``answer`` (a signed Ping by default)."""

    def __init__(self, answer: Handler = pong) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def mocked(
    recorder: Recorder, *, timeout: float = 30.0, max_retries: int = 2, max_response_bytes: int = 64 * 1024 * 1024
) -> Callbot[Never]:
    return Callbot(
        "http://callbot.test",
        UUID,
        SECRET,
        timeout=timeout,
        max_retries=max_retries,
        max_response_bytes=max_response_bytes,
        httpx_args={"transport": httpx.MockTransport(recorder)},
    )


@pytest.fixture
def recorded() -> Iterator[tuple[Sandbox, RecordingApp, str]]:
    """The conftest sandbox on 127.0.0.1, behind a recorder of what the server saw per request."""
    sandbox = make_sandbox()
    recorder = RecordingApp(sandbox.asgi_app())
    with serve_in_thread(recorder) as url:
        yield sandbox, recorder, url


def live(url: str) -> Callbot[Never]:
    return Callbot(url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key)
