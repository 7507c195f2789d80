"""A loopback server that answers each operation with one fixed body, signed for the request's requestID: the
server of the per-call comparisons (sections 2 and 5), so that every contender costs the server the same.

``python -m bench.fixed_answer_server UUID SECRET`` prints its port on stdout once listening. It is a bare
asyncio protocol (no framework): a request costs it a few tens of microseconds, so the ratios of the clients
are not diluted by a slow server. The answers carry the five signing headers, signed over the fixed body for
the requestID and uuid of each request (the hash of ``{secret}&body={body}`` is computed once per body and
copied per answer); the request itself is not verified, so a client that signed nothing would be answered
too (none of the contenders does that).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callbot_signing import sign

#: The answer of each operation, as the service documents it (the clients check them against the spec).
ANSWERS: dict[bytes, bytes] = {
    b"/callcentre/api/v3/ping": json.dumps(
        {"code": 0, "msg": "success", "reqId": "r-1", "data": "hello", "timestamp": 1800000000000},
        separators=(",", ":"),
    ).encode(),
    b"/callcentre/api/v3/stopOrder": json.dumps(
        {"retCode": 0, "retMsg": "success", "responseID": "r-1", "totalCount": 2, "successCount": 2, "errList": []},
        separators=(",", ":"),
    ).encode(),
}
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
#: The largest request head or body read; a bench never sends more.
MAX_REQUEST = 1 << 20


class Signer:
    """The signed headers of the fixed answers, each hashed from a prefix computed once."""

    def __init__(self, uuid: str, secret: str) -> None:
        self.uuid = uuid
        self.prefixes = {path: hashlib.md5(f"{secret}&body=".encode() + body) for path, body in ANSWERS.items()}
        for path, body in ANSWERS.items():  # the shortcut is the real signature
            assert self.sign(path, "1", "r") == sign(secret, body, "1", "r", uuid)

    def sign(self, path: bytes, create_ts: str, request_id: str) -> str:
        hasher = self.prefixes[path].copy()
        hasher.update(f"&createTs={create_ts}&requestID={request_id}&uuid={self.uuid}".encode())
        return hasher.hexdigest().upper()

    def answer(self, path: bytes, request_id: str) -> bytes:
        body = ANSWERS.get(path)
        if body is None:
            return NOT_FOUND
        create_ts = str(int(time.time()))
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nrequestID: {request_id}\r\nuuid: {self.uuid}\r\n"
            f"createTs: {create_ts}\r\nalgorithm: MD5\r\nsign: {self.sign(path, create_ts, request_id)}\r\n\r\n"
        )
        return head.encode("latin-1") + body


class FixedAnswerProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive: a request head with Content-Length, its body, then the answer; repeated."""

    def __init__(self, signer: Signer) -> None:
        self.signer = signer
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0 or len(self.buffer) > MAX_REQUEST:
                if len(self.buffer) > MAX_REQUEST:
                    self.transport.close()
                return
            lines = self.buffer[:end].split(b"\r\n")
            path = lines[0].split(b" ")[1] if len(lines[0].split(b" ")) > 1 else b""
            length, request_id = 0, ""
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                lowered = name.strip().lower()
                if lowered == b"content-length":
                    length = int(value.strip())
                elif lowered == b"requestid":
                    request_id = value.strip().decode("latin-1")
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            self.transport.write(self.signer.answer(path, request_id))


async def serve(uuid: str, secret: str) -> None:
    signer = Signer(uuid, secret)
    server = await asyncio.get_running_loop().create_server(lambda: FixedAnswerProtocol(signer), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


@contextmanager
def fixed_answer_server(uuid: str, secret: str) -> Iterator[str]:
    """The server in its own process for the ``with`` block; yields its base URL."""
    with server_process("bench.fixed_answer_server", uuid, secret) as url:
        yield url


@contextmanager
def server_process(module: str, *args: str) -> Iterator[str]:
    """``python -m module *args`` for the ``with`` block, a server that prints its loopback port on its first line;
    yields its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    uuid, secret = sys.argv[1:3]
    asyncio.run(serve(uuid, secret))


if __name__ == "__main__":
    main()
