"""CallbotAuth on its own, against httpx.MockTransport: what it sends and what it accepts."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest
from callbot_signing import AuthenticationError, CallbotAuth, CallbotError, SignatureError, UnexpectedResponseError
from hypothesis import given
from hypothesis import strategies as st

from .._support import documented_sign as independent_sign  # the rule, written out in the test

UUID = "acc-uuid"
SECRET = "the-secret-key-never-shown"
URL = "http://127.0.0.1:9/callcentre/api/v3/stopOrder"
BODY = {"productID": "callbot", "userTaskID": "t", "orderIDs": ["o-1", "o-2"]}
#: A whole stopOrder answer, as the spec describes it.
ANSWER = {"retCode": 0, "retMsg": "ok", "responseID": "r-1", "totalCount": 2, "successCount": 2, "errList": []}


def signed_reply(request: httpx.Request, body: bytes = json.dumps(ANSWER).encode(), **overrides: str) -> httpx.Response:
    """A response as the service would sign it, with optional header overrides (None-like '' drops one)."""
    headers = {
        "requestID": request.headers["requestID"],
        "uuid": request.headers["uuid"],
        "createTs": str(int(time.time())),
        "algorithm": request.headers["algorithm"],
    }
    headers["sign"] = independent_sign(
        SECRET, body, headers["createTs"], headers["requestID"], headers["uuid"], headers["algorithm"]
    )
    headers.update(overrides)
    return httpx.Response(200, content=body, headers={k: v for k, v in headers.items() if v != ""})


def client_with(handler: Callable[[httpx.Request], httpx.Response], **auth_options: object) -> httpx.Client:
    return httpx.Client(auth=CallbotAuth(UUID, SECRET, **auth_options), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


@pytest.mark.parametrize("algorithm", ["MD5", "SHA256"])
def test_request_carries_headers_that_pass_an_independent_verifier(algorithm: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return signed_reply(request)

    with client_with(handler, algorithm=algorithm.lower()) as client:
        client.post(URL, json=BODY)
    (request,) = seen
    headers = request.headers
    assert headers["algorithm"] == algorithm
    assert headers["uuid"] == UUID
    assert len(headers["requestID"]) == 32 and int(headers["requestID"], 16) >= 0
    assert abs(int(headers["createTs"]) - time.time()) < 5
    expected = independent_sign(SECRET, request.content, headers["createTs"], headers["requestID"], UUID, algorithm)
    assert headers["sign"] == expected


def test_every_request_gets_a_fresh_request_id() -> None:
    ids: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        ids.append(request.headers["requestID"])
        return signed_reply(request)

    with client_with(handler) as client:
        for _ in range(3):
            client.post(URL, json=BODY)
    assert len(set(ids)) == 3


def test_a_correctly_signed_response_is_accepted() -> None:
    with client_with(signed_reply) as client:
        assert client.post(URL, json=BODY).json() == ANSWER


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        (lambda req: signed_reply(req, sign=""), "missing_header"),
        (lambda req: signed_reply(req, createTs=""), "missing_header"),
        (lambda req: signed_reply(req, sign="0" * 32), "sign_mismatch"),
        (lambda req: signed_reply(req, requestID="someone-elses-request"), "request_id_echo"),
        (lambda req: signed_reply(req, uuid="another-account"), "uuid_echo"),
        (lambda req: signed_reply(req, algorithm="SHA1"), "bad_algorithm"),
    ],
    ids=["missing sign", "missing createTs", "forged sign", "wrong requestID echo", "wrong uuid echo", "bad algorithm"],
)
def test_a_faulty_response_raises_signature_error_naming_the_rule(
    fault: Callable[[httpx.Request], httpx.Response], rule: str
) -> None:
    with client_with(fault) as client, pytest.raises(SignatureError) as caught:
        client.post(URL, json=BODY)
    assert caught.value.rule == rule
    assert isinstance(caught.value, CallbotError)
    assert SECRET not in str(caught.value)


def test_a_tampered_response_body_is_rejected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        genuine = signed_reply(request, body=b'{"retCode":0,"successCount":1}')
        return httpx.Response(200, content=b'{"retCode":0,"successCount":9}', headers=genuine.headers)

    with client_with(handler) as client, pytest.raises(SignatureError, match="does not match") as caught:
        client.post(URL, json=BODY)
    assert caught.value.rule == "sign_mismatch"


@pytest.mark.parametrize("offset", [-301, 301], ids=["stale", "future"])
def test_a_response_created_too_far_from_local_time_is_rejected(offset: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ts = str(int(time.time()) + offset)
        sign = independent_sign(SECRET, b"{}", ts, request.headers["requestID"], UUID, "MD5")
        return signed_reply(request, body=b"{}", createTs=ts, sign=sign)

    with client_with(handler) as client, pytest.raises(SignatureError, match="max 300 s") as caught:
        client.post(URL, json=BODY)
    assert caught.value.rule == "clock_skew"


def test_clock_skew_within_the_window_is_accepted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        ts, body = str(int(time.time()) - 250), json.dumps(ANSWER).encode()
        sign = independent_sign(SECRET, body, ts, request.headers["requestID"], UUID, "MD5")
        return signed_reply(request, body=body, createTs=ts, sign=sign)

    with client_with(handler) as client:
        assert client.post(URL, json=BODY).status_code == 200


def test_an_unsigned_refusal_is_raised_as_that_refusal_even_without_raise_on_error() -> None:
    """It cannot be verified, so it is never handed back as a value; a forged one only fails the call."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.dumps({"retCode": 6002, "retMsg": "account does not exist", "responseID": "x"}).encode()
        return httpx.Response(200, content=body, headers={"requestID": request.headers["requestID"]})

    with client_with(handler, raise_on_error=False) as client, pytest.raises(AuthenticationError) as caught:
        client.post(URL, json=BODY)
    assert caught.value.ret_code == 6002 and "unsigned" in str(caught.value)


def test_an_unsigned_answer_that_is_not_a_refusal_is_a_signature_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=ANSWER, headers={"requestID": request.headers["requestID"]})

    with client_with(handler) as client, pytest.raises(SignatureError) as caught:
        client.post(URL, json=BODY)
    assert caught.value.rule == "missing_header"


def test_an_html_error_page_is_an_unexpected_response_not_a_signature_error() -> None:
    page = "<html>bad gateway</html>"
    handler = lambda request: httpx.Response(502, text=page, headers={"content-type": "text/html"})  # noqa: E731
    with client_with(handler) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.post(URL, json=BODY)
    assert (caught.value.status_code, caught.value.content_type, caught.value.body_excerpt) == (502, "text/html", page)
    assert "HTTP 502" in str(caught.value) and caught.value.operation == "stopOrder"


def test_verification_can_be_switched_off() -> None:
    with client_with(lambda request: httpx.Response(200, json=ANSWER), verify_responses=False) as client:
        assert client.post(URL, json=BODY).status_code == 200


async def test_the_async_client_is_signed_and_verified_too() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return signed_reply(request, sign="F" * 32)

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(auth=CallbotAuth(UUID, SECRET), transport=transport) as client:
        with pytest.raises(SignatureError, match="does not match"):
            await client.post(URL, json=BODY)


def test_repr_never_shows_the_secret() -> None:
    auth = CallbotAuth(UUID, SECRET, algorithm="sha256")
    assert SECRET not in repr(auth)
    assert "SHA256" in repr(auth) and UUID in repr(auth)


@pytest.mark.parametrize(
    ("uuid", "secret", "algorithm", "message"),
    [
        ("", SECRET, "MD5", "uuid is empty"),
        (UUID, "", "MD5", "secret key is empty"),
        (UUID, SECRET + "\n", "MD5", "whitespace or a control character"),
        (" " + UUID, SECRET, "MD5", "whitespace"),
        (UUID + "\r\n", SECRET, "MD5", "control character"),
        (UUID, SECRET, "SHA1", "MD5, SHA256"),
    ],
)
def test_bad_settings_are_refused_at_construction(uuid: str, secret: str, algorithm: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CallbotAuth(uuid, secret, algorithm)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(
    body=st.dictionaries(st.text(max_size=10), json_values, max_size=5), algorithm=st.sampled_from(["MD5", "SHA256"])
)
def test_any_request_through_callbot_auth_passes_an_independent_verifier(
    body: dict[str, object], algorithm: str
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return signed_reply(request)

    with client_with(handler, algorithm=algorithm) as client:
        client.post(URL, json=body)
    (request,) = seen
    headers = request.headers
    wire_body = request.content  # the bytes httpx put on the wire, whatever its JSON formatting
    assert json.loads(wire_body) == body
    expected = independent_sign(SECRET, wire_body, headers["createTs"], headers["requestID"], UUID, algorithm)
    assert headers["sign"] == expected
