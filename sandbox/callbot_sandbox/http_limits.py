"""The limits of the sandbox's HTTP server (uvicorn, h11): what a connection may cost before it sends a request.

uvicorn offers ``limit_concurrency``, ``timeout_keep_alive``, ``h11_max_incomplete_event_size`` and
``backlog``; it has no timeout for reading a request's head or body: a connection that never completes its
headers (slowloris) is kept forever, and 20,000 of them take every file descriptor. :func:`limited_h11` adds,
as a subclass of uvicorn's h11 protocol:

- ``header_timeout``: a connection's request head must be complete within this many seconds of its
  connection (or of the first byte of a later request on it); else the connection is closed.
- ``body_timeout``: while a request body is being sent, at most this many seconds between two reads (a
  slow upload that moves goes on; a stalled one is closed, and the sandbox gives back its reading share).
  A pause of the sandbox's own (it reads no more until it has used what it has) does not count.
- ``max_connections``: beyond this many open connections, the connection that has waited longest for its
  request head is closed to make room (a client that sends its request at once is never the one), or the
  new one when none is waiting. By default half the process's file descriptors, at most 4,096; the backlog
  by default a quarter, at most 2,048 (asyncio accepts up to a backlog at once): a flood of connections then
  never runs the process out of descriptors.

``limit_concurrency`` (uvicorn's: a request beyond it is answered 503, and every open connection counts)
is off by default: the sandbox answers a retCode, never a 5xx, and ``max_connections`` bounds the
connections without answering anything.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("callbot_sandbox.http")


def _file_limit() -> int | None:
    """The process's soft limit of open files (None: none, or it cannot be read)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY else int(soft)


def default_max_connections() -> int:
    """Half the process's file descriptor limit, at most 4,096 (4,096 where the limit cannot be read)."""
    files = _file_limit()
    return 4096 if files is None else max(16, min(4096, files // 2))


def default_backlog() -> int:
    """A quarter of the process's file descriptor limit, at most 2,048 (uvicorn's default). asyncio accepts
    up to a backlog of connections at once before the protocol sees any: with max_connections, at most three
    quarters of the descriptors are then in use, and an accept never fails for the want of one."""
    files = _file_limit()
    return 2048 if files is None else max(16, min(2048, files // 4))


@dataclass(frozen=True)
class ServerLimits:
    #: Seconds a connection may take to send a request head (from its connection, or its next request's
    #: first byte).
    header_timeout: float = 10.0
    #: Seconds a request body may go without a byte while it is being sent.
    body_timeout: float = 30.0
    #: Open connections at most; beyond, the one waiting longest for its request head is closed.
    max_connections: int = field(default_factory=default_max_connections)
    #: uvicorn: seconds an idle keep-alive connection is kept.
    timeout_keep_alive: int = 5
    #: uvicorn: requests (and connections) at once beyond which a request is answered 503; None: off.
    limit_concurrency: int | None = None
    #: h11: largest request head (request line and headers), in bytes.
    h11_max_incomplete_event_size: int = 16 * 1024
    #: uvicorn: the listening socket's backlog of connections not yet accepted (and asyncio's most accepted at
    #: once).
    backlog: int = field(default_factory=default_backlog)

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout"):
            value = getattr(self, name)
            if not 0 < value <= 86400:  # NaN fails too
                raise ValueError(f"{name} must be more than 0 and at most 86400 seconds")
        counts = [self.max_connections, self.timeout_keep_alive, self.h11_max_incomplete_event_size, self.backlog]
        if self.limit_concurrency is not None:
            counts.append(self.limit_concurrency)
        if min(counts) < 1:
            raise ValueError("every count and size limit must be 1 or more")

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments of ``uvicorn.Config`` / ``uvicorn.run`` for these limits."""
        return {
            "http": limited_h11(self),
            "timeout_keep_alive": self.timeout_keep_alive,
            "limit_concurrency": self.limit_concurrency,
            "h11_max_incomplete_event_size": self.h11_max_incomplete_event_size,
            "backlog": self.backlog,
        }


def limited_h11(limits: ServerLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with ``limits``' header and body timeouts and connection cap (one class per
    server: its connections waiting for a request head are its own)."""
    waiting: dict[LimitedH11Protocol, None] = {}  # connections whose request head is incomplete, oldest first

    class LimitedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _body_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._wait_for_head()
            if len(self.connections) > limits.max_connections:
                oldest = next(iter(waiting))  # this one is waiting at least
                logger.debug("%d connections: closing one that has not sent its request head", len(self.connections))
                oldest._close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_timers()
            super().connection_lost(exc)

        def _follow(self) -> None:
            """Arm or disarm the timers by where the request is."""
            state = self.conn.their_state
            if state is h11.IDLE:
                if self.conn.trailing_data[0] and self._head_timer is None:  # a request head has begun
                    self._wait_for_head()
                return
            self._head_received()
            if state is h11.SEND_BODY:
                if self._body_timer is not None:
                    self._body_timer.cancel()
                self._body_timer = self.loop.call_later(limits.body_timeout, self._body_stalled)
            elif self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def _wait_for_head(self) -> None:
            waiting[self] = None
            self._head_timer = self.loop.call_later(limits.header_timeout, self._close)

        def _head_received(self) -> None:
            waiting.pop(self, None)
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _body_stalled(self) -> None:
            self._body_timer = None
            if self.flow.read_paused:  # the sandbox has not read what it has: not the client's stall
                self._body_timer = self.loop.call_later(limits.body_timeout, self._body_stalled)
            else:
                self._close()

        def _stop_timers(self) -> None:
            self._head_received()
            if self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def _close(self) -> None:
            self._stop_timers()
            if not self.transport.is_closing():
                self.transport.close()

    return LimitedH11Protocol


def add_server_limit_options(parser: argparse.ArgumentParser) -> None:
    """The ``callbot-sandbox`` options of :class:`ServerLimits`."""
    server = ServerLimits()
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=server.header_timeout,
        help=f"seconds a connection may take to send its request head (default {server.header_timeout:g})",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=server.body_timeout,
        help=f"seconds a request body may go without a byte while it is sent (default {server.body_timeout:g})",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=server.max_connections,
        help="open connections at most; beyond, the one waiting longest for its request head is closed "
        f"(default {server.max_connections}: half the file descriptor limit, at most 4096)",
    )
    parser.add_argument(
        "--timeout-keep-alive",
        type=int,
        default=server.timeout_keep_alive,
        help=f"seconds an idle keep-alive connection is kept (default {server.timeout_keep_alive})",
    )
    parser.add_argument(
        "--limit-concurrency",
        type=int,
        default=None,
        help="requests and connections at once beyond which uvicorn answers 503 (default off: --max-connections "
        "bounds the connections)",
    )
    parser.add_argument(
        "--h11-max-incomplete-event-size",
        type=int,
        default=server.h11_max_incomplete_event_size,
        help=f"largest request head in bytes (default {server.h11_max_incomplete_event_size})",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=server.backlog,
        help=f"connections waiting to be accepted at most (default {server.backlog}: a quarter of the file "
        "descriptor limit, at most 2048)",
    )


def server_limits_of(args: argparse.Namespace) -> ServerLimits:
    """The :class:`ServerLimits` of parsed ``callbot-sandbox`` options (ValueError: one is out of range)."""
    return ServerLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
        timeout_keep_alive=args.timeout_keep_alive,
        limit_concurrency=args.limit_concurrency,
        h11_max_incomplete_event_size=args.h11_max_incomplete_event_size,
        backlog=args.backlog,
    )
