"""Secret hygiene: when a call fails, neither the rendered traceback with the locals of every frame (what
error reporters send) nor any frame's local variables hold the secret key.

The secret strings are module constants, never locals of the frames under test, so that a test cannot
leak them itself.
"""

from __future__ import annotations

import json
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from callbot_client.models import TaskOperate
from callbot_sandbox import Sandbox
from callbot_signing import (
    APIConnectionError,
    APITimeoutError,
    AsyncCallbot,
    Callbot,
    CallbotAuth,
    CallbotError,
    InvalidRequestError,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
    connect,
    parse_webhook,
    sign,
    signature_headers,
    verify_response,
    verify_webhook,
)

from .._support import documented_sign
from ..conftest import MD5_ACCOUNT

UUID = "hygiene-uuid"
SECRET = "Hygiene-Secret-7f3a9c"
OTHER_SECRET = "Someone-Else-Key-2b8e"
WRONG_SECRET = "Wrong-Secret-Key-51d0"
SECRETS = (SECRET, WRONG_SECRET, MD5_ACCOUNT.secret_key)


def rendered(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


def frames_holding_a_secret(exc: BaseException) -> list[str]:
    """``function:variable`` for each local (str or bytes) of the traceback's frames that holds a secret,
    the chained exceptions included."""
    found = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            for name, value in tb.tb_frame.f_locals.items():
                text = value.decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else value
                if isinstance(text, str) and any(secret in text for secret in SECRETS):
                    found.append(f"{tb.tb_frame.f_code.co_qualname}:{name}")
            tb = tb.tb_next
        current = current.__cause__ or current.__context__
    return found


def failure(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except BaseException as exc:  # the test wants whatever came out
        return exc
    raise AssertionError("the call did not fail")


def assert_no_secret(exc: BaseException) -> None:
    text = rendered(exc)
    assert not [secret for secret in SECRETS if secret in text], text
    assert not any(secret in repr(exc) or secret in str(exc) for secret in SECRETS)
    assert frames_holding_a_secret(exc) == []


def reply(request: httpx.Request, answer: dict[str, Any], key: str = SECRET) -> httpx.Response:
    body = json.dumps(answer).encode()
    headers = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    headers["sign"] = documented_sign(key, body, headers["createTs"], headers["requestID"], UUID, "MD5")
    return httpx.Response(200, content=body, headers=headers)


def mocked(handler: Callable[[httpx.Request], httpx.Response], timeout: float = 5.0) -> Callbot[Any]:
    return Callbot(
        "http://callbot.test",
        UUID,
        SECRET,
        timeout=timeout,
        max_retries=0,
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


class Trickle(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        for _ in range(100):  # 5 s at most
            time.sleep(0.05)
            yield b" "


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens there once the socket is closed


STOP_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}


def wrong_secret_against_the_sandbox(live: Callable[[str], Any]) -> object:
    with Callbot(live("live_url"), MD5_ACCOUNT.uuid, WRONG_SECRET) as client:
        return client.stop_order(user_task_id="t", order_ids=["o"])


def an_error_ret_code_from_the_sandbox(live: Callable[[str], Any]) -> object:
    with Callbot(live("live_url"), MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key) as client:
        return client.mgr_task_status(user_task_id="no-such-task", task_operate=TaskOperate.START)


def signature_mismatch(live: Callable[[str], Any]) -> object:
    with mocked(lambda r: reply(r, STOP_OK, key=OTHER_SECRET)) as client:
        return client.stop_order(user_task_id="t", order_ids=["o"])


def timeout(live: Callable[[str], Any]) -> object:
    with mocked(lambda r: httpx.Response(200, stream=Trickle()), timeout=0.3) as client:
        return client.ping(data="x")


def refused_connection(live: Callable[[str], Any]) -> object:
    with Callbot(f"http://127.0.0.1:{live('closed_port')}", UUID, SECRET, max_retries=0) as client:
        return client.ping(data="x")


def unexpected_response(live: Callable[[str], Any]) -> object:
    with mocked(lambda r: reply(r, {**STOP_OK, "errList": None})) as client:
        return client.stop_order(user_task_id="t", order_ids=["o"])


def webhook_with_a_bad_sign(live: Callable[[str], Any]) -> object:
    headers = {"requestID": "r" * 32, "uuid": UUID, "createTs": str(int(time.time())), "sign": "A" * 32}
    return parse_webhook(headers, b'{"callbackType": 1}', uuid=UUID, secret_key=SECRET)


CASES: dict[str, tuple[type[CallbotError], Callable[[Callable[[str], Any]], object]]] = {
    "wrong secret against the sandbox": (SignatureRejectedError, wrong_secret_against_the_sandbox),
    "an error retCode from the sandbox": (InvalidRequestError, an_error_ret_code_from_the_sandbox),
    "signature mismatch": (SignatureError, signature_mismatch),
    "timeout": (APITimeoutError, timeout),
    "refused connection": (APIConnectionError, refused_connection),
    "unexpected response": (UnexpectedResponseError, unexpected_response),
    "webhook with a bad sign": (SignatureError, webhook_with_a_bad_sign),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_failed_call_leaks_the_secret_nowhere(request: pytest.FixtureRequest, case: str) -> None:
    """``live`` gives the fixtures a case needs (a live sandbox, a closed port) only to the cases that use them."""
    expected, call = CASES[case]
    exc = failure(lambda: call(request.getfixturevalue))
    assert isinstance(exc, expected), repr(exc)
    if isinstance(exc, SignatureError):
        assert exc.rule == "sign_mismatch"  # the sign was checked, with the key, and failed
    assert_no_secret(exc)


async def test_a_failed_async_call_leaks_the_secret_nowhere(sandbox: Sandbox) -> None:
    transport = httpx.ASGITransport(app=sandbox.asgi_app())
    client = AsyncCallbot("http://sandbox.local", MD5_ACCOUNT.uuid, WRONG_SECRET, httpx_args={"transport": transport})
    try:
        await client.stop_order(user_task_id="t", order_ids=["o"])
    except CallbotError as exc:
        assert isinstance(exc, SignatureRejectedError)
        assert_no_secret(exc)
    else:
        raise AssertionError("a wrong secret was accepted")
    finally:
        await client.aclose()


# --- a client that cannot be built --------------------------------------------------------------------

BROKEN_SETUPS: dict[str, Callable[[], object]] = {
    "Callbot with a bad base_url": lambda: Callbot("ftp://callbot.test", UUID, SECRET),
    "Callbot with a bad timeout": lambda: Callbot("http://callbot.test", UUID, SECRET, timeout=-1),
    "Callbot with a newline after the secret": lambda: Callbot("http://callbot.test", UUID, SECRET + "\n"),
    "CallbotAuth with a bad uuid": lambda: CallbotAuth("uuid with spaces ", SECRET),
    "connect with a bad base_url": lambda: connect("ftp://callbot.test", UUID, SECRET),
}


@pytest.mark.parametrize("setup", list(BROKEN_SETUPS))
def test_a_client_that_cannot_be_built_leaves_the_secret_in_no_frame(setup: str) -> None:
    exc = failure(BROKEN_SETUPS[setup])
    assert isinstance(exc, ValueError)
    assert frames_holding_a_secret(exc) == []


@pytest.mark.parametrize("setup", [name for name in BROKEN_SETUPS if not name.startswith("connect")])
def test_a_failed_constructor_can_be_rendered_with_its_locals(setup: str) -> None:
    exc = failure(BROKEN_SETUPS[setup])
    assert "ValueError" in rendered(exc)


# --- the secret key in the tracebacks of the verifiers and the signers ---------------------------------------

CALL = {
    "callbackType": 1,
    "orderID": "o-1",
    "userPhone": "8613800000000",
    "userName": "n",
    "sceneID": "s",
    "userTaskID": "t",
    "taskID": "T",
    "finish": True,
    "other": "",
    "callInfoDetail": {},
}


def delivery(request_id: str, uuid: str = UUID, secret: str = SECRET) -> tuple[list[tuple[str, str]], bytes]:
    body = json.dumps(CALL).encode()
    headers = signature_headers(secret, body, uuid, request_id=request_id)
    del headers["algorithm"]
    return list(headers.items()), body


def rendered_with_locals(call: Any) -> str:
    try:
        call()
    except Exception as exc:
        return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    raise AssertionError("the call did not fail")


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_webhook({}, b"x" * (5 * 1024 * 1024), uuid=UUID, secret_key=SECRET),
        lambda: verify_webhook(dict(delivery("r")[0]), b"{}", uuid=UUID, secret_key=SECRET),
        lambda: verify_response({"sign": "0" * 32}, b"{}", request_id="r", uuid=UUID, secret_key=SECRET),
        lambda: sign(SECRET, b"", "1", "r", UUID, "SHA1"),
        lambda: signature_headers(SECRET, b"", UUID, "SHA1"),
    ],
    ids=["parse_webhook over the size", "verify_webhook", "verify_response", "sign", "signature_headers"],
)
def test_no_frame_of_a_failed_check_shows_the_secret_key(call: Any) -> None:
    text = rendered_with_locals(call)
    assert "Error" in text and SECRET not in text
