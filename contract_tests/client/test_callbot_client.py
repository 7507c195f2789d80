"""Callbot and AsyncCallbot as objects (with_options, the pool, close and reuse: test_with_options_and_reuse.py):
configuration from the environment, ErrorReply, gzip request bodies, the User-Agent, CALLBOT_LOG, requests
that cannot be sent, and servers that trickle or never stop. Observed from outside: the server's view of
the connection, the bytes on the wire, a subprocess's stderr.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from callbot_client.models import CallInfoList, CallOrder, ImportBatchCallContentEncoding
from callbot_sandbox import Sandbox
from callbot_signing import (
    APITimeoutError,
    AsyncCallbot,
    Callbot,
    ErrorReply,
    InvalidRequestError,
    ResponseTooLargeError,
)

from .._support import documented_sign
from ..conftest import DIALED, MD5_ACCOUNT, TASK, UNDIALED
from ..mock_service import SECRET, UUID, Recorder, live, mocked, pong, signed
from ..recording import RecordingApp

REPO = Path(__file__).resolve().parents[2]
PING_PATH = "/callcentre/api/v3/ping"


# --- configuration from the environment ----------------------------------------------------------------


@pytest.mark.parametrize("client_class", [Callbot, AsyncCallbot])
@pytest.mark.parametrize(
    ("missing", "present"), [("CALLBOT_UUID", "CALLBOT_SECRET_KEY"), ("CALLBOT_SECRET_KEY", "CALLBOT_UUID")]
)
def test_a_missing_credential_variable_is_a_value_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, client_class: Callable[[], object], missing: str, present: str
) -> None:
    monkeypatch.delenv(missing, raising=False)
    monkeypatch.setenv(present, "value-1")
    with pytest.raises(ValueError, match=missing):
        client_class()


def test_the_base_url_defaults_to_the_documented_host_and_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLBOT_BASE_URL", raising=False)
    monkeypatch.setenv("CALLBOT_UUID", UUID)
    monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
    recorder = Recorder()
    client = Callbot(httpx_args={"transport": httpx.MockTransport(recorder)})
    assert (client.base_url, client.uuid, client.max_retries) == ("https://nxbot.nxcloud.com", UUID, 2)
    assert "client-secret" not in repr(client)
    assert recorder.requests == []
    monkeypatch.setenv("CALLBOT_BASE_URL", "http://127.0.0.1:9")
    assert Callbot().base_url == "http://127.0.0.1:9"
    assert AsyncCallbot().base_url == "http://127.0.0.1:9"
    assert Callbot("http://given.example").base_url == "http://given.example"  # an argument wins
    client.ping(data="x")
    assert str(recorder.requests[0].url) == "https://nxbot.nxcloud.com" + PING_PATH


# --- raise_on_error ------------------------------------------------------------------------------------


def test_raise_on_error_false_returns_an_error_reply_and_the_default_raises(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    sandbox, _, url = recorded
    too_many = [f"order-{n}" for n in range(1001)]  # the sandbox's limit is 1,000 orderIDs: retCode 4001
    with Callbot(url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key, raise_on_error=False) as lenient:
        reply = lenient.stop_order(user_task_id=TASK, order_ids=too_many)
        fine = lenient.stop_order(user_task_id=TASK, order_ids=[UNDIALED[0]])
    assert isinstance(reply, ErrorReply)
    assert (reply.ret_code, reply.operation) == (4001, "stopOrder")
    assert reply.response_id and reply.request_id and "1001 elements" in (reply.ret_msg or "")
    assert reply.body["retCode"] == 4001
    assert not isinstance(fine, ErrorReply) and fine.success_count == 1
    with live(url) as strict, pytest.raises(InvalidRequestError) as caught:
        strict.stop_order(user_task_id=TASK, order_ids=too_many)
    assert (caught.value.ret_code, caught.value.operation) == (4001, "stopOrder")
    assert all(sandbox.state.orders[order].state.value == "undialed" for order in UNDIALED[1:])


# --- gzip request bodies -------------------------------------------------------------------------------

CONTACTS = CallInfoList(
    order_callback_url="", call_callback_url="", call_list=[CallOrder(order_id="gz-1", user_phone="8613800000001")]
)
CONTACTS_JSON = {
    "orderCallbackUrl": "",
    "callCallbackUrl": "",
    "callList": [{"orderID": "gz-1", "userPhone": "8613800000001"}],
}


def test_a_gzip_import_sends_compressed_json_signed_over_the_compressed_bytes() -> None:
    envelope = {"retCode": 0, "retMsg": "ok", "responseID": "r"}
    recorder = Recorder(lambda request: signed(request, envelope))
    with mocked(recorder) as client:
        client.import_batch_call(
            user_task_id="t-gz", call_info_list=CONTACTS, content_encoding=ImportBatchCallContentEncoding.GZIP
        )
        client.import_batch_call(user_task_id="t-plain", call_info_list=CONTACTS)
    zipped, plain = recorder.requests
    wire = zipped.content
    assert zipped.headers["Content-Encoding"] == "gzip" and wire[:2] == b"\x1f\x8b"
    assert int(zipped.headers["Content-Length"]) == len(wire)
    sent = json.loads(gzip.decompress(wire))
    assert sent == {"productID": "callbot", "userTaskID": "t-gz", "callInfoList": CONTACTS_JSON}
    h = zipped.headers
    assert h["sign"] == documented_sign(SECRET, wire, h["createTs"], h["requestID"], UUID, "MD5")
    assert h["sign"] != documented_sign(SECRET, gzip.decompress(wire), h["createTs"], h["requestID"], UUID, "MD5")
    assert "Content-Encoding" not in plain.headers
    assert json.loads(plain.content) == {**sent, "userTaskID": "t-plain"}


def test_a_live_sandbox_accepts_a_gzip_import(live_url: str, sandbox: Sandbox) -> None:
    with live(live_url) as client:
        result = client.import_batch_call(
            user_task_id=TASK, call_info_list=CONTACTS, content_encoding=ImportBatchCallContentEncoding.GZIP
        )
    assert result.ret_code == 0 and result.success_count == 1
    orders = sandbox.state.account(MD5_ACCOUNT.uuid).orders
    assert orders["gz-1"].user_phone == "8613800000001"
    assert not any(order in orders for order in UNDIALED)  # a new batch drops the undialed orders
    assert DIALED in orders


# --- what is sent: User-Agent; what cannot be sent ---------------------------------------------------


def test_the_user_agent_names_the_package_httpx_and_python() -> None:
    recorder = Recorder()
    with mocked(recorder) as client:
        client.ping(data="x")
    expected = (
        f"nxcloud-callbot/{importlib.metadata.version('nxcloud-callbot')} "
        f"httpx/{httpx.__version__} Python/{platform.python_version()}"
    )
    assert recorder.requests[0].headers["User-Agent"] == expected


@pytest.mark.parametrize(
    ("given", "agent"),
    [({"X-Team": "growth"}, "nxcloud-callbot/"), ({"user-agent": "mine/1.0", "X-Team": "growth"}, "mine/1.0")],
    ids=["other headers", "own user agent"],
)
def test_headers_given_in_httpx_args_are_sent_and_a_user_agent_there_wins(given: dict[str, str], agent: str) -> None:
    recorder = Recorder()
    args = {"transport": httpx.MockTransport(recorder), "headers": given}
    with Callbot("http://callbot.test", UUID, SECRET, httpx_args=args) as client:
        client.ping(data="x")
    sent = recorder.requests[0].headers
    assert sent["X-Team"] == "growth" and sent["User-Agent"].startswith(agent)
    assert len(sent.get_list("User-Agent")) == 1


@pytest.mark.parametrize("text", ["\ud800", "before \udfff after", "ok" + "\udc80" * 3])
def test_a_lone_surrogate_raises_invalid_request_error_before_anything_is_sent(text: str) -> None:
    recorder = Recorder()
    with mocked(recorder) as client:
        with pytest.raises(InvalidRequestError, match="lone surrogate") as caught:
            client.ping(data=text)
        with pytest.raises(InvalidRequestError):
            client.stop_order(user_task_id="t", order_ids=["fine", text])
    assert caught.value.operation == "ping"
    assert recorder.requests == []


async def test_the_async_client_refuses_a_lone_surrogate_before_sending_too() -> None:
    recorder = Recorder()
    async with AsyncCallbot(
        "http://callbot.test", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(recorder)}
    ) as client:
        with pytest.raises(InvalidRequestError):
            await client.ping(data="\ud800")
    assert recorder.requests == []


# --- CALLBOT_LOG ---------------------------------------------------------------------------------------

LOGGING_CHILD = textwrap.dedent(
    """
    import json, time
    import httpx
    from callbot_signing import Callbot, sign

    SECRET = "log-secret-key-0001"
    attempts = []

    def handler(request):
        attempts.append(request)
        if len(attempts) == 1:
            return httpx.Response(503)
        body = json.dumps({"data": "x", "timestamp": int(time.time()), "code": 0, "msg": "ok", "reqId": "r"})
        ts, rid = str(int(time.time())), request.headers["requestID"]
        headers = {"requestID": rid, "uuid": "log-uuid", "createTs": ts}
        headers["sign"] = sign(SECRET, body.encode(), ts, rid, "log-uuid")
        return httpx.Response(200, content=body.encode(), headers=headers)

    transport = httpx.MockTransport(handler)
    with Callbot("http://127.0.0.1:9", "log-uuid", SECRET, httpx_args={"transport": transport}) as client:
        print(client.ping(data="x").data, len(attempts))
    """
)


def test_callbot_log_shows_each_attempt_at_debug_and_only_retries_at_info() -> None:
    env = {key: value for key, value in os.environ.items() if key != "CALLBOT_LOG"}
    levels: dict[str, str | None] = {"debug": "debug", "info": "INFO", "unset": None}
    children = {
        name: subprocess.Popen(
            [sys.executable, "-c", LOGGING_CHILD],
            env=env if level is None else {**env, "CALLBOT_LOG": level},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, level in levels.items()
    }
    outputs = {name: child.communicate(timeout=60) for name, child in children.items()}
    for out, _ in outputs.values():
        assert out.split() == ["x", "2"]  # a 503, then the answer
    debug = outputs["debug"][1].splitlines()
    assert [line.split(" ", 4)[2:4] for line in debug] == [
        ["callbot", "DEBUG"],
        ["callbot", "INFO"],
        ["callbot", "DEBUG"],
    ]
    assert "ping attempt=1" in debug[0] and "status=503" in debug[0]
    assert "retrying" in debug[1] and "attempt 1 of 3" in debug[1]
    assert "ping attempt=2" in debug[2] and "status=200" in debug[2] and "retCode=0" in debug[2]
    info = outputs["info"][1].splitlines()
    assert len(info) == 1 and " callbot INFO " in info[0] and "retrying" in info[0]
    assert outputs["unset"][1] == ""
    assert not any("log-secret-key-0001" in err for _, err in outputs.values())


# --- servers that trickle or never stop ----------------------------------------------------------------


class Stream(httpx.SyncByteStream):
    """A body of ``chunks`` bytes strings (bounded), ``pause`` seconds apart."""

    def __init__(self, chunks: Callable[[], Iterator[bytes]], pause: float = 0.0) -> None:
        self.chunks = chunks
        self.pause = pause

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks():
            if self.pause:
                time.sleep(self.pause)
            yield chunk


def test_a_trickling_answer_ends_in_api_timeout_error_near_the_timeout() -> None:
    trickle = Recorder(lambda request: httpx.Response(200, stream=Stream(lambda: iter([b" "] * 400), pause=0.05)))
    started = time.monotonic()
    with (
        mocked(trickle, timeout=0.5, max_retries=0) as client,
        pytest.raises(APITimeoutError, match="within the timeout"),
    ):
        client.ping(data="x")
    assert time.monotonic() - started < 0.5 + 1.0
    assert len(trickle.requests) == 1


def test_an_endless_answer_ends_in_response_too_large_error() -> None:
    limit = 1024 * 1024

    def endless() -> Iterator[bytes]:
        block = b" " * 65536
        for _ in range(10_000):  # 640 MB if nothing stopped it
            yield block

    flood = Recorder(lambda request: httpx.Response(200, stream=Stream(endless)))
    started = time.monotonic()
    with mocked(flood, max_retries=0, max_response_bytes=limit) as client, pytest.raises(ResponseTooLargeError):
        client.ping(data="x")
    assert time.monotonic() - started < 5


# --- cookies ------------------------------------------------------------------------------------------------


def cookie_setter(request: httpx.Request) -> httpx.Response:
    answer = pong(request)
    answer.headers["set-cookie"] = "lb=node-7; Path=/"
    return answer


@pytest.mark.parametrize(("httpx_args", "sent_back"), [({}, False), ({"cookies": {}}, True)], ids=["default", "opt-in"])
def test_a_cookie_the_server_sets_is_not_kept_unless_asked(httpx_args: dict[str, object], sent_back: bool) -> None:
    recorder = Recorder(cookie_setter)
    args = {"transport": httpx.MockTransport(recorder), **httpx_args}
    with Callbot("http://callbot.test", UUID, SECRET, httpx_args=args) as bot:
        bot.ping(data="one")
        bot.ping(data="two")
    assert [r.headers.get("cookie") for r in recorder.requests] == [None, "lb=node-7" if sent_back else None]


async def test_the_async_client_keeps_no_cookie_either() -> None:
    recorder = Recorder(cookie_setter)
    transport = httpx.MockTransport(recorder)
    async with AsyncCallbot("http://callbot.test", UUID, SECRET, httpx_args={"transport": transport}) as bot:
        await bot.ping(data="one")
        await bot.ping(data="two")
    assert [r.headers.get("cookie") for r in recorder.requests] == [None, None]
