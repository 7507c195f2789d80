"""The one canonical Callbot signing function (see the `sign` security scheme in the spec)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ._constants import ALGORITHMS, DEFAULT_ALGORITHM

_HASHES: dict[str, Callable[..., Any]] = {"MD5": hashlib.md5, "SHA256": hashlib.sha256}


def normalize_algorithm(algorithm: str) -> str:
    """Return ``MD5`` or ``SHA256`` for any casing of them; raise ValueError for anything else."""
    name = algorithm.upper() if isinstance(algorithm, str) else algorithm
    if name not in _HASHES:
        raise ValueError(f"unsupported signature algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    return str(name)


#: Bodies up to this size are hashed in one piece (copying them costs less than more hash calls).
_SMALL_BODY = 4096


def sign(
    secret_key: str,
    body: bytes,
    create_ts: str,
    request_id: str,
    uuid: str,
    algorithm: str = DEFAULT_ALGORITHM,
) -> str:
    """Sign one message: the upper-case hex digest of
    ``{secret_key}&body={body}&createTs={create_ts}&requestID={request_id}&uuid={uuid}``.

    ``body`` is the exact bytes sent or received. A large body is fed to the hash as it is, never copied.
    """
    new_hash = _HASHES.get(algorithm) or _HASHES[normalize_algorithm(algorithm)]
    head = f"{secret_key}&body=".encode()
    tail = f"&createTs={create_ts}&requestID={request_id}&uuid={uuid}".encode()
    if len(body) <= _SMALL_BODY:
        return str(new_hash(head + body + tail).hexdigest()).upper()
    hasher = new_hash(head)
    hasher.update(body)
    hasher.update(tail)
    return str(hasher.hexdigest()).upper()
