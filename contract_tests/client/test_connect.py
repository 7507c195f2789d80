"""connect(): finite timeouts by default, overridable per call; bad settings refused at construction."""

from __future__ import annotations

import time

import httpx
import pytest
from callbot_signing import (
    APITimeoutError,
    connect,
)

from .._support import (
    FAULT_SECRET as SECRET,
)
from .._support import (
    FAULT_UUID as UUID,
)
from .._support import (
    call_stop_order,
)
from ..faulty_server import faulty_server

# --- timeouts ---------------------------------------------------------------------------------------------


def test_connect_sets_finite_connect_and_read_timeouts_by_default() -> None:
    client = connect("http://127.0.0.1:9", UUID, SECRET)
    timeout = client.get_httpx_client().timeout
    assert (timeout.connect, timeout.read, timeout.write) == (5.0, 30.0, 30.0)


def test_a_timeout_can_be_overridden_for_one_call() -> None:
    with faulty_server("slow", delay=3.0) as server:
        client = connect(f"http://127.0.0.1:{server.server_address[1]}", UUID, SECRET, max_retries=0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            call_stop_order(client.with_timeout(httpx.Timeout(0.1)))
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("timeout", [0, -1.0])
def test_a_non_positive_timeout_is_refused(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout must be a finite number of seconds from more than 0"):
        connect("http://127.0.0.1:9", UUID, SECRET, timeout=timeout)


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        connect("nxbot.nxcloud.com", UUID, SECRET)
