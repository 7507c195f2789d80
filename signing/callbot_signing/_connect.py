"""connect(): a generated Callbot client with signing, typed errors, retries, finite timeouts and bounds."""

from __future__ import annotations

import ipaddress
import json
import warnings
from collections.abc import Mapping
from typing import Any

import httpx
from attrs import define
from callbot_client import Client

from ._auth import CallbotAuth
from ._constants import (
    DEFAULT_ALGORITHM,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._cookieless import JSON_HEADERS, AsyncCookielessClient, CookielessClient, json_request
from ._errors import InvalidRequestError
from ._retry import RetryPolicy
from ._secret import SecretKey
from ._settings import check_seconds
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


#: The fields of an httpx.Timeout, each checked like a number of seconds.
TIMEOUT_FIELDS = ("connect", "read", "write", "pool")


class PlainHTTPWarning(UserWarning):
    """A base URL sends the requests unencrypted (``http://`` to a host that is not this machine).

    The bodies carry phone numbers and the sign is a plain hash, not an HMAC: anyone on the path reads them.
    Warned once per client; loopback (127.0.0.0/8, ::1, localhost) is never warned about. Silence it with
    ``warnings.simplefilter("ignore", PlainHTTPWarning)`` when the network is yours.
    """


def is_loopback(host: str) -> bool:
    """Whether ``host`` (as httpx.URL.host gives it) is this machine: localhost, or a loopback address."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def warn_if_plain_http(base_url: str, *, stacklevel: int) -> None:
    """A PlainHTTPWarning when ``base_url`` (already checked) is plain http to another machine."""
    url = httpx.URL(base_url)
    if url.scheme == "http" and not is_loopback(url.host):
        warnings.warn(
            f"base_url {base_url!r} is plain http to {url.host}: request and answer bodies (phone numbers "
            "included) cross the network unencrypted, and the sign is not an HMAC. Use https:// unless this "
            "network is yours.",
            PlainHTTPWarning,
            stacklevel=stacklevel,
        )


def httpx_timeout(timeout: float | httpx.Timeout) -> httpx.Timeout:
    """A number of seconds bounds each attempt as a whole (connecting gets at most 5 s of it). Every value,
    and every field of an httpx.Timeout, is a finite number of seconds up to a day (``_settings``): a NaN, an
    infinity or None would leave the attempt without a deadline, and 1e10 s is more than a socket takes."""
    if isinstance(timeout, httpx.Timeout):
        for name in TIMEOUT_FIELDS:
            value = getattr(timeout, name)
            if value is None:
                raise ValueError(
                    f"timeout.{name} is None, which would wait forever: give every field of the httpx.Timeout "
                    "a number of seconds, e.g. httpx.Timeout(30.0, connect=5.0)"
                )
            check_seconds(f"timeout.{name}", value)
        return timeout
    seconds = check_seconds("timeout", timeout)
    return httpx.Timeout(seconds, connect=min(DEFAULT_CONNECT_TIMEOUT, seconds))


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


#: The encoder of request bodies, made once (json.dumps with these options makes a new one per call).
_BODY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_body(body: Mapping[str, Any], operation: str) -> bytes:
    """The JSON bytes of a request body; InvalidRequestError for what JSON or UTF-8 cannot carry."""
    try:
        return _BODY_ENCODER.encode(body).encode("utf-8")
    except UnicodeEncodeError as exc:
        text = exc.object[max(0, exc.start - 20) : exc.end + 20]
        raise InvalidRequestError(
            f"{operation} cannot be sent: a string of the request holds {exc.object[exc.start : exc.end]!r}, "
            f"which is not valid Unicode (a lone surrogate), near {text!r}. Fix that value.",
            operation=operation,
        ) from None
    except (ValueError, TypeError) as exc:  # NaN or infinity; an object JSON cannot encode
        raise InvalidRequestError(f"{operation} cannot be sent: {exc}", operation=operation) from None


class _GeneratedRequests:
    """What the httpx clients under connect() do to the requests of the generated functions, which give a path
    (``"/callcentre/api/v3/stopOrder"``), a ``json=`` body and a dict of headers:

    - the body is encoded by :func:`encode_body`, as ``Callbot`` encodes it: what JSON or UTF-8 cannot carry (a
      lone surrogate, NaN, an infinity) is an InvalidRequestError, not httpx's UnicodeEncodeError or ValueError.
      The bytes are the ones httpx would send;
    - the path is joined to the base URL once per path and client (httpx would parse and join both on every
      call), as ``Callbot`` does; the URL is the one httpx would build.
    """

    #: The most paths whose URL is kept (the generated functions have one path each).
    MAX_URLS = 256

    base_url: httpx.URL

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._urls: dict[str, tuple[httpx.URL, httpx.URL, str]] = {}  # path: (base URL, URL, operation)

    def build_request(self, *args: Any, **kwargs: Any) -> httpx.Request:
        if len(args) > 1:  # positional (method, url): as httpx.Client.request never passes them
            args, kwargs = args[:1], {**kwargs, "url": args[1]}
        url = kwargs["url"]
        if type(url) is str:
            kwargs["url"], operation = self._url(url)
        else:
            operation = str(url).rstrip("/").rsplit("/", 1)[-1]
        if kwargs.get("json") is not None:
            kwargs["content"] = encode_body(kwargs["json"], operation)
            kwargs["json"] = None
            kwargs["headers"] = _with_json_content_type(kwargs.get("headers"))
            if _plain_json_post(args, kwargs):  # what every generated function sends: built as Callbot builds it
                return json_request(self, kwargs["url"], kwargs["content"])  # type: ignore[arg-type]
        return super().build_request(*args, **kwargs)  # type: ignore[misc,no-any-return]

    def _url(self, path: str) -> tuple[httpx.URL, str]:
        """The absolute URL of ``path`` on this client's base URL, as httpx would join them, and the operation
        (the last segment of the path)."""
        base = self.base_url
        known = self._urls.get(path)
        if known is not None and known[0] is base:
            return known[1], known[2]
        url = httpx.URL(path)
        if url.is_relative_url:
            url = base.copy_with(raw_path=base.raw_path + url.raw_path.lstrip(b"/"))
        operation = path.rstrip("/").rsplit("/", 1)[-1]
        if len(self._urls) >= self.MAX_URLS:
            self._urls.clear()
        self._urls[path] = (base, url, operation)
        return url, operation


#: The arguments of build_request besides method, url, content and headers, as httpx.Client.request passes them
#: when the caller gives none.
_UNSET_ARGUMENTS = ("data", "files", "json", "params", "cookies", "extensions")


def _plain_json_post(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether build_request was asked for a POST of JSON bytes to a URL with no other argument, the one header
    Content-Type: application/json, and the client's timeout."""
    return (
        (args[0] if args else kwargs.get("method")) in ("post", "POST")
        and type(kwargs["url"]) is httpx.URL
        and kwargs["headers"] == JSON_HEADERS
        and kwargs.get("timeout", httpx.USE_CLIENT_DEFAULT) is httpx.USE_CLIENT_DEFAULT
        and all(kwargs.get(name) is None for name in _UNSET_ARGUMENTS)
    )


def _with_json_content_type(headers: Any) -> Any:
    """``headers`` with Content-Type application/json unless they name one; a dict (what the generated
    functions pass) stays a dict, copied; anything else becomes an httpx.Headers."""
    if isinstance(headers, dict) and all(type(name) is str for name in headers):
        if any(name.lower() == "content-type" for name in headers):
            return headers
        return {**headers, "Content-Type": "application/json"}
    merged = httpx.Headers(headers)
    merged.setdefault("Content-Type", "application/json")
    return merged


class _GeneratedHttpxClient(_GeneratedRequests, CookielessClient):
    """The httpx.Client of connect(): keeps no cookies (``_cookieless.py``), see :class:`_GeneratedRequests`."""


class _GeneratedAsyncHttpxClient(_GeneratedRequests, AsyncCookielessClient):
    """The async twin of :class:`_GeneratedHttpxClient`."""


class _GeneratedHttpxClientWithCookies(_GeneratedRequests, httpx.Client):
    """The httpx.Client of connect() when cookies are asked for: an httpx cookie jar, as httpx keeps it."""


class _GeneratedAsyncHttpxClientWithCookies(_GeneratedRequests, httpx.AsyncClient):
    """The async twin of :class:`_GeneratedHttpxClientWithCookies`."""


@define
class _SigningClient(Client):
    """The ``callbot_client.Client`` connect() returns: its httpx clients encode request bodies and join URLs as
    ``Callbot`` does (see :class:`_GeneratedRequests`), and keep no cookies unless some are given (``cookies``
    in ``httpx_args``, or ``with_cookies()``). Built with the settings the generated Client passes to httpx (a
    test pins that list against the generated class)."""

    def _keeps_cookies(self) -> bool:
        return bool(self._cookies) or "cookies" in self._httpx_args

    def _httpx_kwargs(self) -> dict[str, Any]:
        cookies = {"cookies": self._cookies} if self._cookies else {}
        return {
            "base_url": self._base_url,
            **cookies,
            "headers": self._headers,
            "timeout": self._timeout,
            "verify": self._verify_ssl,
            "follow_redirects": self._follow_redirects,
            **self._httpx_args,
        }

    def get_httpx_client(self) -> httpx.Client:
        if self._client is None:
            kind = _GeneratedHttpxClientWithCookies if self._keeps_cookies() else _GeneratedHttpxClient
            self._client = kind(**self._httpx_kwargs())
        return self._client

    def get_async_httpx_client(self) -> httpx.AsyncClient:
        if self._async_client is None:
            kind = _GeneratedAsyncHttpxClientWithCookies if self._keeps_cookies() else _GeneratedAsyncHttpxClient
            self._async_client = kind(**self._httpx_kwargs())
        return self._async_client


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
    retCode raises a typed ``CallbotError``. ``max_retries`` retries what is safe to retry (docs/client.md, "Retries");
    0 turns it off; ``retry_policy`` sets the backoff too. Answers over ``max_response_bytes`` (before or
    after decompression) raise ``ResponseTooLargeError``. ``check_response_schemas=False`` accepts signed
    answers that do not fit the spec where the model can still be built (see ``CallbotAuth``).
    ``httpx_args`` go to the httpx clients (e.g. ``transport``, ``verify``, ``proxy``), except ``auth``.
    """
    try:  # first, so that no frame of a failed call holds the key as plain text
        key = SecretKey(secret_key)
    finally:
        del secret_key
    retry = RetryPolicy(max_retries=max_retries)  # checked even when retry_policy replaces it
    if retry_policy is not None:
        if not isinstance(retry_policy, RetryPolicy):
            raise TypeError(f"retry_policy must be a RetryPolicy, got {type(retry_policy).__name__}")
        retry = retry_policy
    auth = CallbotAuth(
        uuid,
        key,
        algorithm=algorithm,
        verify_responses=verify_responses,
        check_response_schemas=check_response_schemas,
        retry=retry,
    )
    transport, args = build_transport(auth, max_response_bytes, httpx_args)
    warn_if_plain_http(check_base_url(base_url), stacklevel=3)  # warn_if_plain_http <- connect <- the caller
    return _SigningClient(
        base_url=base_url,
        timeout=httpx_timeout(timeout),
        raise_on_unexpected_status=True,
        httpx_args={**args, "transport": transport},
    )
