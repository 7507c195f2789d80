"""What one attempt comes to: the answer, a wait before the next attempt, or the typed error it becomes.

One entry point, :func:`judge_attempt`, used by every loop that makes attempts: ``CallbotTransport`` (under
``Callbot``, ``AsyncCallbot`` and ``connect()``), which reads answers within bounds first, and
``CallbotAuth``'s own auth flows on any httpx client. For an answer it checks, in this order: the HTTP status
(only 200 is documented), the signature (``_answer_signature.py``, when ``verify_responses`` is on), the body
(a JSON object, decoded within memory bounds), the envelope, the retCode, and the operation's schema. Whether
a failed attempt is tried again is asked of ``_retry.decide_retry``, and logged with its reason.

One call of a ``Callbot`` method is told by three modules: ``_client.py`` (the body encoded and sent, the
answer made the method's result by ``_client_base.py``, which it shares with ``_async_client.py``),
``_transport.py`` (each attempt: signed, sent, read within bounds) and this one.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol, overload

import callbot_client.models
import httpx

from ._answer_signature import Credentials, check_answer_signature
from ._constants import (
    ATTEMPT_EXTENSION,
    ENVELOPE_EXTENSION,
    JSON_EXTENSION,
    LOGGER_NAME,
    REQUEST_ID_EXTENSION,
    REQUEST_ID_HEADER,
    STARTED_EXTENSION,
)
from ._envelope import EnvelopeError, read_envelope
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    error_for_ret_code,
    may_be_carried_out,
    outcome_unknown_advice,
    unexpected_answer,
)
from ._json import json_object, too_dense
from ._retry import Attempt, RetryPolicy, TransportFault, decide_retry, operation_of, transport_fault_of
from ._schemas import envelope_keys, response_model_name, schema_problem

logger = logging.getLogger(LOGGER_NAME)


class Settings(Credentials, Protocol):
    """What judging reads from the ``CallbotAuth`` of the call, at each attempt (so that a setting changed on
    it applies from the next one): besides the credentials, whether answers are verified, whether a non-zero
    retCode raises, whether answers are checked against the spec, the retry policy, and the operations whose
    misfit answer was logged already (shared by the copies of an auth)."""

    verify_responses: bool
    raise_on_error: bool
    check_response_schemas: bool
    retry: RetryPolicy
    _misfits_logged: set[str]


@overload
def judge_attempt(auth: Settings, request: httpx.Request, outcome: httpx.Response) -> httpx.Response | float: ...
@overload
def judge_attempt(auth: Settings, request: httpx.Request, outcome: Exception) -> float: ...
def judge_attempt(
    auth: Settings, request: httpx.Request, outcome: httpx.Response | Exception
) -> httpx.Response | float:
    """What the attempt that gave ``outcome`` comes to.

    ``outcome`` is the response (its body read) or the fault that ended the attempt below HTTP (an
    httpx.TransportError or DecodingError). Returns the response when it is the answer, its decoded JSON then
    under ``response.extensions[JSON_EXTENSION]`` and its envelope under ``ENVELOPE_EXTENSION``; or the seconds
    to wait before the next attempt; or raises the CallbotError the attempt becomes.
    """
    if isinstance(outcome, Exception):
        return _judge_fault(auth, request, outcome)
    response = outcome
    operation = operation_of(request)
    request_id: str = request.extensions[REQUEST_ID_EXTENSION]
    status = response.status_code
    if status != 200:  # the only status the API documents; a 201 or 299 is not a Callbot answer either
        _log(request, status=status)
        delay = _retry_wait(auth, request, status=status, retry_after=response.headers.get("retry-after"))
        if delay is not None:
            return delay
        hint = (
            " (is base_url the service's root, e.g. https://nxbot.nxcloud.com? The client adds "
            "/callcentre/api/v3/<operation> itself)"
            if status in (404, 405)
            else ""
        )
        what = f"HTTP {status} from {request.url} (the API documents only 200){hint}"
        raise unexpected_answer(response, what, request_id, operation)
    if auth.verify_responses:
        check_answer_signature(auth, response, request_id, operation)
    data = _decode(response, request_id, operation)
    try:
        envelope = read_envelope(data, envelope_keys(request.url.path))
    except EnvelopeError as exc:
        raise unexpected_answer(response, f"an answer whose {exc}", request_id, operation, data, exc.field) from None
    _log(request, status=status, ret_code=envelope.ret_code)
    if envelope.ret_code != 0:
        code = envelope.ret_code
        delay = _retry_wait(
            auth, request, status=status, ret_code=code, retry_after=response.headers.get("retry-after")
        )
        if delay is not None:
            return delay
        if auth.raise_on_error:
            raise error_for_ret_code(
                code, envelope.ret_msg, response_id=envelope.response_id, request_id=request_id, operation=operation
            )
    else:
        problem = schema_problem(request.url.path, data)
        if problem is not None:
            _misfit(auth, request, response, request_id, operation, data, problem)
    response.extensions[JSON_EXTENSION] = data
    response.extensions[ENVELOPE_EXTENSION] = envelope
    return response


def _judge_fault(auth: Settings, request: httpx.Request, exc: Exception) -> float:
    """Seconds to wait before retrying after ``exc``; or raise the typed error for it."""
    _log(request, error=type(exc).__name__)
    fault = transport_fault_of(exc)
    delay = _retry_wait(auth, request, fault=fault, detail=type(exc).__name__)
    if delay is not None:
        return delay
    operation = operation_of(request)
    attempts = request.extensions.get(ATTEMPT_EXTENSION, 1)
    where = f"{request.url.scheme}://{request.url.netloc.decode('ascii', errors='replace')}"
    error_cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    unknown = fault == "read" and may_be_carried_out(operation)
    raise error_cls(
        f"{operation} to {where} failed after {attempts} attempt(s): {type(exc).__name__}: {exc or 'no detail'}. "
        "Check the base URL and the network; raise the timeout if the service is slow."
        + (" " + outcome_unknown_advice(operation, " before the fault") if unknown else ""),
        request_id=request.headers.get(REQUEST_ID_HEADER),
        operation=operation,
        outcome_unknown=unknown,
    ) from exc


def _decode(response: httpx.Response, request_id: str, operation: str) -> dict[str, Any]:
    """The body as a JSON object, refused when it is too dense to decode within memory bounds."""
    values = too_dense(response.content)
    if values is not None:
        what = (
            f"a body of {len(response.content):,} bytes with up to {values:,} JSON values, too dense to decode "
            "within memory bounds (no Callbot answer is)"
        )
        raise unexpected_answer(response, what, request_id, operation)
    data = json_object(response.content)
    if data is None:
        raise unexpected_answer(
            response, "a body that is not a JSON object (empty, cut short, or not UTF-8?)", request_id, operation
        )
    return data


def _misfit(
    auth: Settings,
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
    if auth.check_response_schemas:
        raise unexpected_answer(response, what, request_id, operation, data, field_path)
    failure = _model_failure(request.url.path, data)
    if failure is not None:
        what += f"; its response model cannot be built from it either ({failure})"
        raise unexpected_answer(response, what, request_id, operation, data, field_path)
    if operation not in auth._misfits_logged:
        auth._misfits_logged.add(operation)
        logger.warning(
            "%s: accepted an answer that does not fit the spec at %s (%s), since check_response_schemas is "
            "off; logged once per operation. requestID=%s",
            operation, field_path, message, request_id,
        )  # fmt: skip


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


def _retry_wait(
    auth: Settings,
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
    attempt = Attempt(operation, request.extensions.get(ATTEMPT_EXTENSION, 1), status, ret_code, fault, retry_after)
    decision = decide_retry(auth.retry, attempt)
    if decision.wait is None:
        logger.debug("%s: not retried: %s%s", operation, decision.reason, f" ({detail})" if detail else "")
    else:
        logger.info(
            "%s: retrying in %.2f s after %s%s", operation, decision.wait, decision.reason,
            f" ({detail})" if detail else "",
        )  # fmt: skip
    return decision.wait


def _log(request: httpx.Request, *, status: int | None = None, ret_code: Any = None, error: str = "") -> None:
    """One DEBUG record per attempt (never the sign or the key)."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    elapsed_ms = (time.perf_counter() - request.extensions.get(STARTED_EXTENSION, time.perf_counter())) * 1000
    logger.debug(
        "%s attempt=%d requestID=%s status=%s retCode=%s elapsed_ms=%.1f%s",
        operation_of(request),
        request.extensions.get(ATTEMPT_EXTENSION, 1),
        request.headers.get(REQUEST_ID_HEADER),
        status,
        ret_code,
        elapsed_ms,
        f" error={error}" if error else "",
    )
