"""Errors a user can hit say what happened and what to do, and keep the service's own words intact."""

from __future__ import annotations

import copy
import json
import pickle
import time
from typing import Any

import httpx
import pytest
from callbot_signing import (
    APITimeoutError,
    Callbot,
    CallbotError,
    RetryPolicy,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
    connect,
)
from callbot_signing.wire import IDEMPOTENT_OPERATIONS

UUID = "msg-uuid"
SECRET = "msg-secret"


def mock(handler: Any, **options: Any) -> Callbot:
    return Callbot(
        "http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(handler)}, **options
    )


@pytest.mark.parametrize("variable", ["CALLBOT_BASE_URL", "CALLBOT_UUID", "CALLBOT_SECRET_KEY", "CALLBOT_ALGORITHM"])
def test_a_blank_environment_variable_is_an_error_not_a_default(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    """A blank CALLBOT_BASE_URL in a test setup must not send the calls to production."""
    for name, value in {"CALLBOT_UUID": UUID, "CALLBOT_SECRET_KEY": SECRET}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(variable, " ")
    with pytest.raises(ValueError, match=f"{variable} is set but empty"):
        Callbot()


def test_an_unset_base_url_means_the_production_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLBOT_BASE_URL", raising=False)
    assert Callbot(uuid=UUID, secret_key=SECRET).base_url == "https://nxbot.nxcloud.com"


def test_a_404_names_the_url_and_says_what_base_url_should_be() -> None:
    with (
        mock(lambda r: httpx.Response(404, text="no such path")) as callbot,
        pytest.raises(UnexpectedResponseError) as caught,
    ):
        callbot.ping(data="x")
    assert "http://127.0.0.1:9/callcentre/api/v3/ping" in str(caught.value)
    assert "base_url the service's root" in str(caught.value)


def refusal(request: httpx.Request, **headers: str) -> httpx.Response:
    """A refusal signed with a key the client does not have."""
    body = json.dumps({"retCode": 6, "retMsg": "sign error", "responseID": "resp-6"}).encode()
    out = {"requestID": request.headers["requestID"], "uuid": UUID, "createTs": str(int(time.time()))}
    return httpx.Response(200, content=body, headers={**out, "sign": "0" * 32, **headers})


@pytest.mark.parametrize(
    ("headers", "likely"),
    [({}, "the secret key is probably wrong"), ({"algorithm": "SHA256"}, "the algorithm differs")],
    ids=["wrong key", "wrong algorithm"],
)
def test_an_unverifiable_refusal_says_which_setting_is_likely_wrong_and_keeps_ret_msg(
    headers: dict[str, str], likely: str
) -> None:
    with mock(lambda r: refusal(r, **headers)) as callbot, pytest.raises(SignatureRejectedError) as caught:
        callbot.ping(data="x")
    assert likely in str(caught.value) and "could not be verified" in str(caught.value)
    assert caught.value.ret_msg == "sign error"  # the service's text, word for word
    assert caught.value.response_id == "resp-6"


def never_answers(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("no answer", request=request)


@pytest.mark.parametrize("operation", ["createTask", "stopOrder"])
def test_a_lost_answer_to_a_write_says_it_may_have_been_carried_out(operation: str) -> None:
    client = connect(
        "http://127.0.0.1:9",
        UUID,
        SECRET,
        retry_policy=RetryPolicy(max_retries=0),
        httpx_args={"transport": httpx.MockTransport(never_answers)},
    )
    with client, pytest.raises(APITimeoutError) as caught:
        client.get_httpx_client().post(f"/callcentre/api/v3/{operation}", json={"productID": "callbot"})
    warned = "may have been carried out" in str(caught.value)
    assert warned == (operation not in IDEMPOTENT_OPERATIONS)


def test_public_exceptions_are_named_by_their_public_home() -> None:
    from callbot_signing import InvalidRequestError  # the import root's name, however it was imported

    assert (
        f"{InvalidRequestError.__module__}.{InvalidRequestError.__qualname__}" == "nxcloud_callbot.InvalidRequestError"
    )


@pytest.mark.parametrize(
    "error",
    [
        SignatureError("bad", rule="sign_mismatch", request_id="r"),
        UnexpectedResponseError("odd", status_code=502, content_type="text/html", body_excerpt="<", field_path="x"),
        CallbotError("plain", ret_code=1, ret_msg="m", response_id="q"),
    ],
    ids=["SignatureError", "UnexpectedResponseError", "CallbotError"],
)
def test_errors_survive_pickling_and_copying(error: CallbotError) -> None:
    for twin in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(twin) is type(error) and str(twin) == str(error) and vars(twin) == vars(error)
