"""CallbotAuth: signs every request and verifies every successful response, for httpx."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from uuid import uuid4

import httpx

from ._constants import (
    ALGORITHM_HEADER,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from ._signature import normalize_algorithm, sign
from ._verify import verify_response


class CallbotAuth(httpx.Auth):
    """An ``httpx.Auth`` that stamps the Callbot signature headers over the exact request body bytes.

    Per request it picks a fresh requestID (uuid4 hex) and createTs (Unix seconds) and sends requestID,
    uuid, createTs, sign and algorithm. With ``verify_responses`` every 2xx response must carry a valid
    signature of its own body, echo requestID and uuid, and have a createTs within ``max_clock_skew``
    seconds; otherwise :class:`SignatureError` is raised. Works with sync and async httpx clients.
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
        clock: Callable[[], float] = time.time,
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
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"CallbotAuth(uuid={self.uuid!r}, secret_key='***', algorithm={self.algorithm!r}, "
            f"verify_responses={self.verify_responses!r}, max_clock_skew={self.max_clock_skew!r})"
        )

    def sign_request(self, request: httpx.Request) -> str:
        """Stamp the signature headers on ``request`` (its body must be read) and return its requestID."""
        request_id = uuid4().hex
        create_ts = str(int(self._clock()))
        request.headers[REQUEST_ID_HEADER] = request_id
        request.headers[UUID_HEADER] = self.uuid
        request.headers[CREATE_TS_HEADER] = create_ts
        request.headers[ALGORITHM_HEADER] = self.algorithm
        request.headers[SIGN_HEADER] = sign(
            self._secret_key, request.content, create_ts, request_id, self.uuid, self.algorithm
        )
        return request_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request_id = self.sign_request(request)
        response = yield request
        if self.verify_responses and response.is_success:
            verify_response(
                response.headers,
                response.content,
                request_id=request_id,
                uuid=self.uuid,
                secret_key=self._secret_key,
                algorithm=self.algorithm,
                max_clock_skew=self.max_clock_skew,
                now=self._clock(),
            )
