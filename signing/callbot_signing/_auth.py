"""CallbotAuth: the account's settings, the signing of every attempt, and the judgement of every answer.

One place decides what an answer means (:meth:`CallbotAuth.judge`) and whether a failed attempt is retried
(:meth:`CallbotAuth.transport_error` for faults below HTTP, ``judge`` for the rest, both through
``RetryPolicy``). The transport (``_transport.py``, used by ``connect()`` and ``Callbot``) reads answers
within bounds and then asks here; used alone as an ``httpx.Auth`` on any httpx client, the same judgement
applies to answers httpx has read without bounds.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

import callbot_client.models
import httpx

from ._constants import (
    ALGORITHM_HEADER,
    BODY_EXCERPT_CHARS,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    LOGGER_NAME,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
)
from ._envelope import EnvelopeError, read_envelope, response_id_of
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    CallbotError,
    SignatureError,
    UnexpectedResponseError,
    error_for_ret_code,
    mark_outcome_unknown,
    may_be_carried_out,
    outcome_unknown_advice,
)
from ._json import json_object, too_dense
from ._retry import (
    NO_RETRIES,
    NOT_PROCESSED_STATUSES,
    Attempt,
    RetryPolicy,
    TransportFault,
    decide_retry,
    operation_of,
    transport_fault_of,
)
from ._schemas import envelope_keys, response_model_name, schema_problem
from ._secret import SecretKey
from ._settings import check_seconds
from ._signature import normalize_algorithm, signature_headers
from ._verify import verify_response, verify_signed_message

logger = logging.getLogger(LOGGER_NAME)

#: Refusals of our credentials. The service cannot sign them when it does not know the uuid, and with a
#: wrong secret key we cannot verify them: either way they are raised as refusals, but an unverified one of
#: a write that is not idempotent has ``outcome_unknown`` set (a forger may have forwarded the request).
REFUSAL_RET_CODES = frozenset({6, 6001, 6002})

#: ``response.extensions`` key of the decoded, verified and checked JSON body (the generated functions
#: read it there instead of parsing the body a second time).
JSON_EXTENSION = "callbot.json"

#: ``request.extensions`` key of the requestID of the request's current attempt.
REQUEST_ID_EXTENSION = "callbot.request_id"

_ATTEMPT = "callbot.attempt"  # request.extensions keys shared with the transport
_STARTED = "callbot.started"


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

    # --- signing ------------------------------------------------------------------------------------

    def sign_request(self, request: httpx.Request) -> str:
        """Stamp fresh signature headers on ``request`` (its body must be read); return its requestID."""
        headers = signature_headers(
            self._secret_key, request.content, self.uuid, self.algorithm, create_ts=str(int(self._clock()))
        )
        for name, value in headers.items():  # one by one: Headers.update() costs four times as much
            request.headers[name] = value
        request.extensions[REQUEST_ID_EXTENSION] = headers[REQUEST_ID_HEADER]
        request.extensions[_ATTEMPT] = request.extensions.get(_ATTEMPT, 0) + 1
        request.extensions[_STARTED] = time.perf_counter()
        return headers[REQUEST_ID_HEADER]

    # --- as an httpx.Auth on any httpx client: one attempt per loop ------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        while True:
            self.sign_request(request)
            response = yield request
            response.read()
            delay = self.judge(request, response)
            if delay is None:
                return
            self.sleep(delay)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        while True:
            self.sign_request(request)
            response = yield request
            await response.aread()
            delay = self.judge(request, response)
            if delay is None:
                return
            await self.async_sleep(delay)

    # --- what an answer means --------------------------------------------------------------------------

    def judge(self, request: httpx.Request, response: httpx.Response) -> float | None:
        """None when ``response`` (whose body is read) is the answer, its decoded JSON then stored under
        ``response.extensions[JSON_EXTENSION]``; seconds to wait before a retry; or raise a CallbotError."""
        operation = operation_of(request)
        request_id: str = request.extensions[REQUEST_ID_EXTENSION]
        status = response.status_code
        if status != 200:  # the only status the API documents; a 201 or 299 is not a Callbot answer either
            self._log(request, status=status)
            delay = self._retry_wait(request, status=status, retry_after=response.headers.get("retry-after"))
            if delay is not None:
                return delay
            hint = (
                " (is base_url the service's root, e.g. https://nxbot.nxcloud.com? The client adds "
                "/callcentre/api/v3/<operation> itself)"
                if status in (404, 405)
                else ""
            )
            what = f"HTTP {status} from {request.url} (the API documents only 200){hint}"
            raise self._unexpected(response, what, request_id, operation)
        if self.verify_responses:
            self._verify(request, response, request_id, operation)
        data = self._decode(response, request_id, operation)
        try:
            envelope = read_envelope(data, envelope_keys(request.url.path))
        except EnvelopeError as exc:
            raise self._unexpected(response, f"an answer whose {exc}", request_id, operation, data, exc.field) from None
        self._log(request, status=status, ret_code=envelope.ret_code)
        if envelope.ret_code != 0:
            code = envelope.ret_code
            delay = self._retry_wait(
                request, status=status, ret_code=code, retry_after=response.headers.get("retry-after")
            )
            if delay is not None:
                return delay
            if self.raise_on_error:
                raise error_for_ret_code(
                    code,
                    envelope.ret_msg,
                    response_id=envelope.response_id,
                    request_id=request_id,
                    operation=operation,
                )
        else:
            problem = schema_problem(request.url.path, data)
            if problem is not None:
                self._misfit(request, response, request_id, operation, data, problem)
        response.extensions[JSON_EXTENSION] = data
        return None

    def _misfit(
        self,
        request: httpx.Request,
        response: httpx.Response,
        request_id: str,
        operation: str,
        data: dict[str, Any],
        problem: tuple[str, str],
    ) -> None:
        """A verified answer that does not fit the spec: an error, or (``check_response_schemas=False``, and
        the response model can be built from it) a warning logged once per operation."""
        field_path, message = problem
        what = f"an answer that does not fit the spec at {field_path}: {message}"
        if self.check_response_schemas:
            raise self._unexpected(response, what, request_id, operation, data, field_path)
        failure = _model_failure(request.url.path, data)
        if failure is not None:
            what += f"; its response model cannot be built from it either ({failure})"
            raise self._unexpected(response, what, request_id, operation, data, field_path)
        if operation not in self._misfits_logged:
            self._misfits_logged.add(operation)
            logger.warning(
                "%s: accepted an answer that does not fit the spec at %s (%s), since check_response_schemas is "
                "off; logged once per operation. requestID=%s",
                operation, field_path, message, request_id,
            )  # fmt: skip

    def _verify(self, request: httpx.Request, response: httpx.Response, request_id: str, operation: str) -> None:
        """Check the answer's signature.

        A refusal of our credentials (6, 6001, 6002) that is unsigned or fails verification is raised as that
        refusal (with a wrong key no reply can be verified), with ``outcome_unknown`` set for an operation that
        is not idempotent: an intermediary may have forwarded the request and forged the refusal. A refusal
        signed under our key with the *other* algorithm is the service's own (the account's algorithm is not
        ours): it is final, and its message names the algorithm to configure; so is one whose sign matches but
        whose createTs is too far from local time (its sign covers our fresh requestID, so it is no replay).
        Any other answer that fails verification raises its SignatureError (``outcome_unknown`` set likewise)."""
        body = response.content
        try:
            if SIGN_HEADER not in response.headers:
                refusal = _refusal(body)
                if refusal is not None:
                    raise self._refusal_error(refusal, "an unsigned reply", request_id, operation, unverified=True)
                if len(body) <= _REFUSAL_MAX_BYTES and json_object(body) is None:  # a large one is never decoded
                    raise self._unexpected(
                        response, "a 2xx answer that is neither signed nor JSON", request_id, operation
                    )
            self._verify_with(response, request_id, self.algorithm)
        except SignatureError as exc:
            refusal = _refusal(body)
            if refusal is None or exc.rule in ("request_id_echo", "uuid_echo"):
                exc.operation = operation
                if may_be_carried_out(operation):
                    mark_outcome_unknown(exc, " (its answer could not be verified, so it does not show what was done)")
                raise
            clock = "check the clock (NTP): the service refuses a createTs too far from its own time"
            if exc.rule == "clock_skew":  # checked after the sign, which matched: the service's own refusal
                skew = abs(self._signed_create_ts(response, request_id, self.algorithm) - self._clock())
                note = f"signed under this secret key, but its createTs is {skew:.0f} s off local time"
                raise self._refusal_error(refusal, note, request_id, operation, action=clock) from None
            other = _OTHER_ALGORITHM[self.algorithm]
            other_rule = self._failed_rule(response, request_id, other)
            if other_rule in (None, "clock_skew"):  # signed under our key with the other algorithm: the service's
                note = f"the reply is signed with {other} under this secret key: the account is set to {other}"
                action = (
                    f"configure algorithm={other!r} (CALLBOT_ALGORITHM={other}), or set the account to "
                    f"{self.algorithm} in the console"
                )
                if other_rule == "clock_skew":
                    action += f"; and {clock}"
                raise self._refusal_error(refusal, note, request_id, operation, action=action) from None
            rules = {self.algorithm: exc.rule, other: other_rule}
            cause = _likely_cause(response.headers.get(ALGORITHM_HEADER), rules)
            note = f"a reply that could not be verified either: {cause}"
            raise self._refusal_error(refusal, note, request_id, operation, unverified=True) from exc

    def _verify_with(self, response: httpx.Response, request_id: str, algorithm: str) -> None:
        verify_response(
            response.headers,
            response.content,
            request_id=request_id,
            uuid=self.uuid,
            secret_key=self._secret_key,
            algorithm=algorithm,
            max_clock_skew=self.max_clock_skew,
            now=self._clock(),
        )

    def _failed_rule(self, response: httpx.Response, request_id: str, algorithm: str) -> str | None:
        """The rule on which the answer fails verification under our key with ``algorithm``; None when it
        verifies (only asked of a refusal)."""
        try:
            self._verify_with(response, request_id, algorithm)
        except SignatureError as exc:
            return exc.rule
        return None

    def _signed_create_ts(self, response: httpx.Response, request_id: str, algorithm: str) -> int:
        """The createTs of an answer signed under our key with ``algorithm``, whatever its clock skew (read as the
        verification reads it: a header repeated with the same value counts once)."""
        return verify_signed_message(
            response.headers,
            response.content,
            uuid=self.uuid,
            secret_key=self._secret_key,
            algorithm=algorithm,
            max_clock_skew=math.inf,
            now=self._clock(),
            expected_request_id=request_id,
            what="response",
        )

    @staticmethod
    def _refusal_error(
        data: dict[str, Any], note: str, request_id: str, operation: str, *, unverified: bool = False, action: str = ""
    ) -> CallbotError:
        envelope = read_envelope(data)
        return error_for_ret_code(
            envelope.ret_code,
            envelope.ret_msg,
            response_id=envelope.response_id,
            request_id=request_id,
            operation=operation,
            note=note,
            action=action,
            unverified=unverified,
        )

    def _decode(self, response: httpx.Response, request_id: str, operation: str) -> dict[str, Any]:
        values = too_dense(response.content)
        if values is not None:
            what = (
                f"a body of {len(response.content):,} bytes with up to {values:,} JSON values, too dense to decode "
                "within memory bounds (no Callbot answer is)"
            )
            raise self._unexpected(response, what, request_id, operation)
        data = json_object(response.content)
        if data is None:
            raise self._unexpected(
                response, "a body that is not a JSON object (empty, cut short, or not UTF-8?)", request_id, operation
            )
        return data

    # --- faults below HTTP (reported by the transport) ------------------------------------------------

    def transport_error(self, request: httpx.Request, exc: Exception) -> float:
        """Seconds to wait before retrying after ``exc`` (an httpx.TransportError or DecodingError); or
        raise the typed error for it."""
        self._log(request, error=type(exc).__name__)
        delay = self._retry_wait(request, fault=transport_fault_of(exc), detail=type(exc).__name__)
        if delay is not None:
            return delay
        operation = operation_of(request)
        attempts = request.extensions.get(_ATTEMPT, 1)
        where = f"{request.url.scheme}://{request.url.netloc.decode('ascii', errors='replace')}"
        error_cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        unknown = transport_fault_of(exc) == "read" and may_be_carried_out(operation)
        raise error_cls(
            f"{operation} to {where} failed after {attempts} attempt(s): {type(exc).__name__}: {exc or 'no detail'}. "
            "Check the base URL and the network; raise the timeout if the service is slow."
            + (" " + outcome_unknown_advice(operation, " before the fault") if unknown else ""),
            request_id=request.headers.get(REQUEST_ID_HEADER),
            operation=operation,
            outcome_unknown=unknown,
        ) from exc

    # --- helpers -------------------------------------------------------------------------------------

    def _retry_wait(
        self,
        request: httpx.Request,
        *,
        status: int | None = None,
        ret_code: int | None = None,
        fault: TransportFault | None = None,
        retry_after: str | None = None,
        detail: str = "",
    ) -> float | None:
        """Seconds to wait before the next attempt, or None: asks :func:`decide_retry`, logs its reason."""
        operation = operation_of(request)
        attempt = Attempt(operation, request.extensions.get(_ATTEMPT, 1), status, ret_code, fault, retry_after)
        decision = decide_retry(self.retry, attempt)
        if decision.wait is None:
            logger.debug("%s: not retried: %s%s", operation, decision.reason, f" ({detail})" if detail else "")
        else:
            logger.info(
                "%s: retrying in %.2f s after %s%s", operation, decision.wait, decision.reason,
                f" ({detail})" if detail else "",
            )  # fmt: skip
        return decision.wait

    def _unexpected(
        self,
        response: httpx.Response,
        what: str,
        request_id: str,
        operation: str,
        data: Any = None,
        field_path: str | None = None,
    ) -> CallbotError:
        content_type = response.headers.get("content-type")
        excerpt = response.content[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace")
        response_id = response_id_of(data)
        unknown = may_be_carried_out(operation) and _outcome_unreadable(response.status_code, data)
        return UnexpectedResponseError(
            f"{operation} got {what}: HTTP {response.status_code}, content-type {content_type!r}, "
            f"{len(response.content)} bytes, starting {excerpt!r}."
            + (" " + outcome_unknown_advice(operation) if unknown else "")
            + f" requestID={request_id}"
            + (f" responseID={response_id}" if response_id else ""),
            status_code=response.status_code,
            content_type=content_type,
            body_excerpt=excerpt,
            request_id=request_id,
            operation=operation,
            response_id=response_id,
            field_path=field_path,
            outcome_unknown=unknown,
        )

    def _log(self, request: httpx.Request, *, status: int | None = None, ret_code: Any = None, error: str = "") -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        elapsed_ms = (time.perf_counter() - request.extensions.get(_STARTED, time.perf_counter())) * 1000
        logger.debug(
            "%s attempt=%d requestID=%s status=%s retCode=%s elapsed_ms=%.1f%s",
            operation_of(request),
            request.extensions.get(_ATTEMPT, 1),
            request.headers.get(REQUEST_ID_HEADER),
            status,
            ret_code,
            elapsed_ms,
            f" error={error}" if error else "",
        )


def _model_failure(path: str, data: dict[str, Any]) -> str | None:
    """Why the operation's response model cannot be built from ``data``; None when it can (or there is none)."""
    name = response_model_name(path)
    model = getattr(callbot_client.models, name, None) if name else None
    if model is None:
        return None
    try:
        model.from_dict(data)
    except Exception as exc:  # whatever the generated from_dict raises on a misfit
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


#: The largest unsigned or unverifiable body that is decoded, to tell a refusal from anything else.
_REFUSAL_MAX_BYTES = 64 * 1024


def _refusal(body: bytes) -> dict[str, Any] | None:
    """The body, when it is a small JSON refusal of our credentials (retCode 6, 6001 or 6002)."""
    if len(body) > _REFUSAL_MAX_BYTES:
        return None
    data = json_object(body)
    if data is None:
        return None
    try:
        code = read_envelope(data).ret_code
    except EnvelopeError:
        return None
    return data if code in REFUSAL_RET_CODES else None


_OTHER_ALGORITHM = {"MD5": "SHA256", "SHA256": "MD5"}


def _likely_cause(stated: str | None, rules: dict[str, str]) -> str:
    """Why a refusal could not be verified under our key, for its message, claiming only what was compared:
    ``rules`` gives for each algorithm (this client's first) the rule its verification failed on."""
    (ours, our_rule), (other, other_rule) = rules.items()
    compared = [algorithm for algorithm, rule in rules.items() if rule in ("sign_mismatch", "malformed_sign")]
    if compared == [ours, other]:
        return (
            f"its sign matches neither {ours} nor {other} under this secret key ({our_rule}): the secret key is "
            "probably wrong"
        )
    if compared == [ours] and other_rule == "algorithm_mismatch":  # it names this client's algorithm
        return (
            f"it names {ours}, the algorithm of this client, and its sign does not match {ours} under this secret "
            f"key ({our_rule}): the secret key is probably wrong"
        )
    if compared == [other] and our_rule == "algorithm_mismatch":  # it names the other algorithm
        return (
            f"it names {other} (this client signs with {ours}), and its sign does not match {other} under this "
            f"secret key ({other_rule}): the secret key is probably wrong, and the algorithm differs too (the account "
            f"may be set to {other})"
        )
    if our_rule == "bad_algorithm":
        return (
            f"it names the algorithm {(stated or '')[:20]!r}, neither MD5 nor SHA256, so its sign was not compared "
            "(bad_algorithm): the service does not sign that way"
        )
    return f"it is not signed the way the service signs ({our_rule})"


def _outcome_unreadable(status: int, data: Any) -> bool:
    """Whether an unexpected answer leaves open whether the request was carried out: a 200 whose retCode
    is not a readable 0, or an HTTP 5xx other than 503 (the service, or a proxy, may have failed after
    the work); not a 4xx or 429/503, which come before it."""
    if status != 200:
        return status >= 500 and status not in NOT_PROCESSED_STATUSES
    if not isinstance(data, dict):
        return True
    try:
        return read_envelope(data).ret_code != 0
    except EnvelopeError:
        return True
