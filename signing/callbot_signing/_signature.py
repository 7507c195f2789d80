"""The one canonical Callbot signing function (see the `sign` security scheme in the spec)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from uuid import uuid4

from ._constants import (
    ALGORITHM_HEADER,
    ALGORITHMS,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from ._secret import Hasher, SecretKey, signed_string_digest

_HASHES: dict[str, Callable[[bytes], Hasher]] = {"MD5": hashlib.md5, "SHA256": hashlib.sha256}


def normalize_algorithm(algorithm: str) -> str:
    """Return ``MD5`` or ``SHA256`` for any casing of them; raise ValueError for anything else."""
    name = algorithm.upper() if isinstance(algorithm, str) else algorithm
    if name not in _HASHES:
        raise ValueError(f"unsupported signature algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    return str(name)


def sign(
    secret_key: str | SecretKey,
    body: bytes,
    create_ts: str,
    request_id: str,
    uuid: str,
    algorithm: str = DEFAULT_ALGORITHM,
) -> str:
    """Sign one message: the upper-case hex digest of
    ``{secret_key}&body={body}&createTs={create_ts}&requestID={request_id}&uuid={uuid}``.

    ``body`` is the exact bytes sent or received (a large one is fed to the hash as it is, never copied).
    The string is put together in one place, :func:`signed_string_digest`. No name here but the argument
    holds the key in plain text, and the argument is deleted before ``sign`` returns or raises.
    """
    try:  # the key leaves this frame whatever happens below
        new_hash = _HASHES.get(algorithm) or _HASHES[normalize_algorithm(algorithm)]
        tail = f"&createTs={create_ts}&requestID={request_id}&uuid={uuid}".encode()
        if type(secret_key) is SecretKey:
            return secret_key.signed_digest(new_hash, body, tail)
        if not isinstance(secret_key, str):
            raise TypeError(f"the secret key must be a str, got {type(secret_key).__name__}")
        try:
            return signed_string_digest(new_hash, secret_key.encode(), body, tail)
        except UnicodeEncodeError:
            pass  # raised below, outside this block: its __context__ would hold the key (.object)
        raise ValueError("the secret key is not valid text (it holds a lone surrogate)")
    finally:
        del secret_key


def signature_headers(
    secret_key: str | SecretKey,
    body: bytes,
    uuid: str,
    algorithm: str = DEFAULT_ALGORITHM,
    *,
    request_id: str | None = None,
    create_ts: str | None = None,
) -> dict[str, str]:
    """The headers that sign ``body``: requestID (a fresh uuid4 hex unless given), uuid, createTs (now, in
    Unix seconds, unless given), algorithm and sign. For HTTP clients other than httpx."""
    try:  # first: no frame may hold the key as plain text, whatever is refused below
        key = secret_key if isinstance(secret_key, SecretKey) else SecretKey(secret_key, check=False)
    finally:
        del secret_key
    request_id = request_id or uuid4().hex
    create_ts = create_ts or str(int(time.time()))
    algorithm = normalize_algorithm(algorithm)
    return {
        REQUEST_ID_HEADER: request_id,
        UUID_HEADER: uuid,
        CREATE_TS_HEADER: create_ts,
        ALGORITHM_HEADER: algorithm,
        SIGN_HEADER: sign(key, body, create_ts, request_id, uuid, algorithm),
    }
