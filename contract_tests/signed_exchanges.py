"""Two accounts (MD5 and SHA256), the signed headers of a request for either, and a sandbox answer verified as
the client would: shared by the tests that hold the sandbox against the spec."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.testing import Reply
from callbot_signing import verify_response

from ._support import documented_sign

MD5 = Account("agree-md5", "agree-secret-md5-0123456789", "MD5")

SHA = Account("agree-sha", "agree-secret-sha-0123456789", "SHA256")


def headers_for(account: Account, body: bytes, *, sign_with: str, header: str | None) -> list[tuple[bytes, bytes]]:
    """A request signed by the wiki's rule with ``sign_with``, its algorithm header ``header`` (None: left out)."""
    request_id, ts = uuid4().hex, str(int(time.time()))
    out = {
        "content-type": "application/json",
        "requestid": request_id,
        "uuid": account.uuid,
        "createts": ts,
        "sign": documented_sign(account.secret_key, body, ts, request_id, account.uuid, sign_with),
    }
    if header is not None:
        out["algorithm"] = header
    return [(name.encode(), value.encode()) for name, value in out.items()]


def verified(reply: Reply, account: Account, request: list[tuple[bytes, bytes]], algorithm: str) -> None:
    """The answer's sign checks out with ``algorithm``, and its algorithm header says so."""
    request_id = dict(request)[b"requestid"].decode()
    verify_response(
        reply.headers, reply.body, request_id=request_id, uuid=account.uuid, secret_key=account.secret_key,
        algorithm=algorithm,
    )  # fmt: skip
    assert reply.headers["algorithm"] == algorithm


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Sandbox]]:
    sandbox = Sandbox([MD5, SHA], virtual_clock=VirtualClock(1_800_000_000))
    with serve_in_thread(sandbox.asgi_app()) as url:
        yield url, sandbox
