"""Callbot and AsyncCallbot copies and reuse: with_options leaves the original unchanged and applies to the copy
only, a copy shares the connection and closing it keeps the pool open, and a client can be entered again after
each exit (or aclose)."""

from __future__ import annotations

import httpx
import pytest
from callbot_sandbox import Sandbox
from callbot_signing import (
    AsyncCallbot,
    UnexpectedResponseError,
)

from ..conftest import MD5_ACCOUNT
from ..mock_service import Recorder, live, mocked
from ..recording import RecordingApp

# --- with_options, the pool, close and reuse -----------------------------------------------------------


def test_with_options_leaves_the_original_unchanged() -> None:
    recorder = Recorder()
    original = mocked(recorder, timeout=7.0, max_retries=1)
    fast = original.with_options(timeout=2.5, max_retries=0)
    assert (original.timeout.read, original.max_retries) == (7.0, 1)
    assert (fast.timeout.read, fast.max_retries) == (2.5, 0)
    assert (fast.base_url, fast.uuid, fast.algorithm) == (original.base_url, original.uuid, original.algorithm)
    # The timeouts really travel with the requests of each.
    original.ping(data="a")
    fast.ping(data="b")
    original.ping(data="c")
    assert [request.extensions["timeout"]["read"] for request in recorder.requests] == [7.0, 2.5, 7.0]
    original.close()


def test_with_options_max_retries_applies_to_the_copy_only() -> None:
    recorder = Recorder(lambda request: httpx.Response(503))
    original = mocked(recorder, max_retries=1)
    with pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        original.with_options(max_retries=0).ping(data="x")
    assert len(recorder.requests) == 1
    with pytest.raises(UnexpectedResponseError, match="HTTP 503"):
        original.ping(data="x")  # one retry after a backoff of at most 0.5 s
    assert len(recorder.requests) == 1 + 2
    original.close()


def test_with_options_shares_the_connection_and_closing_the_copy_keeps_it(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    original = live(url)
    copy = original.with_options(timeout=9.0, max_retries=0)
    original.ping(data="1")
    copy.ping(data="2")
    copy.close()
    original.ping(data="3")
    ports = [seen.client_port for seen in server.seen]
    assert ports[0] == ports[1] == ports[2], ports  # one TCP connection served all three
    original.close()
    original.ping(data="4")  # reusable after close, over a new connection
    assert server.seen[3].client_port != ports[0]
    original.close()


def test_re_entering_with_works_and_each_exit_closes_the_connection(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    client = live(url)
    for round_ in range(3):
        with client:
            assert client.ping(data=f"round {round_}").data == f"round {round_}"
            assert client.ping(data="again").code == 0
    ports = [seen.client_port for seen in server.seen]
    assert ports[0] == ports[1] and ports[2] == ports[3] and ports[4] == ports[5]
    assert len({ports[0], ports[2], ports[4]}) == 3, ports


async def test_the_async_client_is_reusable_after_aclose_and_async_with(
    recorded: tuple[Sandbox, RecordingApp, str],
) -> None:
    _, server, url = recorded
    client = AsyncCallbot(url, MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key)
    async with client:
        assert (await client.ping(data="1")).data == "1"
    async with client:
        assert (await client.ping(data="2")).data == "2"
    await client.aclose()
    assert (await client.ping(data="3")).data == "3"
    await client.aclose()
    assert len(server.seen) == 3 and len({seen.client_port for seen in server.seen}) == 3
