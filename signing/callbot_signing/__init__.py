"""Signing, verification, typed errors and retries for the NXCloud Callbot v3 API client."""

from ._async_client import AsyncCallbot
from ._auth import CallbotAuth
from ._client import Callbot
from ._connect import PlainHTTPWarning, connect
from ._delivery import Delivery
from ._envelope import ErrorReply
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BatchInProgressError,
    CallbotError,
    InvalidRequestError,
    PermissionDeniedError,
    ResponseTooLargeError,
    ServiceUnavailableError,
    SignatureError,
    SignatureRejectedError,
    UnexpectedResponseError,
)
from ._logging import configure_logging_from_env
from ._receiver import WebhookReceiver
from ._redis_store import RedisReplayStore, ReplayStoreUnavailableError
from ._replay import (
    Claim,
    ClaimingReplayStore,
    MemoryReplayStore,
    ReplayGuardFullError,
    ReplayStore,
    ScopedReplayStore,
)
from ._retry import RetryPolicy
from ._secret import SecretKey
from ._signature import sign, signature_headers
from ._transport import CallbotTransport
from ._verify import verify_response
from ._version import __version__
from ._webhooks import (
    InvalidWebhookError,
    ReplayGuard,
    Webhook,
    WebhookKind,
    parse_webhook,
    verify_webhook,
    webhook_kind,
)

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AsyncCallbot",
    "AuthenticationError",
    "BatchInProgressError",
    "Callbot",
    "CallbotAuth",
    "CallbotError",
    "CallbotTransport",
    "Claim",
    "ClaimingReplayStore",
    "Delivery",
    "ErrorReply",
    "InvalidRequestError",
    "InvalidWebhookError",
    "MemoryReplayStore",
    "PermissionDeniedError",
    "PlainHTTPWarning",
    "RedisReplayStore",
    "ReplayGuard",
    "ReplayGuardFullError",
    "ReplayStore",
    "ReplayStoreUnavailableError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ScopedReplayStore",
    "SecretKey",
    "ServiceUnavailableError",
    "SignatureError",
    "SignatureRejectedError",
    "UnexpectedResponseError",
    "Webhook",
    "WebhookKind",
    "WebhookReceiver",
    "__version__",
    "connect",
    "parse_webhook",
    "sign",
    "signature_headers",
    "verify_response",
    "verify_webhook",
    "webhook_kind",
]

for _name in __all__:  # tracebacks, reprs and pickles name the public home: nxcloud_callbot.InvalidRequestError
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("callbot_signing._"):
        _obj.__module__ = "nxcloud_callbot"
del _name, _obj

configure_logging_from_env()
