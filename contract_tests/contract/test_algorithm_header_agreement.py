"""The algorithm header: the client, the sandbox and the spec agree. A request is verified with the algorithm its
header names (MD5 without one, whatever the account's console setting), an unknown one is refused and answered
with MD5, the client works with either algorithm, and callbacks use the console's."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from callbot_client.models import TaskOperate
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.testing import API, send
from callbot_signing import Callbot, SignatureError, verify_webhook
from callbot_signing.wire import DEFAULT_ALGORITHM, shipped_spec

from ..signed_exchanges import MD5, SHA, headers_for, verified

pytestmark = pytest.mark.contract

OTHER = {"MD5": "SHA256", "SHA256": "MD5"}


# --- the algorithm header: the client, the sandbox and the spec agree ------------------------------------------


def test_the_spec_documents_md5_as_the_default_the_client_uses() -> None:
    spec = shipped_spec()
    assert spec["components"]["headers"]["algorithm"]["schema"]["default"] == DEFAULT_ALGORITHM == "MD5"
    scheme = spec["components"]["securitySchemes"]["algorithm"]
    assert "MD5 when left out" in scheme["description"]
    assert "whatever the console" in scheme["x-assumption"]


@pytest.mark.parametrize("account", [MD5, SHA], ids=lambda a: f"account-{a.algorithm}")
@pytest.mark.parametrize("header", [None, "MD5", "SHA256", "sha256"], ids=lambda h: f"header-{h}")
def test_a_request_is_verified_with_the_algorithm_its_header_names_md5_without_one(
    account: Account, header: str | None
) -> None:
    default = shipped_spec()["components"]["headers"]["algorithm"]["schema"]["default"]
    used = (header or default).upper()
    app = Sandbox([account]).asgi_app()
    body = b'{"data": "algorithm"}'
    request = headers_for(account, body, sign_with=used, header=header)
    reply = asyncio.run(send(app, API + "ping", request, [body]))
    assert reply.code == 0, reply.body
    verified(reply, account, request, used)  # the answer is signed with the request's algorithm

    other = OTHER[used]
    request = headers_for(account, body, sign_with=other, header=header)
    refused = asyncio.run(send(app, API + "ping", request, [body]))
    assert refused.code == 6
    verified(refused, account, request, used)
    assert f"the request is signed with {other}" in refused.json()["msg"]
    assert f"send the header algorithm: {other}" in refused.json()["msg"]


def test_an_unknown_algorithm_header_is_refused_and_answered_with_md5() -> None:
    app = Sandbox([SHA]).asgi_app()
    body = b'{"data": "x"}'
    request = headers_for(SHA, body, sign_with="SHA256", header="SHA1")
    reply = asyncio.run(send(app, API + "ping", request, [body]))
    assert reply.code == 6 and "'SHA1' is neither MD5 nor SHA256" in reply.json()["msg"]
    verified(reply, SHA, request, "MD5")


@pytest.mark.parametrize("account", [MD5, SHA], ids=lambda a: f"account-{a.algorithm}")
@pytest.mark.parametrize("configured", ["MD5", "SHA256"])
def test_the_client_works_with_either_algorithm_and_callbacks_use_the_consoles(
    served: tuple[str, Sandbox], account: Account, configured: str
) -> None:
    url, sandbox = served
    task = f"alg-{account.algorithm}-{configured}"
    with Callbot(url, account.uuid, account.secret_key, algorithm=configured, max_retries=0) as callbot:
        assert callbot.ping(data="x").data == "x"
        created = callbot.create_task(user_task_id=task, scene_id="s", task_callback_url="http://127.0.0.1:9/t")
        assert created.ret_code == 0
        assert callbot.mgr_task_status(user_task_id=task, task_operate=TaskOperate.START).task_status == 2

    delivered: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        delivered.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(receiver)) as client:
        sandbox.callbacks.flush(client)
    mine = [r for r in delivered if r.headers["uuid"] == account.uuid and task.encode() in r.content]
    assert mine and all("algorithm" not in r.headers for r in mine)
    for request in mine:  # signed with the console's algorithm, which the receiver is configured with
        verify_webhook(request.headers, request.content, uuid=account.uuid, secret_key=account.secret_key,
                       algorithm=account.algorithm, max_clock_skew=3600)  # fmt: skip
        with pytest.raises(SignatureError):
            verify_webhook(request.headers, request.content, uuid=account.uuid, secret_key=account.secret_key,
                           algorithm=OTHER[account.algorithm], max_clock_skew=3600)  # fmt: skip


def test_the_pinned_algorithm_deviation_refuses_what_the_spec_assumes_accepted() -> None:
    app = Sandbox([SHA], deviations=frozenset({"pinned-algorithm"})).asgi_app()
    body = b'{"data": "x"}'
    for header in (None, "MD5"):
        request = headers_for(SHA, body, sign_with="MD5", header=header)
        reply = asyncio.run(send(app, API + "ping", request, [body]))
        assert reply.code == 6 and "set to SHA256" in reply.json()["msg"]
        verified(reply, SHA, request, "SHA256")
