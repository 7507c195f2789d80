"""The content codings the client asks for and decodes, each making a bounded amount of output per step.

gzip and deflate always; br when ``brotli`` or ``brotlicffi`` can bound a step's output
(``output_buffer_limit``, 1.2 and later); zstd when ``zstandard`` is importable. :data:`ACCEPT_ENCODING` is
what the client asks for, and :func:`narrow_accept_encoding` keeps a caller's own header to those codings.
A decoder hands what it decoded to the body (``_read.BoundedBody``), which refuses it past the limit.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable
from typing import Any, Final, Protocol

import httpx

_GZIP_MAGIC = b"\x1f\x8b"

#: The output one brotli step may make (the library rounds it up to its block size: about 96 KiB).
_BROTLI_STEP_BYTES: Final = 64 * 1024
#: Compressed bytes one zstd step takes in: each zstd block of at most 128 KiB takes at least 4 bytes, so
#: one step makes at most (64 / 4 + 1) * 128 KiB, about 2 MiB, whatever the data.
_ZSTD_STEP_INPUT: Final = 64
#: The largest window a zstd frame may ask the decoder to allocate (RFC 9659 asks encoders for at most 8 MiB).
_ZSTD_MAX_WINDOW_BYTES: Final = 8 * 1024 * 1024


class DecodedBody(Protocol):
    """Where a decoder puts what it decoded: ``keep`` raises ResponseTooLargeError past the limit."""

    @property
    def room(self) -> int: ...
    def keep(self, decoded: bytes) -> None: ...
    def invalid(self, what: str) -> httpx.DecodingError: ...


class Decoder(Protocol):
    def decode(self, data: bytes, body: DecodedBody) -> None: ...
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

    def decode(self, data: bytes, body: DecodedBody) -> None:
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

    def decode(self, data: bytes, body: DecodedBody) -> None:
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

    def decode(self, data: bytes, body: DecodedBody) -> None:
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


DECODERS: Final[dict[str, Callable[[], Decoder]]] = {
    "gzip": lambda: _ZlibDecoder(gzip=True),
    "x-gzip": lambda: _ZlibDecoder(gzip=True),  # RFC 9110 8.4.1.3: the same as gzip
    "deflate": lambda: _ZlibDecoder(gzip=False),
    **({"br": _BrotliDecoder} if _brotli is not None else {}),
    **({"zstd": _ZstdDecoder} if _zstandard is not None else {}),
}

#: The content codings this client decodes, in the order it asks for them (Accept-Encoding).
ACCEPTED_ENCODINGS: Final = tuple(name for name in DECODERS if name != "x-gzip")

#: The Accept-Encoding header the client sends.
ACCEPT_ENCODING: Final = ", ".join(ACCEPTED_ENCODINGS)


def _refused(parameters: str) -> bool:
    """Whether an Accept-Encoding item's parameters (what follows its coding) give it the weight q=0."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip()) == 0
            except ValueError:  # not a qvalue: the item counts as asked for, as a server would read it
                return False
    return False


def narrow_accept_encoding(value: str | None) -> str:
    """An Accept-Encoding header that names only codings this client decodes: ``value`` (the caller's own,
    or httpx's default, which names br and zstd whenever their libraries are installed) without the others.

    ``*`` stands for the codings of :data:`ACCEPT_ENCODING` the header does not name itself, each with the
    q-value of ``*`` (RFC 9110 12.5.3); ``*;q=0`` refuses every coding the header does not name, so it is kept
    as it is. Nothing left means ``identity``. None: ACCEPT_ENCODING."""
    if value is None:
        return ACCEPT_ENCODING
    items = [(item.split(";", 1)[0].strip().lower(), item.strip()) for item in value.split(",")]
    named = {"gzip" if coding == "x-gzip" else coding for coding, _ in items}
    kept: list[str] = []
    for coding, item in items:
        if coding == "*":
            parameters = "".join(item.partition(";")[1:])
            if _refused(parameters):
                kept.append(item)
            else:
                kept.extend(name + parameters for name in ACCEPTED_ENCODINGS if name not in named)
        elif coding in DECODERS or coding == "identity":
            kept.append(item)
    return ", ".join(dict.fromkeys(kept)) or "identity"
