"""The exceptions of the signing layer, and the retCode table that picks one."""

from __future__ import annotations

from typing import Any, Final


class CallbotError(Exception):
    """Base class of every error this package raises.

    The attributes hold what is known about the failed call (None when unknown): quote ``response_id``
    (and ``request_id``) to NXCloud support.
    """

    def __init__(
        self,
        message: str,
        *,
        ret_code: int | None = None,
        ret_msg: str | None = None,
        response_id: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.response_id = response_id
        self.request_id = request_id
        self.operation = operation

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
    ) -> None:
        super().__init__(message, request_id=request_id, operation=operation, response_id=response_id)
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


def error_for_ret_code(
    ret_code: int,
    ret_msg: str | None,
    *,
    response_id: str | None,
    request_id: str | None,
    operation: str | None,
    note: str = "",
) -> CallbotError:
    """The typed exception for a non-zero retCode, with a message that says what to do (``note`` adds what
    the client saw, e.g. that the reply could not be verified; ``ret_msg`` stays the service's text)."""
    cls, meaning, action = RET_CODES.get(ret_code, (CallbotError, "undocumented retCode", "see retMsg"))
    message = (
        f"{operation or 'the call'} failed with retCode {ret_code} ({meaning}): {ret_msg!r}"
        f"{f' ({note})' if note else ''}. To do: {action}. responseID={response_id} requestID={request_id}"
    )
    return cls(
        message,
        ret_code=ret_code,
        ret_msg=ret_msg,
        response_id=response_id,
        request_id=request_id,
        operation=operation,
    )
