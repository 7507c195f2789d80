"""Every documented retCode raises its typed error, with the envelope it came with."""

from __future__ import annotations

import json

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.models import PingRequest
from callbot_signing import (
    AuthenticationError,
    BatchInProgressError,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    InvalidRequestError,
    PermissionDeniedError,
    ServiceUnavailableError,
    SignatureRejectedError,
)

from .._support import (
    FAULT_SECRET as SECRET,
)
from .._support import (
    FAULT_UUID as UUID,
)
from .._support import (
    Counting,
    call_stop_order,
    envelope,
    mock_client,
    reply,
)

# --- every documented retCode ---------------------------------------------------------------------------

RET_CODES: list[tuple[int, type[CallbotError], bool]] = [
    (1, CallbotError, False),
    (2, InvalidRequestError, False),
    (3, InvalidRequestError, False),
    (4, InvalidRequestError, False),
    (4001, InvalidRequestError, False),
    (5, ServiceUnavailableError, True),
    (5001, ServiceUnavailableError, True),
    (6, SignatureRejectedError, False),
    (6001, SignatureRejectedError, False),
    (6002, AuthenticationError, False),
    (6003, PermissionDeniedError, False),
    (7, ServiceUnavailableError, True),
    (1001, BatchInProgressError, False),
    (9999, CallbotError, False),
]


@pytest.mark.parametrize(("ret_code", "error", "retried"), RET_CODES, ids=[str(c) for c, _, _ in RET_CODES])
def test_every_documented_ret_code_raises_its_typed_error(
    ret_code: int, error: type[CallbotError], retried: bool
) -> None:
    counting = Counting(lambda r: reply(r, envelope(ret_code)))
    with pytest.raises(error) as caught:
        call_stop_order(mock_client(counting))
    assert type(caught.value) is error
    assert (caught.value.ret_code, caught.value.ret_msg, caught.value.response_id) == (
        ret_code,
        f"msg {ret_code}",
        "resp-1",
    )
    assert caught.value.request_id == counting.request_ids[-1]
    assert caught.value.operation == "stopOrder"
    assert len(counting.request_ids) == (3 if retried else 1)


def test_ping_failures_use_its_code_msg_envelope() -> None:
    body = json.dumps({"data": "", "timestamp": 1, "code": 6003, "msg": "no permission", "reqId": "req-9"}).encode()
    client = mock_client(lambda r: reply(r, body))
    with client, pytest.raises(PermissionDeniedError) as caught:
        ping.sync(client=client, body=PingRequest(data="x"))
    assert (caught.value.ret_msg, caught.value.response_id, caught.value.operation) == (
        "no permission",
        "req-9",
        "ping",
    )


def test_raise_on_error_false_hands_the_error_envelope_back_to_a_plain_httpx_caller() -> None:
    body = envelope(4)  # an error reply carries only the envelope
    auth = CallbotAuth(UUID, SECRET, raise_on_error=False)
    with httpx.Client(
        transport=CallbotTransport(auth, sync_transport=httpx.MockTransport(lambda r: reply(r, body)))
    ) as c:
        response = c.post("http://127.0.0.1:9/callcentre/api/v3/stopOrder", json={"productID": "callbot"})
    assert response.extensions["callbot.json"] == json.loads(body)
