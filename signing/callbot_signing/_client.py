"""Callbot: the Callbot v3 API from synchronous code, one typed method per operation of the spec.

A call is told by three modules: this one (``_call``: the body encoded and sent; the answer made the response
model, an ErrorReply or an error by ``_client_base._Base._result``), ``_transport.py`` (each attempt: signed,
sent, read within bounds) and ``_judge.py`` (what the attempt comes to: the answer, a retry, or a typed error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Never, Self, overload

import httpx
from callbot_client.api import SyncOperations

from ._client_base import _E, _M, _Base, _connection_error
from ._connect import encode_body
from ._constants import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._cookieless import json_request, sync_client
from ._envelope import ErrorReply
from ._pool import closed_error
from ._secret import SecretKey


class Callbot(_Base[_E], SyncOperations[_E]):
    """The Callbot v3 API: one method per operation, signed, verified, retried and typed.

    ``Callbot()`` reads what is not given from the environment: ``CALLBOT_BASE_URL`` (default
    ``https://nxbot.nxcloud.com``), ``CALLBOT_UUID``, ``CALLBOT_SECRET_KEY``, ``CALLBOT_ALGORITHM`` (default
    MD5). ``timeout`` (seconds) bounds each attempt as a whole; ``max_retries`` retries what is safe to
    retry; answers over ``max_response_bytes`` raise ``ResponseTooLargeError``. A non-zero retCode raises
    the matching ``CallbotError`` subclass; with ``raise_on_error=False`` the method returns an
    :class:`ErrorReply` instead (and its type says so). Use it as a context manager, or call ``close()``.
    """

    @overload
    def __init__(
        self: Callbot[Never],
        base_url: str | None = None,
        uuid: str | None = None,
        secret_key: str | SecretKey | None = None,
        *,
        algorithm: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        verify_responses: bool = True,
        check_response_schemas: bool = True,
        raise_on_error: Literal[True] = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        httpx_args: Mapping[str, Any] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Callbot[ErrorReply],
        base_url: str | None = None,
        uuid: str | None = None,
        secret_key: str | SecretKey | None = None,
        *,
        algorithm: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        verify_responses: bool = True,
        check_response_schemas: bool = True,
        raise_on_error: Literal[False],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        httpx_args: Mapping[str, Any] | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: Callbot[ErrorReply],
        base_url: str | None = None,
        uuid: str | None = None,
        secret_key: str | SecretKey | None = None,
        *,
        algorithm: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        verify_responses: bool = True,
        check_response_schemas: bool = True,
        raise_on_error: bool,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        httpx_args: Mapping[str, Any] | None = None,
    ) -> None: ...

    def __init__(
        self,
        base_url: str | None = None,
        uuid: str | None = None,
        secret_key: str | SecretKey | None = None,
        *,
        algorithm: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        verify_responses: bool = True,
        check_response_schemas: bool = True,
        raise_on_error: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        httpx_args: Mapping[str, Any] | None = None,
    ) -> None:
        try:  # first, so that no frame of a failed construction holds the key as plain text
            key = None if secret_key is None else SecretKey(secret_key)
        finally:
            del secret_key
        super().__init__(
            base_url,
            uuid,
            key,
            algorithm=algorithm,
            timeout=timeout,
            max_retries=max_retries,
            verify_responses=verify_responses,
            check_response_schemas=check_response_schemas,
            raise_on_error=raise_on_error,
            max_response_bytes=max_response_bytes,
            httpx_args=httpx_args,
        )
        self._transport.check_serves("sync")
        self._http: httpx.Client | None = None

    def _reset(self) -> None:
        self._http = None

    def _client(self) -> httpx.Client:
        http = self._http  # read once: close() in another thread may set it to None meanwhile
        if http is None:
            with self._lock:  # threads may share a client: one pool, not one per first caller
                http = self._http
                if http is None:
                    http = self._http = sync_client(self._httpx_kwargs())
        return http

    def with_options(self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None) -> Self:
        """A client with other options over the same connection pool; this one is left unchanged. Close the
        original when done (closing the copy leaves the shared pool open)."""
        return self._derive(timeout, max_retries)

    def close(self) -> None:
        """Close the connections (those of ``with_options`` copies too); the client opens new ones if used again."""
        with self._lock:  # several threads may close at once
            http, self._http = self._http, None
        if http is not None:
            http.close()  # closes the transport, and so the pool
        else:
            self._transport.close()  # the pool may have been opened by a with_options copy

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, operation: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        content = encode_body(body, operation)
        http = self._client()
        try:
            if headers:  # an operation with header parameters (importBatchCall's Content-Encoding)
                return http.post(
                    self._url(path), content=content, headers={"Content-Type": "application/json", **headers}
                )
            return http.send(json_request(http, self._url(path), content))
        except httpx.HTTPError as exc:  # what the transport does not see (an invalid URL, say)
            raise _connection_error(operation, exc) from exc
        except RuntimeError as exc:  # httpx's "the client has been closed": close() ran since _client()
            if http.is_closed:
                raise closed_error(operation) from exc
            raise

    def _call(
        self, operation_id: str, path: str, body: dict[str, Any], response_model: type[_M], headers: dict[str, str]
    ) -> _M | _E:
        response = self._send(operation_id, path, body, headers)
        return self._result(response, operation_id, response_model, or_raise=False)

    def _call_or_raise(
        self, operation_id: str, path: str, body: dict[str, Any], response_model: type[_M], headers: dict[str, str]
    ) -> _M:
        response = self._send(operation_id, path, body, headers)
        return self._result(response, operation_id, response_model, or_raise=True)  # type: ignore[return-value]
