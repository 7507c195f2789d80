"""Reading an answer within bounds: at most ``max_bytes`` on the wire and after decompression, in memory
about twice that whatever the chunking, and no later than the attempt's deadline, however slowly or
endlessly the server sends.

httpx would read a whole body into memory and decompress it without a cap; the transport reads the raw
stream here instead. The body goes into one growing buffer (never one object per transfer chunk), and each
decompression step (``_decoders.py``) makes a bounded amount of output before the size is checked again.

Faults are raised as httpx transport errors (a timeout, a broken stream, invalid compressed data) so that
one place decides about retries; a body over the limit raises ResponseTooLargeError, and an encoding the
client cannot decode UnexpectedResponseError (neither is retried). Whatever ends the reading, the response
is closed, so that its pooled connection is given back.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Callable, Iterable

import httpx

from ._bounds import WireLimitExceeded
from ._constants import BODY_EXCERPT_CHARS, REQUEST_ID_EXTENSION
from ._decoders import DECODERS, Decoder
from ._errors import ResponseTooLargeError, UnexpectedResponseError, mark_outcome_unknown, may_be_carried_out
from ._retry import operation_of


class BoundedBody:
    """Collects one answer's body chunk by chunk, enforcing the size limit and the deadline.

    The decoded body is kept in one bytearray (at most ``max_bytes`` plus one decoding step); the final
    ``bytes`` is one copy of it, so an answer costs about twice ``max_bytes`` at most, however it is chunked.
    (An answer that comes in one piece is kept as it came, without a copy.)
    """

    def __init__(
        self,
        response: httpx.Response,
        request: httpx.Request,
        *,
        max_bytes: int,
        deadline: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._response = response
        self._request = request
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._clock = clock
        self._raw = 0
        self._first = b""  # the body while it is one piece
        self._buffer: bytearray | None = None  # the body from its second piece on
        declared, encoding = _length_and_encoding(response.headers)
        if declared.isascii() and declared.isdecimal() and int(declared) > max_bytes:
            self._too_large(f"announces {int(declared):,} bytes (Content-Length)")
        encoding = encoding.strip().lower()
        self._decoder: Decoder | None = None
        if encoding not in ("", "identity"):
            make = DECODERS.get(encoding)
            if make is None:
                asked = request.headers.get("accept-encoding", "(none)")
                raise self._unexpected(
                    f"the answer is compressed with {encoding!r} (Content-Encoding), which this client did not ask "
                    f"for (Accept-Encoding: {asked}) and cannot decode: the service or a proxy in between "
                    "ignored Accept-Encoding. Reading stopped; the call is not repeated."
                )
            self._decoder = make()

    @property
    def room(self) -> int:
        return self._max_bytes - (len(self._first) if self._buffer is None else len(self._buffer))

    def _unexpected(
        self, message: str, cls: type[UnexpectedResponseError] = UnexpectedResponseError
    ) -> UnexpectedResponseError:
        error = cls(
            message,
            status_code=self._response.status_code,
            content_type=self._response.headers.get("content-type"),
            body_excerpt=(self._buffer or self._first)[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace"),
            request_id=self._request.extensions.get(REQUEST_ID_EXTENSION),
            operation=operation_of(self._request),
        )
        if may_be_carried_out(error.operation):  # the request reached the service; its answer is unread
            mark_outcome_unknown(error, " (its answer was not read)")
        return error

    def _too_large(self, what: str) -> None:
        raise self._unexpected(
            f"the answer {what}, more than the limit of {self._max_bytes:,} bytes (max_response_bytes); "
            "reading stopped. Ask for smaller pages, or raise max_response_bytes if the answer is genuine.",
            ResponseTooLargeError,
        )

    def wire_too_large(self, exc: WireLimitExceeded) -> None:
        """Refuse the answer for the bytes its transfer took on the socket (framing included)."""
        self._too_large(
            f"took more than {exc.limit:,} bytes on the socket, with its headers and transfer framing "
            "(chunk sizes, extensions, trailers)"
        )

    def invalid(self, what: str) -> httpx.DecodingError:
        return httpx.DecodingError(what, request=self._request)

    def add(self, chunk: bytes) -> None:
        if self._clock() > self._deadline:
            raise httpx.ReadTimeout(
                f"the whole answer did not arrive within the timeout ({self._raw:,} bytes had come)",
                request=self._request,
            )
        self._raw += len(chunk)
        if self._raw > self._max_bytes:
            self._too_large(f"is more than {self._max_bytes:,} bytes on the wire")
        if self._decoder is None:
            self.keep(chunk)
        else:
            self._decoder.decode(chunk, self)

    def keep(self, decoded: bytes) -> None:
        if len(decoded) > self.room:
            self._too_large(f"decompresses to more than {self._max_bytes:,} bytes")
        if self._buffer is not None:
            self._buffer += decoded
        elif not self._first:
            self._first = decoded
        elif decoded:
            self._buffer = bytearray(self._first)
            self._buffer += decoded
            self._first = b""

    def finish(self) -> bytes:
        if self._decoder is not None and not self._decoder.finished():
            raise self.invalid("the compressed answer ends before its compressed stream does (cut short?)")
        if self._buffer is None:
            return self._first if type(self._first) is bytes else bytes(self._first)
        body = bytes(self._buffer)
        self._buffer = None
        return body


def _length_and_encoding(headers: httpx.Headers) -> tuple[str, str]:
    """``headers.get("content-length", "")`` and ``headers.get("content-encoding") or ""``, in one pass."""
    lengths: list[bytes] = []
    encodings: list[bytes] = []
    for name, value in headers.raw:
        lowered = name.lower()
        if lowered == b"content-length":
            lengths.append(value)
        elif lowered == b"content-encoding":
            encodings.append(value)
    return _joined(lengths, headers), _joined(encodings, headers)


def _joined(values: list[bytes], headers: httpx.Headers) -> str:
    joined = b", ".join(values)
    return joined.decode("ascii") if joined.isascii() else joined.decode(headers.encoding)


def read_bounded(
    response: httpx.Response,
    request: httpx.Request,
    *,
    max_bytes: int,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The decoded body of ``response`` (whose stream is unread), within ``max_bytes`` and ``deadline``.
    The response is closed whatever happens, its headers refused included."""
    try:
        body = BoundedBody(response, request, max_bytes=max_bytes, deadline=deadline, clock=clock)
        stream = response.stream
        assert isinstance(stream, Iterable)
        try:
            for chunk in stream:
                body.add(chunk)
        except WireLimitExceeded as exc:
            body.wire_too_large(exc)
    finally:
        response.close()
    return body.finish()


async def aread_bounded(
    response: httpx.Response,
    request: httpx.Request,
    *,
    max_bytes: int,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The async twin of :func:`read_bounded`."""
    try:
        body = BoundedBody(response, request, max_bytes=max_bytes, deadline=deadline, clock=clock)
        stream = response.stream
        assert isinstance(stream, AsyncIterable)
        try:
            async for chunk in stream:
                body.add(chunk)
        except WireLimitExceeded as exc:
            body.wire_too_large(exc)
    finally:
        await response.aclose()
    return body.finish()
