"""The sandbox's HTTP server limits (http_limits.py) on 127.0.0.1: connections that never finish their request
head (slowloris) are closed after the header timeout and, beyond the connection cap, make room for new
ones; a stalled body is closed after the body timeout and its reading share given back; a legit signed
request is answered meanwhile. Every wait is a poll with a bound."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import Any

import pytest
from callbot_sandbox.http_limits import ServerLimits
from callbot_sandbox.server import build_parser

from ..slow_clients import BOUND, PARTIAL_HEAD, A, closed_by_server, served, signed_ping, slow_connections

pytestmark = pytest.mark.contract


def test_slowloris_connections_are_closed_after_the_header_timeout_and_a_signed_ping_is_answered() -> None:
    with served(ServerLimits(header_timeout=1.0)) as (_, base_url), ExitStack() as stack:
        loris = slow_connections(stack, base_url, 500, PARTIAL_HEAD)
        silent = slow_connections(stack, base_url, 20, b"")  # connected, never a byte
        assert signed_ping(base_url) == 0
        assert closed_by_server(loris + silent, len(loris) + len(silent)) == len(loris) + len(silent)
        assert signed_ping(base_url) == 0


def test_beyond_the_connection_cap_the_connections_waiting_longest_for_their_head_make_room() -> None:
    with served(ServerLimits(header_timeout=600, max_connections=50)) as (_, base_url), ExitStack() as stack:
        loris = slow_connections(stack, base_url, 200, PARTIAL_HEAD)
        assert closed_by_server(loris, 150) >= 150  # long before their header timeout
        assert signed_ping(base_url) == 0  # a new connection that sends its request at once is served


def test_a_stalled_body_is_closed_after_the_body_timeout_and_its_reading_share_given_back() -> None:
    with served(ServerLimits(body_timeout=1.0)) as (sandbox, base_url), ExitStack() as stack:
        head = b"POST /callcentre/api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n"
        head += f"uuid: {A.uuid}\r\nrequestID: r1\r\ncreateTs: 1\r\nsign: {'0' * 32}\r\n\r\n".encode()
        stalled = slow_connections(stack, base_url, 3, head + b'{"data": "' + b"x" * 100)
        deadline = time.monotonic() + BOUND
        while sandbox.reading.in_use == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sandbox.reading.in_use > 0  # the bodies are being read
        assert closed_by_server(stalled, len(stalled)) == len(stalled)
        while sandbox.reading.in_use and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sandbox.reading.in_use == 0
        assert signed_ping(base_url) == 0


def test_the_server_limits_are_callbot_sandbox_options_and_refused_out_of_range() -> None:
    parser = build_parser()
    text = parser.format_help()
    for option in ("--header-timeout", "--body-timeout", "--max-connections", "--timeout-keep-alive"):
        assert option in text
    for option in ("--limit-concurrency", "--h11-max-incomplete-event-size", "--backlog", "--min-upload-rate"):
        assert option in text
    assert "--max-reading-bytes-per-account" in text
    out_of_range: list[dict[str, Any]] = [{"header_timeout": 0.0}, {"body_timeout": float("nan")}]
    out_of_range += [{"max_connections": 0}, {"backlog": -1}, {"min_upload_rate": 0.0}]
    out_of_range += [{"min_upload_rate": float("inf")}, {"shutdown_timeout": -1.0}]
    for bad in out_of_range:
        with pytest.raises(ValueError):
            ServerLimits(**bad)


def test_the_options_reach_uvicorn() -> None:
    from callbot_sandbox.http_limits import server_limits_of

    argv = ["--header-timeout", "2.5", "--body-timeout", "4", "--max-connections", "64", "--timeout-keep-alive", "3"]
    argv += ["--limit-concurrency", "100", "--h11-max-incomplete-event-size", "8192", "--backlog", "32"]
    argv += ["--min-upload-rate", "512", "--shutdown-timeout", "2"]
    limits = server_limits_of(build_parser().parse_args(argv))
    assert (limits.header_timeout, limits.body_timeout, limits.max_connections) == (2.5, 4.0, 64)
    assert (limits.min_upload_rate, limits.shutdown_timeout) == (512.0, 2.0)
    options = limits.uvicorn_options()
    assert options["timeout_graceful_shutdown"] == 2.0
    assert {key: options[key] for key in ("timeout_keep_alive", "limit_concurrency", "backlog")} == {
        "timeout_keep_alive": 3,
        "limit_concurrency": 100,
        "backlog": 32,
    }
    assert options["h11_max_incomplete_event_size"] == 8192 and isinstance(options["http"], type)
