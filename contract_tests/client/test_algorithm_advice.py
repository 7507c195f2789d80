"""A refusal signed with the other algorithm names the algorithm to configure (the 2x2 table of client and account
algorithms), once, as what to do; a skewed refusal says to check the clock; an unverifiable one names only the
algorithms its sign was compared with."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_signing import (
    Callbot,
    SignatureRejectedError,
)

from .._support import FAULT_SECRET, FAULT_UUID, documented_sign, envelope, reply
from ..refusing_service import raised

ALGORITHMS = ("MD5", "SHA256")


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[str]:
    """A service that verifies requests with the account's console algorithm only (the spec assumes the
    algorithm header decides; the client's advice is for a service that pins it)."""
    accounts = [Account(f"alg-{algorithm}", f"alg-secret-{algorithm}-0a9b", algorithm) for algorithm in ALGORITHMS]
    pinned = Sandbox(accounts, deviations=frozenset({"pinned-algorithm"}))
    with serve_in_thread(pinned.asgi_app()) as served:
        yield served


# --- the algorithm advice: client x account ---------------------------------------------------------------


@pytest.mark.parametrize("client", ALGORITHMS)
@pytest.mark.parametrize("account", ALGORITHMS)
def test_the_wrong_algorithm_message_names_the_accounts_algorithm(two_accounts: str, client: str, account: str) -> None:
    uuid, secret = f"alg-{account}", f"alg-secret-{account}-0a9b"
    with Callbot(two_accounts, uuid, secret, algorithm=client, max_retries=0) as callbot:
        if client == account:
            assert callbot.create_task(user_task_id=f"t-{client}", scene_id="s").ret_code == 0
            return
        with pytest.raises(SignatureRejectedError) as caught:
            callbot.create_task(user_task_id=f"t-{client}", scene_id="s")
    message = str(caught.value)
    assert f"algorithm={account!r}" in message and f"algorithm={client!r}" not in message
    assert f"set to {account}" in (caught.value.ret_msg or "")  # the sandbox's own refusal says it too
    assert caught.value.outcome_unknown is False  # signed under our key with the account's algorithm: final


def test_the_sandboxs_refusal_of_a_wrong_algorithm_and_a_wrong_key_gives_the_accounts_algorithm(
    two_accounts: str,
) -> None:
    wrong = Callbot(two_accounts, "alg-MD5", "a-wrong-secret-key", algorithm="SHA256", max_retries=0)
    with wrong as callbot, pytest.raises(SignatureRejectedError) as caught:
        callbot.ping(data="x")
    assert "algorithm='MD5'" in (caught.value.ret_msg or "") and "algorithm='SHA256'" not in (
        caught.value.ret_msg or ""
    )
    assert "secret key" in str(caught.value)


def test_a_refusal_signed_under_our_key_but_from_a_skewed_clock_is_final_and_says_to_check_the_clock() -> None:
    def late(request: httpx.Request) -> httpx.Response:
        body, ts = envelope(6), str(int(time.time()) - 3_600)
        sign = documented_sign(FAULT_SECRET, body, ts, request.headers["requestID"], FAULT_UUID, "MD5")
        return reply(request, body, createTs=ts, sign=sign)

    error = raised("addBatchCall", late)
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is False
    assert "check the clock" in str(error) and "s off local time" in str(error)


def signed_refusal(
    request: httpx.Request, *, signed_with: str, secret: str = FAULT_SECRET, stated: str | None = None
) -> httpx.Response:
    """A retCode 6 refusal worded as a service that gives no advice would word it, signed with ``signed_with``
    under ``secret``, with the ``algorithm`` header ``stated`` (None: none)."""
    body = json.dumps({"retCode": 6, "retMsg": "incorrect signature", "responseID": "r-6"}).encode()
    ts = str(int(time.time()))
    request_id = request.headers["requestID"]
    headers = {"requestID": request_id, "uuid": FAULT_UUID, "createTs": ts}
    headers["sign"] = documented_sign(secret, body, ts, request_id, FAULT_UUID, signed_with)
    if stated is not None:
        headers["algorithm"] = stated
    return httpx.Response(200, headers=headers, content=body)


def test_a_refusal_signed_with_the_other_algorithm_gives_the_algorithm_advice_once_as_what_to_do() -> None:
    error = raised("listTask", lambda request: signed_refusal(request, signed_with="SHA256", stated="SHA256"))
    message = str(error)
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is False
    assert message.count("algorithm='SHA256'") == 1, message
    assert "To do: configure algorithm='SHA256' (CALLBOT_ALGORITHM=SHA256)" in message
    assert "check the secret key" not in message  # the sign matched under this key: the key is right


def test_a_skewed_refusal_with_its_create_ts_repeated_is_a_refusal_saying_to_check_the_clock() -> None:
    """httpx joins a repeated header ("ts, ts"); the verification counts it once, and so must the message."""

    def late(request: httpx.Request) -> httpx.Response:
        body, ts = envelope(6), str(int(time.time()) - 3_600)
        request_id = request.headers["requestID"]
        sign = documented_sign(FAULT_SECRET, body, ts, request_id, FAULT_UUID, "MD5")
        headers = [("requestID", request_id), ("uuid", FAULT_UUID), ("createTs", ts), ("createTs", ts), ("sign", sign)]
        return httpx.Response(200, headers=headers, content=body)

    error = raised("addBatchCall", late)
    assert isinstance(error, SignatureRejectedError) and error.outcome_unknown is False
    assert re.search(r"createTs is 360[01] s off local time", str(error)) and "To do: check the clock" in str(error)


@pytest.mark.parametrize(
    ("stated", "says", "compared"),
    [
        (None, "its sign matches neither MD5 nor SHA256 under this secret key", ["MD5", "SHA256"]),
        ("MD5", "it names MD5, the algorithm of this client, and its sign does not match MD5", ["MD5"]),
        ("SHA256", "it names SHA256 (this client signs with MD5), and its sign does not match SHA256", ["SHA256"]),
        ("RC4", "it names the algorithm 'RC4', neither MD5 nor SHA256, so its sign was not compared", []),
    ],
    ids=["no algorithm header", "naming ours", "naming the other", "naming neither"],
)
def test_an_unverifiable_refusal_claims_only_the_algorithms_its_sign_was_compared_with(
    stated: str | None, says: str, compared: list[str]
) -> None:
    """A reply naming one algorithm is never compared with the other (the algorithm is pinned), so the message
    must not say that its sign matched neither."""

    def refusal(request: httpx.Request) -> httpx.Response:  # signed, but not under our key
        return signed_refusal(request, signed_with="MD5", secret="not-our-key", stated=stated)

    error = raised("listTask", refusal)
    message = str(error)
    assert isinstance(error, SignatureRejectedError) and says in message, message
    assert ("neither MD5 nor SHA256 under" in message) is (len(compared) == 2)
