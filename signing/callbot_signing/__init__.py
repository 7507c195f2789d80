"""Signing, verification, typed errors and retries for the NXCloud Callbot v3 API client."""

from ._auth import CallbotAuth
from ._connect import connect
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BatchInProgressError,
    CallbotError,
    InvalidRequestError,
    PermissionDeniedError,
    ServiceUnavailableError,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
)
from ._retry import RetryPolicy
from ._signature import sign
from ._verify import verify_response

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BatchInProgressError",
    "CallbotAuth",
    "CallbotError",
    "InvalidRequestError",
    "PermissionDeniedError",
    "RetryPolicy",
    "ServiceUnavailableError",
    "SignatureError",
    "SignatureRejectedError",
    "UnexpectedResponseError",
    "connect",
    "sign",
    "verify_response",
]
