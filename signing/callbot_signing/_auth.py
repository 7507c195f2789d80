"""CallbotAuth: signs every attempt, verifies every answer, and turns failures into typed errors."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

import httpx

from ._constants import (
    BODY_EXCERPT_CHARS,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    LOGGER_NAME,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
)
from ._errors import APIConnectionError, APITimeoutError, CallbotError, UnexpectedResponseError, error_for_ret_code
from ._retry import (
    MAYBE_PROCESSED_RET_CODES,
    MAYBE_PROCESSED_STATUSES,
    NO_RETRIES,
    NOT_PROCESSED_RET_CODES,
    NOT_PROCESSED_STATUSES,
    RetryPolicy,
    operation_of,
)
from ._signature import normalize_algorithm, signature_headers
from ._verify import verify_response

logger = logging.getLogger(LOGGER_NAME)

#: Refusals of our credentials, which the service may send unsigned: taken at their word, since a forged
#: one can only turn a call into a failure, which dropping the connection could do as well.
UNSIGNED_RET_CODES = frozenset({6, 6001, 6002})

_ATTEMPT = "callbot.attempt"  # request.extensions keys shared with RetryTransport
_STARTED = "callbot.started"


class CallbotAuth(httpx.Auth):
    """An ``httpx.Auth`` for the Callbot v3 API.

    Per attempt it picks a fresh requestID (uuid4 hex) and createTs (Unix seconds) and sends requestID,
    uuid, createTs, sign and algorithm, signed over the exact body bytes. With ``verify_responses`` every
    2xx answer must carry a valid signature of its own body, echo requestID and uuid, and have a createTs
    within ``max_clock_skew`` seconds, or :class:`SignatureError` is raised. An answer that is not a JSON
    object, or has an undocumented HTTP status, raises :class:`UnexpectedResponseError`; with
    ``raise_on_error`` a non-zero retCode (Ping: code) raises the matching :class:`CallbotError` subclass.
    ``retry`` says which faults are retried (none by default; ``connect()`` sets 2 retries).
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        uuid: str,
        secret_key: str,
        algorithm: str = DEFAULT_ALGORITHM,
        verify_responses: bool = True,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        *,
        raise_on_error: bool = True,
        retry: RetryPolicy = NO_RETRIES,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not uuid:
            raise ValueError("uuid is empty: use the account uuid shown in the NXCloud console under Developer")
        if not secret_key:
            raise ValueError("secret_key is empty: use the secret key shown in the NXCloud console under Developer")
        self.uuid = uuid
        self._secret_key = secret_key
        self.algorithm = normalize_algorithm(algorithm)
        self.verify_responses = verify_responses
        self.max_clock_skew = max_clock_skew
        self.raise_on_error = raise_on_error
        self.retry = retry
        self._clock = clock
        self.sleep = sleep
        self.async_sleep = async_sleep

    def __repr__(self) -> str:
        return (
            f"CallbotAuth(uuid={self.uuid!r}, secret_key='***', algorithm={self.algorithm!r}, "
            f"verify_responses={self.verify_responses!r}, max_clock_skew={self.max_clock_skew!r}, "
            f"raise_on_error={self.raise_on_error!r}, retry={self.retry!r})"
        )

    # --- signing ------------------------------------------------------------------------------------

    def sign_request(self, request: httpx.Request) -> str:
        """Stamp fresh signature headers on ``request`` (its body must be read); return its requestID."""
        headers = signature_headers(
            self._secret_key, request.content, self.uuid, self.algorithm, create_ts=str(int(self._clock()))
        )
        for name, value in headers.items():  # one by one: Headers.update() costs four times as much
            request.headers[name] = value
        request.extensions[_ATTEMPT] = request.extensions.get(_ATTEMPT, 0) + 1
        request.extensions[_STARTED] = time.perf_counter()
        return headers[REQUEST_ID_HEADER]

    # --- the flows: one attempt per loop; _judge decides between done, retry and raise ----------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        while True:
            self.sign_request(request)
            response = yield request
            response.read()
            delay = self._judge(request, response)
            if delay is None:
                return
            self.sleep(delay)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        while True:
            self.sign_request(request)
            response = yield request
            await response.aread()
            delay = self._judge(request, response)
            if delay is None:
                return
            await self.async_sleep(delay)

    def _judge(self, request: httpx.Request, response: httpx.Response) -> float | None:
        """None when ``response`` is the answer; seconds to wait before a retry; or raise."""
        operation = operation_of(request)
        request_id = request.headers[REQUEST_ID_HEADER]
        status = response.status_code
        if not response.is_success:
            self._log(request, status=status)
            if status in NOT_PROCESSED_STATUSES or status in MAYBE_PROCESSED_STATUSES:
                delay = self._retry_delay(request, response, maybe_processed=status in MAYBE_PROCESSED_STATUSES)
                if delay is not None:
                    return delay
            raise self._unexpected(response, f"HTTP {status} (the API documents only 200)", request_id, operation)
        body = response.content
        if self.verify_responses:
            if SIGN_HEADER not in response.headers:
                self._raise_for_unsigned(response, request_id, operation)
            verify_response(
                response.headers,
                body,
                request_id=request_id,
                uuid=self.uuid,
                secret_key=self._secret_key,
                algorithm=self.algorithm,
                max_clock_skew=self.max_clock_skew,
                now=self._clock(),
            )
        envelope = _json_object(body)
        if envelope is None:
            raise self._unexpected(
                response, "a body that is not a JSON object (empty or cut short?)", request_id, operation
            )
        ret_code = envelope.get("retCode", envelope.get("code"))  # Ping names its envelope code/msg/reqId
        self._log(request, status=status, ret_code=ret_code)
        if not isinstance(ret_code, int) or ret_code == 0:
            return None
        if ret_code in NOT_PROCESSED_RET_CODES or ret_code in MAYBE_PROCESSED_RET_CODES:
            delay = self._retry_delay(request, response, maybe_processed=ret_code in MAYBE_PROCESSED_RET_CODES)
            if delay is not None:
                return delay
        if self.raise_on_error:
            ret_msg = envelope.get("retMsg", envelope.get("msg"))
            raise error_for_ret_code(
                ret_code,
                ret_msg if isinstance(ret_msg, str) else None,
                response_id=_str_or_none(envelope.get("responseID", envelope.get("reqId"))),
                request_id=request_id,
                operation=operation,
            )
        return None

    def _raise_for_unsigned(self, response: httpx.Response, request_id: str, operation: str) -> None:
        """An unsigned 2xx: not a Callbot reply at all, or the service refusing our credentials (it signs
        nothing when it cannot tell who we are); verify_response raises SignatureError for the rest."""
        envelope = _json_object(response.content)
        if envelope is None:
            raise self._unexpected(response, "a 2xx answer that is neither signed nor JSON", request_id, operation)
        ret_code = envelope.get("retCode", envelope.get("code"))
        if self.raise_on_error and ret_code in UNSIGNED_RET_CODES:
            ret_msg = envelope.get("retMsg", envelope.get("msg"))
            raise error_for_ret_code(
                ret_code,
                f"{ret_msg} (an unsigned reply)",
                response_id=_str_or_none(envelope.get("responseID", envelope.get("reqId"))),
                request_id=request_id,
                operation=operation,
            )

    # --- used by RetryTransport for faults below HTTP ------------------------------------------------

    def transport_error(self, request: httpx.Request, exc: httpx.TransportError) -> float:
        """Seconds to wait before retrying after ``exc``; or raise the typed error for it."""
        self._log(request, error=type(exc).__name__)
        # A failed connect never reached the service; anything later may have been carried out.
        maybe_processed = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        delay = self._retry_delay(request, None, maybe_processed=maybe_processed)
        if delay is not None:
            return delay
        operation = operation_of(request)
        attempts = request.extensions.get(_ATTEMPT, 1)
        where = f"{request.url.scheme}://{request.url.netloc.decode()}"
        error_cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        raise error_cls(
            f"{operation} to {where} failed after {attempts} attempt(s): {type(exc).__name__}: {exc or 'no detail'}. "
            "Check the base URL and the network; raise the timeout if the service is slow.",
            request_id=request.headers.get(REQUEST_ID_HEADER),
            operation=operation,
        ) from exc

    # --- helpers -------------------------------------------------------------------------------------

    def _retry_delay(
        self, request: httpx.Request, response: httpx.Response | None, *, maybe_processed: bool
    ) -> float | None:
        attempt = request.extensions.get(_ATTEMPT, 1)
        if not self.retry.allows(attempt, operation_of(request), maybe_processed=maybe_processed):
            return None
        return self.retry.delay(attempt, response.headers.get("retry-after") if response is not None else None)

    def _unexpected(self, response: httpx.Response, what: str, request_id: str, operation: str) -> CallbotError:
        content_type = response.headers.get("content-type")
        excerpt = response.content[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace")
        return UnexpectedResponseError(
            f"{operation} got {what}: HTTP {response.status_code}, content-type {content_type!r}, "
            f"{len(response.content)} bytes, starting {excerpt!r}. requestID={request_id}",
            status_code=response.status_code,
            content_type=content_type,
            body_excerpt=excerpt,
            request_id=request_id,
            operation=operation,
        )

    def _log(self, request: httpx.Request, *, status: int | None = None, ret_code: Any = None, error: str = "") -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        elapsed_ms = (time.perf_counter() - request.extensions.get(_STARTED, time.perf_counter())) * 1000
        logger.debug(
            "callbot %s attempt=%d requestID=%s status=%s retCode=%s elapsed_ms=%.1f%s",
            operation_of(request),
            request.extensions.get(_ATTEMPT, 1),
            request.headers.get(REQUEST_ID_HEADER),
            status,
            ret_code,
            elapsed_ms,
            f" error={error}" if error else "",
        )


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
