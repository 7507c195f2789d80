"""Slow and idle clients of the sandbox's HTTP server (test_sandbox_limits*.py): a sandbox served on 127.0.0.1
with given limits, raw connections that send a few bytes and stop, and a bounded poll for the ones the server
closed."""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
from callbot_sandbox import Account, Sandbox, serve_in_thread
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.http_limits import ServerLimits
from nxcloud_callbot import CallbotAuth

A = Account("limits-a", "limits-secret-0123456789")
BOUND = 20.0  # seconds any wait below may take at most on a loaded machine
PARTIAL_HEAD = b"POST /callcentre/api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "


@contextmanager
def served(limits: ServerLimits) -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox([A], virtual_clock=VirtualClock(time.time()))
    with serve_in_thread(sandbox.asgi_app(), limits=limits) as base_url:
        yield sandbox, base_url


def signed_ping(base_url: str) -> int:
    auth = CallbotAuth(A.uuid, A.secret_key, A.algorithm)
    answer = httpx.post(f"{base_url}/callcentre/api/v3/ping", json={"data": "still there?"}, auth=auth, timeout=BOUND)
    code: int = answer.json()["code"]
    return code


def slow_connections(stack: ExitStack, base_url: str, count: int, first_bytes: bytes) -> list[socket.socket]:
    port = int(base_url.rsplit(":", 1)[1])
    sockets = []
    for _ in range(count):
        sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=BOUND))
        sock.sendall(first_bytes)
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def closed_by_server(sockets: list[socket.socket], at_least: int) -> int:
    """Poll until at least ``at_least`` of ``sockets`` are closed by the other end (bounded); how many are.
    (A selector, not select(): the sockets' descriptors may be past select's 1,024.)"""
    closed = 0
    deadline = time.monotonic() + BOUND
    with selectors.DefaultSelector() as watching:
        for sock in sockets:
            watching.register(sock, selectors.EVENT_READ)
        while closed < at_least and time.monotonic() < deadline:
            for key, _ in watching.select(0.1):
                peer = key.fileobj
                assert isinstance(peer, socket.socket)
                try:
                    ended = peer.recv(4096) == b""
                except ConnectionResetError:
                    ended = True
                except BlockingIOError:
                    ended = False
                if ended:
                    watching.unregister(peer)
                    closed += 1
    return closed
