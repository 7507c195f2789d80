"""connect(): a generated Callbot client with signing, typed errors, retries, finite timeouts and bounds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from callbot_client import Client

from ._auth import CallbotAuth
from ._constants import (
    DEFAULT_ALGORITHM,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._retry import RetryPolicy
from ._secret import SecretKey
from ._transport import CallbotTransport

# httpx ignores these once a transport is given, so they configure the transport CallbotTransport wraps.
TRANSPORT_ARGS = ("verify", "cert", "trust_env", "http1", "http2", "limits", "proxy")


def check_base_url(base_url: str) -> str:
    """The base URL as given, or ValueError when it is not an http(s) URL."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ValueError(f"base_url {base_url!r} is not a URL ({exc}): use e.g. https://nxbot.nxcloud.com") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url {base_url!r} is not an http(s) URL such as https://nxbot.nxcloud.com")
    return base_url


def httpx_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """A number of seconds bounds each attempt as a whole (connecting gets at most 5 s of it)."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(timeout, connect=min(DEFAULT_CONNECT_TIMEOUT, timeout))


def build_transport(
    auth: CallbotAuth, max_response_bytes: int, httpx_args: Mapping[str, Any] | None
) -> tuple[CallbotTransport, dict[str, Any]]:
    """The transport for ``auth`` and what is left of ``httpx_args`` for the httpx client itself."""
    args = dict(httpx_args or {})
    if "auth" in args:
        raise ValueError("httpx_args must not set auth: the client signs every request itself")
    given = args.pop("transport", None)
    transport = CallbotTransport(
        auth,
        max_response_bytes=max_response_bytes,
        sync_transport=given if isinstance(given, httpx.BaseTransport) else None,
        async_transport=given if isinstance(given, httpx.AsyncBaseTransport) else None,
        **{name: args.pop(name) for name in TRANSPORT_ARGS if name in args},
    )
    return transport, args


def connect(
    base_url: str,
    uuid: str,
    secret_key: str | SecretKey,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    verify_responses: bool = True,
    check_response_schemas: bool = True,
    max_retries: int = DEFAULT_MAX_RETRIES,
    retry_policy: RetryPolicy | None = None,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    httpx_args: Mapping[str, Any] | None = None,
) -> Client:
    """Return a ``callbot_client.Client`` for ``base_url`` that signs with the account's credentials, for
    the generated functions (``stop_order.sync(client=..., body=...)``); ``Callbot`` is the friendlier way.

    The production service is ``https://nxbot.nxcloud.com``; a local sandbox is e.g.
    ``http://127.0.0.1:8080``. ``timeout`` in seconds bounds each attempt as a whole (connecting gets at
    most 5 s of it); with an ``httpx.Timeout`` its ``read`` value is the attempt's deadline. A non-zero
    retCode raises a typed ``CallbotError``. ``max_retries`` retries what is safe to retry (see the README);
    0 turns it off; ``retry_policy`` sets the backoff too. Answers over ``max_response_bytes`` (before or
    after decompression) raise ``ResponseTooLargeError``. ``check_response_schemas=False`` accepts signed
    answers that do not fit the spec where the model can still be built (see ``CallbotAuth``).
    ``httpx_args`` go to the httpx clients (e.g. ``transport``, ``verify``, ``proxy``), except ``auth``.
    """
    try:  # first, so that no frame of a failed call holds the key as plain text
        key = SecretKey(secret_key)
    finally:
        del secret_key
    auth = CallbotAuth(
        uuid,
        key,
        algorithm=algorithm,
        verify_responses=verify_responses,
        check_response_schemas=check_response_schemas,
        retry=retry_policy or RetryPolicy(max_retries=max_retries),
    )
    transport, args = build_transport(auth, max_response_bytes, httpx_args)
    return Client(
        base_url=check_base_url(base_url),
        timeout=httpx_timeout(timeout),
        raise_on_unexpected_status=True,
        httpx_args={**args, "transport": transport},
    )
