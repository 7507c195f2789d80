"""A small HTTP/1.1 load generator on raw asyncio streams: signed requests over keep-alive connections.

httpx's async pool spends more CPU per request than the sandbox does, so measuring the sandbox through it
measures httpx; this writes requests and reads answers with the least work it can.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from uuid import uuid4

from callbot_signing import sign


def signed_request(host: str, port: int, path: str, body: bytes, uuid: str, secret: str) -> bytes:
    request_id, ts = uuid4().hex, str(int(time.time()))
    signature = sign(secret, body, ts, request_id, uuid)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nrequestID: {request_id}\r\nuuid: {uuid}\r\ncreateTs: {ts}\r\n"
        f"algorithm: MD5\r\nsign: {signature}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return await reader.readexactly(length)


async def run_load(
    host: str,
    port: int,
    path: str,
    payload: dict[str, Any],
    uuid: str,
    secret: str,
    *,
    seconds: float,
    connections: int = 50,
) -> list[float]:
    """Latencies of every request sent by ``connections`` workers, back to back, for ``seconds``."""
    body = json.dumps(payload).encode()
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(signed_request(host, port, path, body, uuid, secret))
                answer = json.loads(await read_response(reader))
                if answer.get("retCode", answer.get("code")) != 0:
                    raise RuntimeError(f"the sandbox refused a load request: {answer}")
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return latencies
