"""connect(): a generated Callbot client with signing, typed errors, retries and finite timeouts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from callbot_client import Client

from ._auth import CallbotAuth
from ._constants import (
    DEFAULT_ALGORITHM,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._retry import RetryPolicy
from ._transport import RetryTransport

# httpx ignores these once a transport is given, so they configure the transport RetryTransport wraps.
_TRANSPORT_ARGS = ("verify", "cert", "trust_env", "http1", "http2", "limits", "proxy")


def connect(
    base_url: str,
    uuid: str,
    secret_key: str,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    verify_responses: bool = True,
    raise_on_error: bool = True,
    max_retries: int = DEFAULT_MAX_RETRIES,
    retry_policy: RetryPolicy | None = None,
    httpx_args: Mapping[str, Any] | None = None,
) -> Client:
    """Return a ``callbot_client.Client`` for ``base_url`` that signs with the account's credentials.

    The production service is ``https://nxbot.nxcloud.com``; a local sandbox is e.g.
    ``http://127.0.0.1:8080``. ``timeout`` in seconds bounds each read and write (connecting gets at most
    5 s); pass an ``httpx.Timeout`` for full control, and use ``client.with_timeout(...)`` for one call.
    With ``raise_on_error`` a non-zero retCode raises a typed ``CallbotError``; otherwise the parsed
    envelope is returned. ``max_retries`` retries what is safe to retry (see the README); 0 turns it off;
    ``retry_policy`` sets the backoff too.
    ``httpx_args`` go to the httpx clients (e.g. ``transport``, ``verify``, ``proxy``); ``auth`` is ours.
    """
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url {base_url!r} is not an http(s) URL such as https://nxbot.nxcloud.com")
    if not isinstance(timeout, httpx.Timeout):
        if not timeout or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
        timeout = httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout))
    auth = CallbotAuth(
        uuid,
        secret_key,
        algorithm=algorithm,
        verify_responses=verify_responses,
        raise_on_error=raise_on_error,
        retry=retry_policy or RetryPolicy(max_retries=max_retries),
    )
    args = dict(httpx_args or {})
    given = args.pop("transport", None)
    transport = RetryTransport(
        auth,
        sync_transport=given if isinstance(given, httpx.BaseTransport) else None,
        async_transport=given if isinstance(given, httpx.AsyncBaseTransport) else None,
        **{name: args.pop(name) for name in _TRANSPORT_ARGS if name in args},
    )
    return Client(
        base_url=base_url,
        timeout=timeout,
        raise_on_unexpected_status=True,
        httpx_args={**args, "auth": auth, "transport": transport},
    )
