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
from ._signature import sign, signature_headers
from ._verify import verify_response
from ._webhooks import InvalidWebhookError, ReplayGuard, Webhook, parse_webhook, verify_webhook, webhook_kind

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BatchInProgressError",
    "CallbotAuth",
    "CallbotError",
    "InvalidRequestError",
    "InvalidWebhookError",
    "PermissionDeniedError",
    "ReplayGuard",
    "RetryPolicy",
    "ServiceUnavailableError",
    "SignatureError",
    "SignatureRejectedError",
    "UnexpectedResponseError",
    "Webhook",
    "connect",
    "parse_webhook",
    "sign",
    "signature_headers",
    "verify_response",
    "verify_webhook",
    "webhook_kind",
]
