"""AsyncCallbot: the asyncio twin of Callbot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Never, Self, overload

import httpx
from callbot_client.api import AsyncOperations

from ._client_base import _E, _M, _Base, _connection_error
from ._connect import encode_body
from ._constants import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
)
from ._cookieless import async_client, json_request
from ._envelope import ErrorReply
from ._pool import closed_error
from ._secret import SecretKey


class AsyncCallbot(_Base[_E], AsyncOperations[_E]):
    """The asyncio twin of :class:`Callbot`: the same methods, awaited; ``async with`` or ``aclose()``."""

    @overload
    def __init__(
        self: AsyncCallbot[Never],
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
        self: AsyncCallbot[ErrorReply],
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
        self: AsyncCallbot[ErrorReply],
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
        self._transport.check_serves("async")
        self._http: httpx.AsyncClient | None = None

    def _reset(self) -> None:
        self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = async_client(self._httpx_kwargs())
        return self._http

    def with_options(self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None) -> Self:
        """A client with other options over the same connection pool; this one is left unchanged."""
        return self._derive(timeout, max_retries)

    async def aclose(self) -> None:
        """Close the connections (those of ``with_options`` copies too); the client opens new ones if used again."""
        http, self._http = self._http, None  # another task may aclose() meanwhile
        if http is not None:
            await http.aclose()
        else:
            await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(self, operation: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        content = encode_body(body, operation)
        http = self._client()
        try:
            if headers:  # an operation with header parameters (importBatchCall's Content-Encoding)
                return await http.post(
                    self._url(path), content=content, headers={"Content-Type": "application/json", **headers}
                )
            return await http.send(json_request(http, self._url(path), content))
        except httpx.HTTPError as exc:
            raise _connection_error(operation, exc) from exc
        except RuntimeError as exc:  # httpx's "the client has been closed": aclose() ran since _client()
            if http.is_closed:
                raise closed_error(operation) from exc
            raise

    async def _call(
        self, operation_id: str, path: str, body: dict[str, Any], response_model: type[_M], headers: dict[str, str]
    ) -> _M | _E:
        response = await self._send(operation_id, path, body, headers)
        return self._result(response, operation_id, response_model, or_raise=False)

    async def _call_or_raise(
        self, operation_id: str, path: str, body: dict[str, Any], response_model: type[_M], headers: dict[str, str]
    ) -> _M:
        response = await self._send(operation_id, path, body, headers)
        return self._result(response, operation_id, response_model, or_raise=True)  # type: ignore[return-value]
