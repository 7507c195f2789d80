"""CallbotAuth: the account's credentials and settings, and the signed headers of every attempt.

Like httpx's own auth classes it only adds what a request needs: per attempt, a fresh requestID and
createTs and the sign over the exact body bytes. What an answer means is judged in ``_judge.py``, which reads
the settings held here; used alone as an ``httpx.Auth`` on any httpx client, the auth flows below ask it too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator

import httpx

from ._constants import (
    ATTEMPT_EXTENSION,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    REQUEST_ID_EXTENSION,
    REQUEST_ID_HEADER,
    STARTED_EXTENSION,
)
from ._httpx_private import set_headers
from ._judge import judge_attempt
from ._retry import NO_RETRIES, RetryPolicy
from ._secret import SecretKey
from ._settings import check_seconds
from ._signature import normalize_algorithm, signature_headers


def check_uuid(uuid: str) -> str:
    """The uuid as given, or ValueError when it cannot be a console uuid (empty, whitespace, control chars)."""
    if not isinstance(uuid, str) or not uuid:
        raise ValueError("uuid is empty: use the account uuid shown in the NXCloud console under Developer")
    if uuid != uuid.strip() or not uuid.isprintable() or not uuid.isascii():
        raise ValueError(
            f"uuid {uuid!r} has whitespace, a control character or non-ASCII text (a newline from a file or an "
            "environment variable?): copy it again from the NXCloud console under Developer"
        )
    return uuid


class CallbotAuth(httpx.Auth):
    """An ``httpx.Auth`` for the Callbot v3 API.

    Per attempt it picks a fresh requestID (uuid4 hex) and createTs (Unix seconds) and sends requestID,
    uuid, createTs, sign and algorithm, signed over the exact body bytes. With ``verify_responses`` every
    2xx answer must carry a valid signature of its own body, echo requestID and uuid, and have a createTs
    within ``max_clock_skew`` seconds, or :class:`SignatureError` is raised. An answer that is not a JSON
    object, has an undocumented HTTP status or does not fit the operation's schema raises
    :class:`UnexpectedResponseError`; with ``raise_on_error`` a non-zero retCode (Ping: code) raises the
    matching :class:`CallbotError` subclass. ``retry`` says which faults are retried (none by default;
    ``connect()`` and ``Callbot`` set 2 retries). With ``check_response_schemas=False`` a signed answer that
    does not fit the spec is accepted when its response model can still be built from it, and a warning
    naming the operation and the field is logged once per operation (the envelope and the signature are
    always checked).
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(
        self,
        uuid: str,
        secret_key: str | SecretKey,
        algorithm: str = DEFAULT_ALGORITHM,
        verify_responses: bool = True,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
        *,
        raise_on_error: bool = True,
        check_response_schemas: bool = True,
        retry: RetryPolicy = NO_RETRIES,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        try:  # first, so that no frame of a failed construction holds the key as plain text
            self._secret_key = SecretKey(secret_key)
        finally:
            del secret_key
        self.uuid = check_uuid(uuid)
        self.algorithm = normalize_algorithm(algorithm)
        self.verify_responses = verify_responses
        self.max_clock_skew = check_seconds("max_clock_skew", max_clock_skew)
        self.raise_on_error = raise_on_error
        self.check_response_schemas = check_response_schemas
        self._misfits_logged: set[str] = set()  # operations whose misfit answer was logged (shared by copies)
        if not isinstance(retry, RetryPolicy):
            raise TypeError(
                f"retry must be a RetryPolicy (e.g. RetryPolicy(max_retries={retry!r})), got {type(retry).__name__}"
                if isinstance(retry, int) and not isinstance(retry, bool)
                else f"retry must be a RetryPolicy, got {type(retry).__name__}"
            )
        self.retry = retry
        self._clock = clock
        self.sleep = sleep
        self.async_sleep = async_sleep

    def __repr__(self) -> str:  # getattr: a half-built object (a failed __init__) is rendered in tracebacks too
        shown = (
            "uuid", "algorithm", "verify_responses", "max_clock_skew", "raise_on_error", "check_response_schemas",
            "retry",
        )  # fmt: skip
        settings = ", ".join(f"{name}={getattr(self, name, '?')!r}" for name in shown)
        return f"CallbotAuth({settings}, secret_key='***')"

    def sign_request(self, request: httpx.Request) -> str:
        """Stamp fresh signature headers on ``request`` (its body must be read); return its requestID."""
        headers = signature_headers(
            self._secret_key, request.content, self.uuid, self.algorithm, create_ts=str(int(self._clock()))
        )
        set_headers(request.headers, headers)  # one pass: Headers.update() builds a second Headers first
        request.extensions[REQUEST_ID_EXTENSION] = headers[REQUEST_ID_HEADER]
        request.extensions[ATTEMPT_EXTENSION] = request.extensions.get(ATTEMPT_EXTENSION, 0) + 1
        request.extensions[STARTED_EXTENSION] = time.perf_counter()
        return headers[REQUEST_ID_HEADER]

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        while True:
            self.sign_request(request)
            response = yield request
            response.read()
            verdict = judge_attempt(self, request, response)
            if isinstance(verdict, httpx.Response):
                return
            self.sleep(verdict)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        while True:
            self.sign_request(request)
            response = yield request
            await response.aread()
            verdict = judge_attempt(self, request, response)
            if isinstance(verdict, httpx.Response):
                return
            await self.async_sleep(verdict)

    def judge(self, request: httpx.Request, response: httpx.Response) -> float | None:
        """None when ``response`` (whose body is read) is the answer; seconds to wait before a retry; or raise
        a CallbotError (see ``_judge.judge_attempt``)."""
        verdict = judge_attempt(self, request, response)
        return None if isinstance(verdict, httpx.Response) else verdict

    def transport_error(self, request: httpx.Request, exc: Exception) -> float:
        """Seconds to wait before retrying after ``exc`` (an httpx.TransportError or DecodingError); or
        raise the typed error for it (see ``_judge.judge_attempt``)."""
        return judge_attempt(self, request, exc)
