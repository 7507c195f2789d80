"""Reading an answer within bounds: at most ``max_bytes`` on the wire and after decompression, and no
later than the attempt's deadline, however slowly or endlessly the server sends.

httpx would read a whole body into memory and decompress it without a cap; the transport reads the raw
stream here instead. Faults are raised as httpx transport errors (a timeout, a broken stream, invalid
gzip) so that one place decides about retries; a body over the limit raises ResponseTooLargeError.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import AsyncIterable, Callable, Iterable
from typing import Protocol

import httpx

from ._constants import BODY_EXCERPT_CHARS
from ._errors import ResponseTooLargeError

_GZIP_MAGIC = b"\x1f\x8b"


class _Decoder(Protocol):
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...
    def flush(self, length: int = ..., /) -> bytes: ...
    @property
    def eof(self) -> bool: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    @property
    def unused_data(self) -> bytes: ...


def _gzip_decoder() -> _Decoder:
    return zlib.decompressobj(16 + zlib.MAX_WBITS)


def decoder_for(content_encoding: str | None) -> _Decoder | None:
    """A decompressor for the Content-Encoding of an answer (None for an uncompressed one)."""
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding == "gzip":
        return _gzip_decoder()
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise httpx.DecodingError(f"the answer is compressed with {content_encoding!r}, which this client does not ask for")


class BoundedBody:
    """Collects one answer's body chunk by chunk, enforcing the size limit and the deadline."""

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
        self._size = 0
        self._parts: list[bytes] = []
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdecimal() and int(declared) > max_bytes:
            self._too_large(f"announces {int(declared):,} bytes (Content-Length)")
        self._encoding = (response.headers.get("content-encoding") or "").strip().lower()
        self._pending = b""
        try:
            self._decoder = decoder_for(self._encoding)
        except httpx.DecodingError as exc:
            raise httpx.DecodingError(str(exc), request=request) from None

    def _too_large(self, what: str) -> None:
        excerpt = b"".join(self._parts)[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace")
        raise ResponseTooLargeError(
            f"the answer {what}, more than the limit of {self._max_bytes:,} bytes (max_response_bytes); "
            "reading stopped. Ask for smaller pages, or raise max_response_bytes if the answer is genuine.",
            status_code=self._response.status_code,
            content_type=self._response.headers.get("content-type"),
            body_excerpt=excerpt,
        )

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
            self._keep(chunk)
        else:
            self._decompress(chunk)

    def _keep(self, decoded: bytes) -> None:
        self._size += len(decoded)
        self._parts.append(decoded)

    def _decompress(self, data: bytes) -> None:
        """Decompress ``data`` within the limit. A gzip answer may be several members one after the other
        (RFC 1952); anything else after the end of the compressed stream is refused, never copied along."""
        data = self._pending + data
        self._pending = b""
        decoder = self._decoder
        assert decoder is not None
        while data:
            if decoder.eof:
                if self._encoding != "gzip" or not data.startswith(_GZIP_MAGIC[: len(data)]):
                    raise httpx.DecodingError(
                        "the compressed answer goes on after its compressed stream ended", request=self._request
                    )
                if len(data) < len(_GZIP_MAGIC):  # the next member's magic is cut between two chunks
                    self._pending = data
                    return
                decoder = self._decoder = _gzip_decoder()
            room = self._max_bytes - self._size
            try:
                decoded = decoder.decompress(data, room + 1)
            except zlib.error as exc:
                raise httpx.DecodingError(f"the compressed answer is invalid ({exc})", request=self._request) from None
            if len(decoded) > room or decoder.unconsumed_tail:
                self._too_large(f"decompresses to more than {self._max_bytes:,} bytes")
            self._keep(decoded)
            data = decoder.unused_data if decoder.eof else b""

    def finish(self) -> bytes:
        if self._decoder is not None and (not self._decoder.eof or self._pending):
            raise httpx.DecodingError(
                "the compressed answer ends before its compressed stream does (cut short?)",
                request=self._request,
            )
        return b"".join(self._parts)


def read_bounded(
    response: httpx.Response,
    request: httpx.Request,
    *,
    max_bytes: int,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """The decoded body of ``response`` (whose stream is unread), within ``max_bytes`` and ``deadline``."""
    body = BoundedBody(response, request, max_bytes=max_bytes, deadline=deadline, clock=clock)
    stream = response.stream
    assert isinstance(stream, Iterable)
    try:
        for chunk in stream:
            body.add(chunk)
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
    body = BoundedBody(response, request, max_bytes=max_bytes, deadline=deadline, clock=clock)
    stream = response.stream
    assert isinstance(stream, AsyncIterable)
    try:
        async for chunk in stream:
            body.add(chunk)
    finally:
        await response.aclose()
    return body.finish()
