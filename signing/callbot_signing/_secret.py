"""SecretKey: the account's secret key, held so that no repr, str or frame-locals renderer shows it."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, Protocol


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


#: Bodies up to this size are hashed in one piece with the key and the other inputs.
SMALL_BODY = 4096


def _problem(value: str) -> str | None:
    """Why ``value`` cannot be a console secret key, or None."""
    if not value:
        return "the secret key is empty: use the secret key shown in the NXCloud console under Developer"
    if value != value.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return (
            "the secret key has surrounding whitespace or a control character (a newline from a file or an "
            "environment variable?): copy it again from the NXCloud console under Developer"
        )
    return None


def signed_string_digest(new_hash: Callable[..., Hasher], key: bytes, body: bytes, tail: bytes) -> str:
    """The upper-case hex digest of ``key`` + ``&body=`` + ``body`` + ``tail``: the one place the signed
    string is put together (``tail`` is ``&createTs=...&requestID=...&uuid=...``). A small body is joined and
    hashed in one call, a large one fed to the hash as it is, never copied; the joined bytes
    are never bound to a name, and ``key`` leaves this frame before anything that can fail."""
    try:
        if len(body) <= SMALL_BODY:
            return new_hash(b"".join((key, b"&body=", body, tail))).hexdigest().upper()
        hasher = new_hash(key + b"&body=")
    finally:
        del key
    hasher.update(body)
    hasher.update(tail)
    return hasher.hexdigest().upper()


class SecretKey:
    """The secret key from the NXCloud console (Developer). ``repr`` and ``str`` show ``'***'``, so error
    reporters that render the local variables of a traceback never print it. The signing code takes the key
    out only through :meth:`signed_digest`, as an argument of :func:`signed_string_digest`, which hashes it:
    no local variable of the signing code holds it.
    """

    __slots__ = ("__value",)

    def __init__(self, value: str | SecretKey, *, check: bool = True) -> None:
        """``check`` refuses what cannot be a console key (empty, whitespace around it, control characters);
        ``signature_headers`` passes ``check=False`` for a key given as text: like :func:`sign`, it signs with
        any text."""
        if isinstance(value, SecretKey):
            self.__value: bytes = value.__value
            return
        if not isinstance(value, str):
            kind = type(value).__name__
            del value  # bytes hold the key too
            raise TypeError(f"the secret key must be a str, got {kind}")
        problem = _problem(value) if check else None
        try:
            self.__value = value.encode("utf-8")
        except UnicodeEncodeError:
            problem = "the secret key is not valid text (it holds a lone surrogate)"
        del value  # a traceback rendered with its locals must not show the key
        if problem is not None:
            raise ValueError(problem)

    def feed(self, hasher: Hasher) -> None:
        """Feed the key's UTF-8 bytes into ``hasher``, for a hash the caller builds. Unused by this package,
        which signs through :meth:`signed_digest`; kept because ``SecretKey`` is public (``make compat``)."""
        hasher.update(self.__value)

    def signed_digest(self, new_hash: Callable[..., Hasher], body: bytes, tail: bytes) -> str:
        """The upper-case hex digest of key + ``&body=`` + ``body`` + ``tail`` (signed_string_digest)."""
        return signed_string_digest(new_hash, self.__value, body, tail)

    def __repr__(self) -> str:
        return "SecretKey('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and hmac.compare_digest(other.__value, self.__value)

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> Any:
        raise TypeError("a SecretKey is not pickled: pass the key to the process that needs it another way")
