"""What the client logs: a DEBUG record per attempt, an INFO record per retry, never the secret or a sign."""

from __future__ import annotations

import functools
import logging

import httpx
import pytest
from callbot_signing import (
    APIConnectionError,
    CallbotError,
    connect,
)
from callbot_signing.wire import RET_CODES

from .._support import (
    FAULT_POLICY as FAST,
)
from .._support import (
    FAULT_SECRET as SECRET,
)
from .._support import (
    FAULT_UUID as UUID,
)
from .._support import (
    Counting,
    Handler,
    call_stop_order,
    envelope,
    mock_client,
    reply,
)
from ..faulty_server import closed_port

# --- logging and secrets ----------------------------------------------------------------------------------

ALL_FAULTS: list[Handler] = [
    lambda r: httpx.Response(502, html="<html>bad</html>"),
    lambda r: reply(r, b'{"retCode":0'),
    lambda r: reply(r, b"", signed=False),
    lambda r: reply(r, envelope(0), signed=False),
    lambda r: reply(r, envelope(0), requestID="0" * 32),
    lambda r: reply(r, envelope(0), sign="A" * 32),
    *[functools.partial(lambda code, r: reply(r, envelope(code)), code) for code in [*RET_CODES, 9999]],
]


def test_no_error_log_record_or_repr_shows_the_secret_or_the_sign(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot")
    rendered: list[str] = []
    signs: list[str] = []
    for fault in ALL_FAULTS:
        counting = Counting(fault)
        client = mock_client(counting)
        transport = client._httpx_args["transport"]
        rendered += [repr(client), repr(transport.auth), repr(transport)]
        with pytest.raises(CallbotError) as caught:
            call_stop_order(client)
        rendered += [str(caught.value), repr(caught.value), repr(vars(caught.value))]
        signs += counting.signs
    with pytest.raises(APIConnectionError) as refused:
        call_stop_order(connect(f"http://127.0.0.1:{closed_port()}", UUID, SECRET, retry_policy=FAST))
    rendered += [str(refused.value), repr(vars(refused.value))]
    rendered += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert len(caplog.records) >= len(ALL_FAULTS)
    everything = "\n".join(rendered)
    assert SECRET not in everything
    assert not any(sign in everything for sign in signs)


def test_a_call_logs_a_debug_record_per_attempt_and_an_info_record_per_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="callbot")
    answers = iter([httpx.Response(503), None])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers) or reply(request, envelope(0, totalCount=0, successCount=0, errList=[]))

    call_stop_order(mock_client(handler))
    records = [r for r in caplog.records if r.name == "callbot"]
    assert [r.levelno for r in records] == [logging.DEBUG, logging.INFO, logging.DEBUG]
    first, retry, second = (r.getMessage() for r in records)
    assert first.startswith("stopOrder attempt=1 ") and "status=503" in first
    assert retry.startswith("stopOrder: retrying in ") and "after HTTP 503 (attempt 1 of 3)" in retry
    assert second.startswith("stopOrder attempt=2 ") and "status=200 retCode=0" in second and "elapsed_ms=" in second
