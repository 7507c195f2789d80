"""The exceptions of the signing layer."""

from __future__ import annotations


class CallbotError(Exception):
    """Base class of every error this package raises.

    The attributes hold what is known about the failed call (None when unknown), so that a caller can
    log it or quote ``response_id`` to NXCloud support.
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


class SignatureError(CallbotError):
    """A signed message (a response or a webhook) failed our verification.

    ``rule`` names the check that failed: ``missing_header``, ``request_id_echo``, ``uuid_echo``,
    ``bad_algorithm``, ``bad_create_ts``, ``clock_skew`` or ``sign_mismatch``.
    """

    def __init__(self, message: str, *, rule: str, request_id: str | None = None) -> None:
        super().__init__(message, request_id=request_id)
        self.rule = rule
