"""Genuine (and forged) deliveries for the receiver's tests, signed with the documented rule (_support)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

import httpx

from .._support import PAYLOADS, documented_sign

#: Two accounts a receiver serves (uuid, secret key, console algorithm), and one it does not.
ACCOUNT_A = ("acc-a-0001", "secret-key-a-0123456789", "MD5")
ACCOUNT_B = ("acc-b-0002", "secret-key-b-9876543210", "SHA256")
STRANGER = ("acc-x-0003", "secret-key-x-5555555555", "MD5")
ACCOUNTS = {ACCOUNT_A[0]: (ACCOUNT_A[1], ACCOUNT_A[2]), ACCOUNT_B[0]: (ACCOUNT_B[1], ACCOUNT_B[2])}
_numbers = itertools.count()


def fresh_id() -> str:
    return f"req-{time.time_ns()}-{next(_numbers)}"


def delivery(
    kind: str = "order",
    *,
    account: tuple[str, str, str] = ACCOUNT_A,
    request_id: str | None = None,
    age: int = 0,
    payload: dict[str, Any] | None = None,
    create_ts: int | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers and body as the platform sends a callback (no algorithm header)."""
    uuid, secret, algorithm = account
    body = json.dumps(payload if payload is not None else PAYLOADS[kind]).encode()
    ts = str(create_ts if create_ts is not None else int(time.time()) - age)
    rid = request_id or fresh_id()
    sign = documented_sign(secret, body, ts, rid, uuid, algorithm)
    return {"requestID": rid, "uuid": uuid, "createTs": ts, "sign": sign, "Content-Type": "application/json"}, body


def forged(kind: str = "order") -> tuple[dict[str, str], bytes]:
    headers, body = delivery(kind)
    return headers, body.replace(b'"o-1"', b'"o-2"')


async def post(app: Any, path: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    """One POST to an ASGI app, in process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://receiver") as client:
        return await client.post(path, content=body, headers=headers)


def wsgi_post(app: Any, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """One POST to a WSGI app, through a stdlib environ (wsgiref's defaults); the status and the text."""
    import io
    from wsgiref.util import setup_testing_defaults

    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    setup_testing_defaults(environ)
    status: list[str] = []
    chunks = app(environ, lambda line, _headers: status.append(line))
    return int(status[0].split()[0]), b"".join(chunks).decode()
