"""The exceptions of the signing layer, the retCode table that picks one, and the error an unexpected answer
becomes."""

from __future__ import annotations

from typing import Any, Final

import httpx

from ._constants import BODY_EXCERPT_CHARS
from ._envelope import EnvelopeError, read_envelope, response_id_of
from ._retry import IDEMPOTENT_OPERATIONS, MAYBE_PROCESSED_RET_CODES, NOT_PROCESSED_STATUSES


class CallbotError(Exception):
    """Base class of every error this package raises.

    The attributes hold what is known about the failed call (None when unknown): quote ``response_id``
    (and ``request_id``) to NXCloud support.

    ``outcome_unknown`` is True when an operation that is not idempotent (createTask, addBatchCall,
    createAndCall, importBatchCall) failed in a way that does not show whether the service carried it out:
    the connection broke after the request was sent, the answer was retCode 5001 or an HTTP 5xx (but 503),
    or it could not be verified or read, *including a refusal (retCode 6, 6001, 6002) that is not signed*: an
    intermediary can forward a request and answer a forged refusal. Such a call is never repeated
    automatically; look its result up (listTask, listOrder) before sending it again. False otherwise: the
    answer was a signed refusal, the request never left, or the operation can be repeated safely.
    """

    #: Whether the call may have been carried out although it failed (see the class's description).
    outcome_unknown: bool = False

    def __init__(
        self,
        message: str,
        *,
        ret_code: int | None = None,
        ret_msg: str | None = None,
        response_id: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.response_id = response_id
        self.request_id = request_id
        self.operation = operation
        self.outcome_unknown = outcome_unknown

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle (and copy) every subclass, whatever its constructor's keyword-only arguments: an error
        raised in a worker process reaches the parent as itself."""
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[CallbotError], args: tuple[Any, ...], state: dict[str, Any]) -> CallbotError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InvalidRequestError(CallbotError):
    """retCode 2, 3, 4 or 4001: a parameter is missing, of the wrong type, of a bad value, or too long."""


class SignatureRejectedError(CallbotError):
    """retCode 6 or 6001: the service refused our signature (wrong secret key, algorithm or clock)."""


class AuthenticationError(CallbotError):
    """retCode 6002: the service knows no account with this uuid."""


class PermissionDeniedError(CallbotError):
    """retCode 6003: the account may not use this operation."""


class ServiceUnavailableError(CallbotError):
    """retCode 5, 5001 or 7: maintenance, an internal error or a busy system; retried when safe."""


class BatchInProgressError(CallbotError):
    """retCode 1001: a batch import is in progress, so importing or exporting is not possible now."""


class SignatureError(CallbotError):
    """A signed message from the service (a response or a webhook) failed *our* verification.

    ``rule`` names the check that failed: ``missing_header``, ``request_id_echo``, ``uuid_echo``,
    ``bad_algorithm``, ``algorithm_mismatch``, ``malformed_sign``, ``duplicate_header``, ``bad_request_id``,
    ``bad_create_ts``, ``clock_skew``, ``sign_mismatch`` (webhooks also ``replay``).
    """

    def __init__(self, message: str, *, rule: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.rule = rule


class APIConnectionError(CallbotError):
    """The service could not be reached, or the connection broke before a whole response arrived."""


class APITimeoutError(APIConnectionError):
    """The service did not answer within the timeout."""


class UnexpectedResponseError(CallbotError):
    """An answer that is not what the operation documents: an undocumented HTTP status, a body that is not
    a JSON object, or a JSON body that does not fit the operation's schema (``field_path`` names the first
    field that does not, e.g. ``errList/0/orderID``; ``response_id`` is set when the body has a readable one).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        content_type: str | None,
        body_excerpt: str,
        request_id: str | None = None,
        operation: str | None = None,
        response_id: str | None = None,
        field_path: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(
            message,
            request_id=request_id,
            operation=operation,
            response_id=response_id,
            outcome_unknown=outcome_unknown,
        )
        self.status_code = status_code
        self.content_type = content_type
        self.body_excerpt = body_excerpt
        self.field_path = field_path


class ResponseTooLargeError(UnexpectedResponseError):
    """The answer (before or after decompression) is larger than ``max_response_bytes``; reading stopped there."""


# retCode -> (exception, meaning, what to do). From the retCode table of the Callbot pages.
RET_CODES: Final[dict[int, tuple[type[CallbotError], str, str]]] = {
    1: (CallbotError, "general error", "retry later; quote the responseID to NXCloud support if it persists"),
    2: (InvalidRequestError, "missing parameter", "add the parameter named in retMsg"),
    3: (InvalidRequestError, "parameter format error", "fix the type of the parameter named in retMsg"),
    4: (InvalidRequestError, "invalid parameter value", "fix the value of the parameter named in retMsg"),
    4001: (InvalidRequestError, "too many array elements", "split the request into smaller batches"),
    5: (ServiceUnavailableError, "server maintenance", "retry later"),
    5001: (ServiceUnavailableError, "internal server error", "retry later; quote the responseID if it persists"),
    6: (SignatureRejectedError, "incorrect signature", "check the secret key, the algorithm and the clock (NTP)"),
    6001: (SignatureRejectedError, "missing signature", "send requestID, uuid, createTs and sign headers"),
    6002: (AuthenticationError, "account does not exist", "check the uuid (console -> Developer)"),
    6003: (PermissionDeniedError, "user has no permission", "ask NXCloud to enable this operation"),
    7: (ServiceUnavailableError, "system busy", "retry later, more slowly"),
    1001: (BatchInProgressError, "batch import in progress", "wait for the running import to finish, then retry"),
}


def may_be_carried_out(operation: str | None) -> bool:
    """Whether a failed call of ``operation`` may have been carried out *and* must not be repeated blindly:
    every operation but the idempotent ones (an unknown name included, as the retry rule counts it)."""
    return operation is not None and operation not in IDEMPOTENT_OPERATIONS


def outcome_unknown_advice(operation: str | None, why: str = "") -> str:
    """The sentence that ends the message of an error whose ``outcome_unknown`` is True."""
    return (
        f"Outcome unknown: {operation or 'the call'} may have been carried out{why}, and it is not repeated "
        "automatically: check (listTask, listOrder) before sending it again."
    )


def mark_outcome_unknown(error: CallbotError, why: str = "") -> None:
    """Set ``error.outcome_unknown`` and end its message with :func:`outcome_unknown_advice`."""
    error.outcome_unknown = True
    error.message = f"{error.message} {outcome_unknown_advice(error.operation, why)}"
    error.args = (error.message,)


def error_for_ret_code(
    ret_code: int,
    ret_msg: str | None,
    *,
    response_id: str | None,
    request_id: str | None,
    operation: str | None,
    note: str = "",
    action: str = "",
    unverified: bool = False,
) -> CallbotError:
    """The typed exception for a non-zero retCode, with a message that says what to do (``note`` adds what
    the client saw, e.g. that the reply could not be verified; ``ret_msg`` stays the service's text; ``action``
    replaces the table's "what to do" when the client knows better, e.g. the algorithm the account is set to).

    The error's ``outcome_unknown`` is set, and its message says so, for an operation that is not idempotent
    when the retCode is 5001 (an internal error may come after the work was done) or when the answer is
    ``unverified`` (unsigned, or its signature failed): such a refusal may be an intermediary's forgery."""
    cls, meaning, usual_action = RET_CODES.get(ret_code, (CallbotError, "undocumented retCode", "see retMsg"))
    action = action or usual_action
    unknown = may_be_carried_out(operation) and (unverified or ret_code in MAYBE_PROCESSED_RET_CODES)
    why = (
        " (the refusal is not signed by the service, so it does not prove that nothing was done)" if unverified else ""
    )
    message = (
        f"{operation or 'the call'} failed with retCode {ret_code} ({meaning}): {ret_msg!r}"
        f"{f' ({note})' if note else ''}. To do: {action}."
        f"{' ' + outcome_unknown_advice(operation, why) if unknown else ''} responseID={response_id} "
        f"requestID={request_id}"
    )
    return cls(
        message,
        ret_code=ret_code,
        ret_msg=ret_msg,
        response_id=response_id,
        request_id=request_id,
        operation=operation,
        outcome_unknown=unknown,
    )


def unexpected_answer(
    response: httpx.Response,
    what: str,
    request_id: str,
    operation: str,
    data: Any = None,
    field_path: str | None = None,
) -> UnexpectedResponseError:
    """The error for an answer (its body read) that is not what ``operation`` documents: ``what`` it is, with
    its status, content type, size and first characters; ``data`` is its decoded body when it has one."""
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
