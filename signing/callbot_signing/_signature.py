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

    ``body`` is the exact bytes sent or received. The pieces are fed to the hash one by one, so a large
    body is never copied.
    """
    hasher = _HASHES[normalize_algorithm(algorithm)]()
    hasher.update(secret_key.encode("utf-8"))
    hasher.update(b"&body=")
    hasher.update(body)
    hasher.update(f"&createTs={create_ts}&requestID={request_id}&uuid={uuid}".encode())
    return str(hasher.hexdigest()).upper()
