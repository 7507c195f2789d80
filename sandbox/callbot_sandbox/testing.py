"""Helpers for tests and benchmarks that drive a sandbox: requests straight into its ASGI app (no sockets,
no threads), signed with the public ``sign`` or raw; a free loopback port; a readiness poll for a sandbox
started as a process."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
from callbot_signing import CallbotAuth, sign
from starlette.types import ASGIApp, Message

from .accounts import Account

#: Seconds a sandbox started as a process may take to answer its first ping.
READY_TIMEOUT = 20.0

API = "/callcentre/api/v3/"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> Any:
        data = self.json()
        return data.get("retCode", data.get("code"))


def signed_headers(account: Account, body: bytes, **extra: str) -> list[tuple[bytes, bytes]]:
    request_id, ts = uuid4().hex, str(int(time.time()))
    signature = sign(account.secret_key, body, ts, request_id, account.uuid, account.algorithm)
    headers = {
        "content-type": "application/json",
        "requestid": request_id,
        "uuid": account.uuid,
        "createts": ts,
        "algorithm": account.algorithm,
        "sign": signature,
        **extra,
    }
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def send(
    app: ASGIApp, path: str, headers: Sequence[tuple[bytes, bytes]], chunks: Sequence[bytes], timeout: float = 30
) -> Reply:
    """POST ``chunks`` (the body, in pieces) with ``headers`` exactly as given."""
    pending = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1} for n, chunk in enumerate(chunks)
    ]
    if not pending:
        pending = [{"type": "http.request", "body": b"", "more_body": False}]
    out: dict[str, Any] = {"status": 0, "headers": {}, "body": []}

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        await asyncio.sleep(3600)  # the app should not ask again: the request is complete
        return {"type": "http.disconnect"}

    async def respond(message: Message) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
            out["headers"] = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            out["body"].append(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": list(headers),
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await asyncio.wait_for(app(scope, receive, respond), timeout)
    return Reply(out["status"], out["headers"], b"".join(out["body"]))


async def call(app: ASGIApp, account: Account, operation: str, body: Any, **extra_headers: str) -> Reply:
    """A signed request: ``body`` is a JSON value (dumped as ASCII) or bytes sent as they are."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await send(app, API + operation, signed_headers(account, raw, **extra_headers), [raw])


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ready(base_url: str, uuid: str, secret_key: str, process: subprocess.Popen[bytes]) -> None:
    """Poll a signed ping, with a bound: the sandbox is ready when it answers code 0."""
    deadline = time.monotonic() + READY_TIMEOUT
    auth = CallbotAuth(uuid, secret_key)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the sandbox exited with code {process.returncode} before it was ready")
        try:
            reply = httpx.post(f"{base_url}/callcentre/api/v3/ping", json={"data": "ready?"}, auth=auth, timeout=1)
            if reply.json().get("code") == 0:
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.1)
    raise SystemExit(f"the sandbox at {base_url} was not ready within {READY_TIMEOUT} s")
