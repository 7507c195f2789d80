"""Reading an answer within bounds: at most ``max_bytes`` on the wire and after decompression, in memory
about twice that whatever the chunking, and no later than the attempt's deadline, however slowly or
endlessly the server sends.

httpx would read a whole body into memory and decompress it without a cap; the transport reads the raw
stream here instead. The body goes into one growing buffer (never one object per transfer chunk), and each
decompression step makes a bounded amount of output before the size is checked again. The client asks
only for the encodings decoded here (:data:`ACCEPTED_ENCODINGS`): gzip and deflate always, br when
``brotli`` or ``brotlicffi`` can bound its output, zstd when ``zstandard`` is importable.

Faults are raised as httpx transport errors (a timeout, a broken stream, invalid compressed data) so that
one place decides about retries; a body over the limit raises ResponseTooLargeError, and an encoding the
client cannot decode UnexpectedResponseError (neither is retried). Whatever ends the reading, the response
is closed, so that its pooled connection is given back.
"""

from __future__ import annotations

import importlib
import time
import zlib
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Any, Final, Protocol

import httpx

from ._auth import REQUEST_ID_EXTENSION
from ._constants import BODY_EXCERPT_CHARS
from ._deadline import WireLimitExceeded
from ._errors import ResponseTooLargeError, UnexpectedResponseError
from ._retry import operation_of

_GZIP_MAGIC = b"\x1f\x8b"

#: The output one brotli step may make (the library rounds it up to its block size: about 96 KiB).
_BROTLI_STEP_BYTES: Final = 64 * 1024
#: Compressed bytes one zstd step takes in: each zstd block of at most 128 KiB takes at least 4 bytes, so
#: one step makes at most (64 / 4 + 1) * 128 KiB, about 2 MiB, whatever the data.
_ZSTD_STEP_INPUT: Final = 64
#: The largest window a zstd frame may ask the decoder to allocate (RFC 9659 asks encoders for at most 8 MiB).
_ZSTD_MAX_WINDOW_BYTES: Final = 8 * 1024 * 1024


class _Body(Protocol):
    """Where a decoder puts what it decoded: ``keep`` raises ResponseTooLargeError past the limit."""

    @property
    def room(self) -> int: ...
    def keep(self, decoded: bytes) -> None: ...
    def invalid(self, what: str) -> httpx.DecodingError: ...


class _Decoder(Protocol):
    def decode(self, data: bytes, body: _Body) -> None: ...
    def finished(self) -> bool: ...


class _ZlibDecoder:
    """gzip (several members one after the other, RFC 1952) or deflate (zlib format). Each step makes at
    most the room left plus one byte."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._decoder = self._new()
        self._pending = b""  # the start of a next gzip member's magic, cut between two chunks

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def decode(self, data: bytes, body: _Body) -> None:
        data = self._pending + data
        self._pending = b""
        decoder = self._decoder
        while data:
            if decoder.eof:
                if not self._gzip or not data.startswith(_GZIP_MAGIC[: len(data)]):
                    raise body.invalid("the compressed answer goes on after its compressed stream ended")
                if len(data) < len(_GZIP_MAGIC):
                    self._pending = data
                    return
                decoder = self._decoder = self._new()
            room = body.room
            try:
                decoded = decoder.decompress(data, room + 1)
            except zlib.error as exc:
                raise body.invalid(f"the compressed answer is invalid ({exc})") from None
            body.keep(decoded)  # stopped at room + 1 bytes (unconsumed_tail), it refuses them
            data = decoder.unused_data if decoder.eof else b""

    def finished(self) -> bool:
        return bool(self._decoder.eof) and not self._pending


def _bounded_brotli() -> Any:
    """The brotli module, if one is importable whose Decompressor bounds each step's output."""
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
            decompressor = module.Decompressor()
            decompressor.process(b"", output_buffer_limit=1)
            decompressor.can_accept_more_data()
            decompressor.is_finished()
        except Exception:  # absent, or older than brotli 1.2 (no output_buffer_limit)
            continue
        return module
    return None


def _importable(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


_brotli = _bounded_brotli()
_zstandard = _importable("zstandard")


class _BrotliDecoder:
    """br (RFC 7932), each step bounded by ``output_buffer_limit``; the window is at most 16 MiB."""

    def __init__(self) -> None:
        self._decoder = _brotli.Decompressor()

    def decode(self, data: bytes, body: _Body) -> None:
        decoder = self._decoder
        if data and decoder.is_finished():
            raise body.invalid("the compressed answer goes on after its compressed stream ended")
        pending = data
        while True:  # each round keeps some output (ended by the size limit) or returns
            feed = b""
            if pending and decoder.can_accept_more_data():
                feed, pending = pending, b""
            try:
                decoded = decoder.process(feed, output_buffer_limit=_BROTLI_STEP_BYTES)
            except _brotli.error as exc:
                raise body.invalid(f"the compressed answer is invalid (brotli: {exc})") from None
            if decoded:
                body.keep(decoded)
            elif not pending:
                return
            elif not feed:
                raise body.invalid("the compressed answer cannot be decoded further (brotli made no progress)")

    def finished(self) -> bool:
        return bool(self._decoder.is_finished())


class _ZstdDecoder:
    """zstd (RFC 8878), frames one after the other; the input goes in by _ZSTD_STEP_INPUT bytes, each of
    which makes at most 128 KiB (one block), and a frame may not ask for a window over 8 MiB (RFC 9659)."""

    def __init__(self) -> None:
        self._decoder = self._new()

    @staticmethod
    def _new() -> Any:
        return _zstandard.ZstdDecompressor(max_window_size=_ZSTD_MAX_WINDOW_BYTES).decompressobj()

    def decode(self, data: bytes, body: _Body) -> None:
        view = memoryview(data)
        position = 0
        while position < len(view):
            if self._decoder.eof:  # the next frame
                self._decoder = self._new()
            piece = view[position : position + _ZSTD_STEP_INPUT]
            try:
                decoded = self._decoder.decompress(piece)
            except _zstandard.ZstdError as exc:
                raise body.invalid(f"the compressed answer is invalid ({exc})") from None
            used = len(piece) - (len(self._decoder.unused_data) if self._decoder.eof else 0)
            if used <= 0:
                raise body.invalid("the compressed answer cannot be decoded further (zstd made no progress)")
            position += used
            if decoded:
                body.keep(decoded)

    def finished(self) -> bool:
        return bool(self._decoder.eof)


_DECODERS: Final[dict[str, Callable[[], _Decoder]]] = {
    "gzip": lambda: _ZlibDecoder(gzip=True),
    "x-gzip": lambda: _ZlibDecoder(gzip=True),  # RFC 9110 8.4.1.3: the same as gzip
    "deflate": lambda: _ZlibDecoder(gzip=False),
    **({"br": _BrotliDecoder} if _brotli is not None else {}),
    **({"zstd": _ZstdDecoder} if _zstandard is not None else {}),
}

#: The content codings this client decodes, in the order it asks for them (Accept-Encoding).
ACCEPTED_ENCODINGS: Final = tuple(name for name in _DECODERS if name != "x-gzip")

#: The Accept-Encoding header the client sends.
ACCEPT_ENCODING: Final = ", ".join(ACCEPTED_ENCODINGS)


def narrow_accept_encoding(value: str | None) -> str:
    """An Accept-Encoding header that names only codings this client decodes: ``value`` (the caller's own,
    or httpx's default, which names br and zstd whenever their libraries are installed) without the others;
    ``*`` stands for :data:`ACCEPT_ENCODING`; nothing left means ``identity``. None: ACCEPT_ENCODING."""
    if value is None:
        return ACCEPT_ENCODING
    kept: list[str] = []
    for item in value.split(","):
        coding = item.split(";", 1)[0].strip().lower()
        if coding == "*":
            kept.extend(ACCEPTED_ENCODINGS)
        elif coding in _DECODERS or coding == "identity":
            kept.append(item.strip())
    return ", ".join(dict.fromkeys(kept)) or "identity"


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
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdecimal() and int(declared) > max_bytes:
            self._too_large(f"announces {int(declared):,} bytes (Content-Length)")
        encoding = (response.headers.get("content-encoding") or "").strip().lower()
        self._decoder: _Decoder | None = None
        if encoding not in ("", "identity"):
            make = _DECODERS.get(encoding)
            if make is None:
                raise self._unexpected(
                    f"the answer is compressed with {encoding!r} (Content-Encoding), which this client did not ask "
                    f"for (Accept-Encoding: {ACCEPT_ENCODING}) and cannot decode: the service or a proxy in between "
                    "ignored Accept-Encoding. Reading stopped; the call is not repeated."
                )
            self._decoder = make()

    @property
    def room(self) -> int:
        return self._max_bytes - (len(self._first) if self._buffer is None else len(self._buffer))

    def _unexpected(
        self, message: str, cls: type[UnexpectedResponseError] = UnexpectedResponseError
    ) -> UnexpectedResponseError:
        return cls(
            message,
            status_code=self._response.status_code,
            content_type=self._response.headers.get("content-type"),
            body_excerpt=(self._buffer or self._first)[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace"),
            request_id=self._request.extensions.get(REQUEST_ID_EXTENSION),
            operation=operation_of(self._request),
        )

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
