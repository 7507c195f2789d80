"""What Callbot and AsyncCallbot share: settings from arguments or the environment, and what an answer
becomes (the response model, an ErrorReply, or a typed error).

The methods themselves are generated from the spec (``callbot_client.api.SyncOperations`` /
``AsyncOperations``, by ``make generate``); the clients give them ``_call``: encode the body, send it through
``CallbotTransport`` (signing, bounds, and the judgement of ``_judge.py``: verification, retries, typed
errors), and build the response model from the JSON and envelope the judgement left on the response.
"""

from __future__ import annotations

import copy
import os
import threading
from collections.abc import Mapping
from typing import Any, Generic, Never, Protocol, Self, TypeVar

import httpx
from typing_extensions import TypeVar as DefaultedTypeVar

from ._auth import CallbotAuth
from ._connect import build_transport, check_base_url, httpx_timeout, warn_if_plain_http
from ._constants import (
    DEFAULT_ALGORITHM,
    DEFAULT_BASE_URL,
    ENV_ALGORITHM,
    ENV_BASE_URL,
    ENV_SECRET_KEY,
    ENV_UUID,
    ENVELOPE_EXTENSION,
    JSON_EXTENSION,
    REQUEST_ID_EXTENSION,
)
from ._envelope import Envelope, ErrorReply, response_id_of
from ._errors import APIConnectionError, UnexpectedResponseError, error_for_ret_code
from ._retry import RetryPolicy
from ._secret import SecretKey
from ._transport import user_agent

#: What an error reply becomes: Never when the client raises (the default, so a bare ``Callbot``
#: annotation means ``Callbot[Never]``), ErrorReply with ``raise_on_error=False``.
_E = DefaultedTypeVar("_E", default=Never)


class _ResponseModel(Protocol):
    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...
    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


_M = TypeVar("_M", bound=_ResponseModel)

#: The stream of an answer once read (in place of httpx's, which refers back to the response).
_READ = httpx.ByteStream(b"")


def _from_env(value: str | None, variable: str, what: str, default: str | None = None) -> str:
    """``value``, else the environment variable, else ``default``; a variable set but blank is an error (a
    blank CALLBOT_BASE_URL must not quietly mean production)."""
    if value is not None:
        return value
    found = os.environ.get(variable)
    if found is not None and not found.strip():
        raise ValueError(f"the environment variable {variable} is set but empty: give the {what}, or unset it")
    if found is not None:
        return found
    if default is None:
        raise ValueError(f"no {what} given: pass it, or set the environment variable {variable}")
    return default


def _check_credentials_given(uuid: str | None, secret_key: SecretKey | None) -> None:
    """ValueError naming every credential that is neither given nor in the environment, all at once."""
    missing = [
        variable
        for value, variable in ((uuid, ENV_UUID), (secret_key, ENV_SECRET_KEY))
        if value is None and os.environ.get(variable) is None
    ]
    if len(missing) == 2:
        raise ValueError(
            f"no uuid and no secret key given: pass uuid= and secret_key=, or set the environment variables "
            f"{missing[0]} and {missing[1]}"
        )


class _Base(Generic[_E]):
    """Settings, and what both clients do with an answer."""

    def __init__(
        self,
        base_url: str | None,
        uuid: str | None,
        secret_key: SecretKey | None,
        *,
        algorithm: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        verify_responses: bool,
        check_response_schemas: bool,
        raise_on_error: bool,
        max_response_bytes: int,
        httpx_args: Mapping[str, Any] | None,
    ) -> None:
        _check_credentials_given(uuid, secret_key)
        key = secret_key if secret_key is not None else SecretKey(_from_env(None, ENV_SECRET_KEY, "secret key"))
        self.base_url = check_base_url(_from_env(base_url, ENV_BASE_URL, "base URL", DEFAULT_BASE_URL))
        self.timeout = httpx_timeout(timeout)
        self.raise_on_error = raise_on_error
        self._auth = CallbotAuth(
            _from_env(uuid, ENV_UUID, "uuid"),
            key,
            algorithm=_from_env(algorithm, ENV_ALGORITHM, "signature algorithm", DEFAULT_ALGORITHM),
            verify_responses=verify_responses,
            raise_on_error=raise_on_error,
            check_response_schemas=check_response_schemas,
            retry=RetryPolicy(max_retries=max_retries),
        )
        self._transport, self._httpx_args = build_transport(self._auth, max_response_bytes, httpx_args)
        warn_if_plain_http(self.base_url, stacklevel=4)  # _Base.__init__ <- Callbot.__init__ <- the caller
        self._urls: dict[str, httpx.URL] = {}
        self._lock = threading.Lock()

    @property
    def uuid(self) -> str:
        return self._auth.uuid

    @property
    def algorithm(self) -> str:
        return self._auth.algorithm

    @property
    def max_retries(self) -> int:
        return self._auth.retry.max_retries

    def __repr__(self) -> str:  # getattr: a half-built object (a failed __init__) is rendered in tracebacks too
        auth = getattr(self, "_auth", None)
        return (
            f"{type(self).__name__}(base_url={getattr(self, 'base_url', '?')!r}, uuid={getattr(auth, 'uuid', '?')!r}, "
            f"secret_key='***', algorithm={getattr(auth, 'algorithm', '?')!r}, "
            f"max_retries={getattr(getattr(auth, 'retry', None), 'max_retries', '?')}, "
            f"raise_on_error={getattr(self, 'raise_on_error', '?')})"
        )

    def _derive(self, timeout: float | httpx.Timeout | None, max_retries: int | None) -> Self:
        """A copy with other options over the same connection pool (see ``with_options``)."""
        twin = copy.copy(self)
        if timeout is not None:
            twin.timeout = httpx_timeout(timeout)
        if max_retries is not None:
            twin._auth = copy.copy(self._auth)
            twin._auth.retry = RetryPolicy(max_retries=max_retries)
        twin._transport = self._transport.with_auth(twin._auth)
        twin._reset()
        return twin

    def _reset(self) -> None:
        raise NotImplementedError

    def _result(self, response: httpx.Response, operation: str, model: type[_M], *, or_raise: bool) -> _M | _E:
        # Judged by the transport (_judge.py), and taken off the response: nothing of the answer but the result is
        # kept once the call returns (httpx's Response and its stream refer to each other, so the response
        # itself is only freed by a collection).
        data: dict[str, Any] = response.extensions.pop(JSON_EXTENSION)
        response.stream = _READ  # and the cycle broken: the body (read already) is freed with the response
        envelope: Envelope = response.extensions.pop(ENVELOPE_EXTENSION)
        request_id: str | None = response.request.extensions.get(REQUEST_ID_EXTENSION)
        if envelope.ret_code != 0:  # only reached with raise_on_error=False
            if or_raise:
                raise error_for_ret_code(
                    envelope.ret_code,
                    envelope.ret_msg,
                    response_id=envelope.response_id,
                    request_id=request_id,
                    operation=operation,
                )
            reply = ErrorReply(envelope.ret_code, envelope.ret_msg, envelope.response_id, request_id, operation, data)
            return reply  # type: ignore[return-value]  # _E is ErrorReply exactly when raise_on_error is False
        try:
            # Built lazily: each model's fields are set from the answer when one of them is first read. The
            # answer fits the spec (or, with check_response_schemas off, from_dict built it), so that cannot fail.
            return model.from_checked_dict(data)
        except Exception as exc:  # the schema check (or _judge's model check without it) makes this unreachable
            raise UnexpectedResponseError(
                f"{operation} got an answer the {model.__name__} model cannot hold ({type(exc).__name__}: {exc}). "
                f"requestID={request_id}",
                status_code=response.status_code,
                content_type=response.headers.get("content-type"),
                body_excerpt=response.content[:200].decode("utf-8", errors="replace"),
                request_id=request_id,
                operation=operation,
                response_id=response_id_of(data),
            ) from exc

    def _url(self, path: str) -> httpx.URL:
        """The absolute URL of an operation, built once (httpx would join base URL and path on every call)."""
        url = self._urls.get(path)
        if url is None:
            base = httpx.URL(self.base_url)
            url = self._urls[path] = base.copy_with(raw_path=base.raw_path.rstrip(b"/") + path.encode("ascii"))
        return url

    def _page_repeated(self, operation_id: str, page: int) -> None:
        raise UnexpectedResponseError(
            f"{operation_id} answered page {page} with the rows of page {page - 1}: the service ignores the page "
            "number, so paging stopped instead of going on forever. Report it, quoting the responseIDs.",
            status_code=200,
            content_type=None,
            body_excerpt="",
            operation=operation_id,
        )

    def _httpx_kwargs(self) -> dict[str, Any]:
        # Our User-Agent as the client's default (the transport would otherwise replace httpx's on every call).
        headers = httpx.Headers({"User-Agent": user_agent()})
        headers.update(self._httpx_args.get("headers") or {})
        return {
            "base_url": self.base_url,
            "timeout": self.timeout,
            "transport": self._transport,
            **self._httpx_args,
            "headers": headers,
        }


def _connection_error(operation: str, exc: httpx.HTTPError) -> APIConnectionError:
    return APIConnectionError(f"{operation} could not be sent: {type(exc).__name__}: {exc}", operation=operation)
