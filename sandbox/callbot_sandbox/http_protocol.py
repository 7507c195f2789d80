"""uvicorn's h11 protocol with the sandbox's connection limits (http_limits.ServerLimits says what they are).

Each connection is, at any time, in at most one of these groups (one per server, oldest first):

- **idle**: a keep-alive connection between two requests;
- **waiting**: its request head is not complete (a new connection, or the first bytes of a later request);
- **uploading**: its request body is being received.

A connection in none of them is being answered (the sandbox has the whole request). Beyond
``max_connections``, one connection is closed to make room for the new one, chosen in that order: the
longest idle, the one waiting longest for its head, then an upload below the minimum rate (the longest
first) or else the longest upload. The new connection is closed only when every other is being answered.

A request answered before its body has arrived (an unknown account, a body too large) is answered with
``Connection: close`` and the connection closed after the answer: its body is not read on to its end.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import h11
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.h11_impl import H11Protocol

logger = logging.getLogger("callbot_sandbox.http")
#: Seconds a body check comes after the moment it is due (a check exactly then would find nothing yet).
CHECK_SLACK = 0.05


class ConnectionLimits(Protocol):
    """The limits this module reads (http_limits.ServerLimits has them)."""

    @property
    def header_timeout(self) -> float: ...
    @property
    def body_timeout(self) -> float: ...
    @property
    def min_upload_rate(self) -> float: ...
    @property
    def max_connections(self) -> int: ...
    @property
    def h11_max_incomplete_event_size(self) -> int: ...


class ClosingUnreadRequests(h11.Connection):
    """h11's server side; a response that starts before the request's body has arrived says
    ``Connection: close`` (h11 then closes the connection after it, and nothing drains the body)."""

    def send(self, event: h11.Event) -> bytes | None:  # type: ignore[override]  # one body for all overloads
        if type(event) is h11.Response and self.their_state is h11.SEND_BODY:
            headers = [*event.headers, (b"connection", b"close")]
            event = h11.Response(status_code=event.status_code, headers=headers, reason=event.reason)
        return super().send(event)


class ReadingClock(FlowControl):
    """uvicorn's flow control, also keeping the client's time: the loop's time less the seconds the server
    itself paused reading (a client cannot send while the server does not read)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(transport)
        self._loop = loop
        self._paused_at = 0.0
        self._paused_for = 0.0

    def pause_reading(self) -> None:
        if not self.read_paused:
            self._paused_at = self._loop.time()
        super().pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused:
            self._paused_for += self._loop.time() - self._paused_at
        super().resume_reading()

    def client_time(self) -> float:
        now = self._loop.time()
        return now - self._paused_for - (now - self._paused_at if self.read_paused else 0.0)


def limited_h11(limits: ConnectionLimits) -> type[H11Protocol]:
    """uvicorn's h11 protocol with ``limits``' timeouts and connection cap (one class per server: the groups
    of its connections are its own)."""
    idle: dict[LimitedH11Protocol, None] = {}
    waiting: dict[LimitedH11Protocol, None] = {}
    uploading: dict[LimitedH11Protocol, None] = {}

    def make_room(new: LimitedH11Protocol) -> LimitedH11Protocol | None:
        """The connection to close so that ``new`` has room (None: only ``new`` can go)."""
        for group in (idle, waiting):
            for connection in group:
                if connection is not new:
                    return connection
        slow = next((connection for connection in uploading if connection._below_rate()), None)
        return slow or next(iter(uploading), None)

    class LimitedH11Protocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None
        _body_timer: asyncio.TimerHandle | None = None
        _body_started = 0.0  # client time the body began
        _last_byte = 0.0  # client time of the body's latest bytes
        _body_bytes = 0  # bytes received since the body began (its framing included)
        flow: ReadingClock

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.conn = ClosingUnreadRequests(h11.SERVER, limits.h11_max_incomplete_event_size)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.flow = ReadingClock(transport, self.loop)
            self._wait_for_head()
            if len(self.connections) > limits.max_connections:
                victim = make_room(self)
                logger.debug(
                    "%d connections: closing %s", len(self.connections), "the new one" if victim is None else "one"
                )
                (victim or self)._close()

        def data_received(self, data: bytes) -> None:
            idle.pop(self, None)
            if self in uploading:
                self._body_bytes += len(data)
                self._last_byte = self.flow.client_time()
            super().data_received(data)
            self._follow()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._follow()

        def connection_lost(self, exc: Exception | None) -> None:
            self._leave_groups()
            super().connection_lost(exc)

        def _follow(self) -> None:
            """Move the connection to the group of where its request is."""
            if self.transport.is_closing():
                self._leave_groups()
                return
            state = self.conn.their_state
            if state is h11.IDLE:
                if self._head_timer is None:
                    if self.conn.trailing_data[0]:  # a request head has begun
                        self._wait_for_head()
                    elif self.conn.our_state is h11.IDLE:  # between two requests
                        idle[self] = None
                return
            self._head_received()
            if state is h11.SEND_BODY:
                if self not in uploading:
                    uploading[self] = None
                    self._body_started = self._last_byte = self.flow.client_time()
                    self._body_bytes = 0
                    self._body_timer = self.loop.call_later(limits.body_timeout, self._check_body)
            else:
                self._body_done()

        def _wait_for_head(self) -> None:
            idle.pop(self, None)
            waiting[self] = None
            self._head_timer = self.loop.call_later(limits.header_timeout, self._close)

        def _head_received(self) -> None:
            waiting.pop(self, None)
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _body_done(self) -> None:
            uploading.pop(self, None)
            if self._body_timer is not None:
                self._body_timer.cancel()
                self._body_timer = None

        def _below_rate(self) -> bool:
            elapsed = self.flow.client_time() - self._body_started
            return self._body_bytes < limits.min_upload_rate * elapsed

        def _check_body(self) -> None:
            """Close a body that has stalled for body_timeout, or that after body_timeout has come at less than
            min_upload_rate on average; else check again when it would be either if no byte came."""
            self._body_timer = None
            if self.flow.read_paused:  # the sandbox has not used what it has: not the client's stall
                self._body_timer = self.loop.call_later(limits.body_timeout, self._check_body)
                return
            now = self.flow.client_time()
            elapsed = now - self._body_started
            if now - self._last_byte >= limits.body_timeout or (elapsed >= limits.body_timeout and self._below_rate()):
                logger.debug("closing a request body that stalled or came at under the minimum rate")
                self._close()
                return
            due = min(
                self._last_byte + limits.body_timeout,
                self._body_started + max(limits.body_timeout, self._body_bytes / limits.min_upload_rate),
            )
            self._body_timer = self.loop.call_later(max(due - now, 0.0) + CHECK_SLACK, self._check_body)

        def _leave_groups(self) -> None:
            idle.pop(self, None)
            self._head_received()
            self._body_done()

        def _close(self) -> None:
            self._leave_groups()
            if not self.transport.is_closing():
                self.transport.close()

    return LimitedH11Protocol
