"""connect(): a generated Callbot client with signing installed and a finite timeout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from callbot_client import Client

from ._auth import CallbotAuth
from ._constants import DEFAULT_ALGORITHM, DEFAULT_TIMEOUT


def connect(
    base_url: str,
    uuid: str,
    secret_key: str,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    timeout: float = DEFAULT_TIMEOUT,
    verify_responses: bool = True,
    httpx_args: Mapping[str, Any] | None = None,
) -> Client:
    """Return a ``callbot_client.Client`` for ``base_url`` that signs with the account's credentials.

    The production service is ``https://nxbot.nxcloud.com``; a local sandbox is e.g.
    ``http://127.0.0.1:8080``. ``timeout`` (seconds) bounds connecting and each read or write.
    An undocumented HTTP status raises ``callbot_client.errors.UnexpectedStatus``. ``httpx_args`` go to
    the underlying httpx clients (e.g. ``transport``, ``proxy``, ``verify``); ``auth`` is always ours.
    """
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url {base_url!r} is not an http(s) URL such as https://nxbot.nxcloud.com")
    if not timeout or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    auth = CallbotAuth(uuid, secret_key, algorithm=algorithm, verify_responses=verify_responses)
    return Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout),
        raise_on_unexpected_status=True,
        httpx_args={**(httpx_args or {}), "auth": auth},
    )
