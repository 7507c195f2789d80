"""The limits of the sandbox's HTTP server (uvicorn, h11): what a connection may cost before it sends a request.

uvicorn offers ``limit_concurrency``, ``timeout_keep_alive``, ``h11_max_incomplete_event_size`` and
``backlog``; it has no timeout for reading a request's head or body: a connection that never completes its
headers (slowloris) is kept forever, and 20,000 of them take every file descriptor. :func:`limited_h11`
(http_protocol.py) adds, as a subclass of uvicorn's h11 protocol:

- ``header_timeout``: a connection's request head must be complete within this many seconds of its
  connection (or of the first byte of a later request on it); else the connection is closed.
- ``body_timeout`` and ``min_upload_rate``: a request body may go at most ``body_timeout`` seconds without a
  byte, and after ``body_timeout`` seconds it must have averaged ``min_upload_rate`` bytes a second (a body
  of N bytes has max(body_timeout, N / min_upload_rate) seconds): else the connection is closed and the
  sandbox gives back its reading share. A pause of the sandbox's own (it reads no more until it has used
  what it has) does not count. A request answered before its body has arrived is answered with
  ``Connection: close`` and closed after the answer (its body is not read to its end).
- ``max_connections``: beyond this many open connections, one is closed to make room: the longest idle
  keep-alive connection, else the one waiting longest for its request head, else an upload below
  ``min_upload_rate`` or the longest upload; the new one only when every other is being answered. By
  default half the process's file descriptors, at most 4,096; the backlog by default a quarter, at most
  2,048 (asyncio accepts up to a backlog at once): a flood of connections then never runs the process out
  of descriptors.
- ``shutdown_timeout``: after SIGTERM or Ctrl-C (or leaving serve_in_thread), the requests under way have
  this long to finish (uvicorn's ``timeout_graceful_shutdown``), then they are cancelled.

``limit_concurrency`` (uvicorn's: a request beyond it is answered 503, and every open connection counts)
is off by default: the sandbox answers a retCode, never a 5xx, and ``max_connections`` bounds the
connections without answering anything.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

from .http_protocol import limited_h11

#: Seconds a server stops within after SIGTERM or Ctrl-C (as a command) when none is set: the requests under
#: way have that long to finish, then they are cancelled.
COMMAND_SHUTDOWN_TIMEOUT = 5.0
#: The same for serve_in_thread (a test's teardown must not wait on a request the test gave up).
THREAD_SHUTDOWN_TIMEOUT = 0.5


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
    #: Bytes per second a request body must average once it has been sent for body_timeout seconds: a body
    #: of N bytes has max(body_timeout, N / min_upload_rate) seconds to arrive.
    min_upload_rate: float = 1024.0
    #: Open connections at most; beyond, one is closed to make room (idle keep-alive connections first, then
    #: those waiting longest for their request head, then the slowest uploads).
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
    #: Seconds the server takes at most to stop (the requests under way are then cancelled); None: 5 s as a
    #: command, 0.5 s in serve_in_thread. A second SIGTERM or Ctrl-C stops it at once.
    shutdown_timeout: float | None = None

    def __post_init__(self) -> None:
        for name in ("header_timeout", "body_timeout", "shutdown_timeout"):
            value = getattr(self, name)
            if value is not None and not 0 < value <= 86400:  # NaN fails too
                raise ValueError(f"{name} must be more than 0 and at most 86400 seconds")
        if not 0 < self.min_upload_rate < float("inf"):
            raise ValueError("min_upload_rate must be more than 0 bytes per second (and finite)")
        counts = [self.max_connections, self.timeout_keep_alive, self.h11_max_incomplete_event_size, self.backlog]
        if self.limit_concurrency is not None:
            counts.append(self.limit_concurrency)
        if min(counts) < 1:
            raise ValueError("every count and size limit must be 1 or more")

    def uvicorn_options(self, shutdown_timeout: float = COMMAND_SHUTDOWN_TIMEOUT) -> dict[str, Any]:
        """Keyword arguments of ``uvicorn.Config`` / ``uvicorn.run`` for these limits (``shutdown_timeout``:
        the one used when these limits set none)."""
        return {
            "http": limited_h11(self),
            "timeout_graceful_shutdown": shutdown_timeout if self.shutdown_timeout is None else self.shutdown_timeout,
            "timeout_keep_alive": self.timeout_keep_alive,
            "limit_concurrency": self.limit_concurrency,
            "h11_max_incomplete_event_size": self.h11_max_incomplete_event_size,
            "backlog": self.backlog,
        }


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
        "--min-upload-rate",
        type=float,
        default=server.min_upload_rate,
        help="bytes per second a request body must average after --body-timeout seconds (default "
        f"{server.min_upload_rate:g})",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=server.max_connections,
        help="open connections at most; beyond, one is closed to make room: an idle keep-alive one, else the "
        "one waiting longest for its request head, else the slowest upload (default "
        f"{server.max_connections}: half the file descriptor limit, at most 4096)",
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
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=COMMAND_SHUTDOWN_TIMEOUT,
        help="seconds the requests under way have to finish after SIGTERM or Ctrl-C, then they are cancelled "
        f"(default {COMMAND_SHUTDOWN_TIMEOUT:g}; a second signal stops at once)",
    )


def server_limits_of(args: argparse.Namespace) -> ServerLimits:
    """The :class:`ServerLimits` of parsed ``callbot-sandbox`` options (ValueError: one is out of range)."""
    return ServerLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        min_upload_rate=args.min_upload_rate,
        max_connections=args.max_connections,
        timeout_keep_alive=args.timeout_keep_alive,
        limit_concurrency=args.limit_concurrency,
        h11_max_incomplete_event_size=args.h11_max_incomplete_event_size,
        backlog=args.backlog,
        shutdown_timeout=args.shutdown_timeout,
    )
