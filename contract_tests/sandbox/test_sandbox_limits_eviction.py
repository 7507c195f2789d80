"""The sandbox's HTTP server under connections that hold a slot without a request to answer: trickling bodies,
idle keep-alive connections (the cap makes room for a new connection), requests refused before their body
(closed at once), a body below the minimum upload rate; and its stopping: leaving serve_in_thread with a
request under way, SIGTERM to the command while a body trickles, a callback receiver that trickles its answer.
Every wait is a poll with a bound."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from callbot_sandbox import Sandbox, serve_in_thread
from callbot_sandbox.callbacks import CallbackSender
from callbot_sandbox.http_limits import ServerLimits
from callbot_sandbox.server import build_parser
from callbot_sandbox.testing import free_port, wait_until_ready
from nxcloud_callbot import APITimeoutError, Callbot

from ..slow_clients import BOUND, A, closed_by_server, served, signed_ping, slow_connections

pytestmark = pytest.mark.contract


def body_head(uuid: str, length: int = 10_000) -> bytes:
    """A signed-looking ping's head announcing ``length`` bytes of body (the sign is not checked yet)."""
    return (
        f"POST /callcentre/api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        f"uuid: {uuid}\r\nrequestID: r1\r\ncreateTs: {int(time.time())}\r\nsign: {'0' * 32}\r\n"
        f"content-length: {length}\r\n\r\n"
    ).encode()


def answers_and_closes(sock: socket.socket) -> bytes:
    """What the server sends before it closes ``sock`` (bounded; AssertionError if it keeps it open)."""
    sock.settimeout(BOUND)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_at_the_cap_trickling_bodies_make_room_and_a_signed_ping_is_answered() -> None:
    limits = ServerLimits(body_timeout=600, max_connections=100)
    with served(limits) as (_, base_url), ExitStack() as stack:
        tricklers = slow_connections(stack, base_url, 100, body_head(A.uuid) + b"{")
        assert signed_ping(base_url) == 0  # the cap closed a trickling body, not the new connection
        assert closed_by_server(tricklers, 1) >= 1


def test_at_the_cap_idle_keep_alive_connections_make_room_first() -> None:
    limits = ServerLimits(timeout_keep_alive=600, max_connections=100)
    unsigned = b"POST /callcentre/api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 2\r\n\r\n{}"
    with served(limits) as (_, base_url), ExitStack() as stack:
        kept = slow_connections(stack, base_url, 100, unsigned)
        for sock in kept:  # each is answered, then idle between requests
            sock.setblocking(True)
            sock.settimeout(BOUND)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
            sock.setblocking(False)
        assert signed_ping(base_url) == 0
        assert closed_by_server(kept, 1) >= 1


def test_a_request_refused_before_its_body_is_answered_with_connection_close_and_closed() -> None:
    with served(ServerLimits(body_timeout=600)) as (_, base_url), ExitStack() as stack:
        (sock,) = slow_connections(stack, base_url, 1, body_head("nobody-has-this-uuid") + b"{")
        answer = answers_and_closes(sock)  # the other 9,999 bytes are never sent
        head = answer.split(b"\r\n\r\n", 1)[0].lower()
        assert head.startswith(b"http/1.1 200") and b"connection: close" in head


def test_a_body_that_keeps_moving_below_the_minimum_upload_rate_is_closed() -> None:
    limits = ServerLimits(body_timeout=1.0, min_upload_rate=1000)
    with served(limits) as (_, base_url), ExitStack() as stack:
        (sock,) = slow_connections(stack, base_url, 1, body_head(A.uuid) + b"{")
        deadline = time.monotonic() + BOUND
        closed = False
        while not closed and time.monotonic() < deadline:  # a byte every 0.2 s: never a 1 s stall
            try:
                sock.send(b" ")
                closed = sock.recv(4096) == b""
            except BlockingIOError:
                time.sleep(0.2)
            except OSError:
                closed = True
        assert closed
        assert signed_ping(base_url) == 0


def test_leaving_serve_in_thread_cancels_a_request_that_is_still_being_answered() -> None:
    sandbox = Sandbox([A])
    with serve_in_thread(sandbox.asgi_app()) as url:
        sandbox.faults.delay("ping", 600)
        with Callbot(url, A.uuid, A.secret_key, timeout=0.5, max_retries=0) as callbot, pytest.raises(APITimeoutError):
            callbot.ping(data="x")
        leaving = time.monotonic()
    assert time.monotonic() - leaving < 2.0  # not serve_in_thread's 10 s wait for its thread


@contextmanager
def sandbox_command(*options: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "callbot-sandbox"), "--port", str(port), "--log-level", "warning"]
    command += ["--account", f"{A.uuid}:{A.secret_key}", *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", A.uuid, A.secret_key, process)
        yield process, port
    finally:
        process.kill()
        process.wait(BOUND)


@pytest.mark.parametrize(
    ("options", "signals"),
    [
        (["--shutdown-timeout", "0.5"], 1),
        pytest.param(["--shutdown-timeout", "600"], 2, marks=pytest.mark.slow),  # make contract
    ],
    ids=["one", "two"],
)
def test_sigterm_stops_the_command_while_a_body_trickles(options: list[str], signals: int) -> None:
    with (
        sandbox_command("--body-timeout", "600", *options) as (process, port),
        socket.create_connection(("127.0.0.1", port), timeout=BOUND) as sock,
    ):
        sock.sendall(body_head(A.uuid) + b"{")  # a request under way, its body never finished
        assert signed_ping(f"http://127.0.0.1:{port}") == 0  # answered after the head above was read
        for _ in range(signals):
            process.send_signal(signal.SIGTERM)
            time.sleep(0.2)  # not a wait for the server: two signals, not one the OS merges
        process.wait(10)  # raises TimeoutExpired if it does not stop


def test_a_callback_receiver_answering_a_byte_at_a_time_is_given_up_on_within_the_timeout() -> None:
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def trickle() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(65536)
                answer = b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 1000 + b"\r\ncontent-length: 2\r\n\r\nok"
                for at in range(len(answer)):  # a byte every 0.2 s: never a 1 s pause, 200 s in all
                    if stop.wait(0.2):
                        return
                    try:
                        conn.sendall(answer[at : at + 1])
                    except OSError:
                        return

        receiver = threading.Thread(target=trickle, daemon=True)
        receiver.start()
        sender = CallbackSender(timeout=1.0, max_attempts=1)
        try:
            sender.enqueue(A, "call", f"http://127.0.0.1:{port}/hook", {"callId": "c1"})
            started = time.monotonic()
            sender.flush(now=time.time())
            assert time.monotonic() - started < BOUND / 2
            assert [delivery.kind for delivery in sender.failed] == ["call"]
        finally:
            stop.set()
            receiver.join(BOUND)


def test_the_command_help_names_no_command_that_does_not_exist() -> None:
    assert "callbot advance" not in " ".join(build_parser().format_help().split())  # as one line
