"""Signing, verification, typed errors and retries for the NXCloud Callbot v3 API client.

The names are imported on first use (PEP 562): ``import callbot_signing`` loads the errors and reads
CALLBOT_LOG, and ``from callbot_signing import Callbot`` loads what a call needs, not the async client, the
webhook receiver or the Redis store. Type checkers and ``make compat`` read the TYPE_CHECKING imports.
"""

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from ._async_client import AsyncCallbot
    from ._auth import CallbotAuth
    from ._client import Callbot
    from ._connect import PlainHTTPWarning, connect
    from ._delivery import Delivery
    from ._envelope import ErrorReply
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

#: Where each name but the errors (imported above) is defined: its module is imported on first use.
_HOMES = {
    "AsyncCallbot": "._async_client",
    "CallbotAuth": "._auth",
    "Callbot": "._client",
    "PlainHTTPWarning": "._connect",
    "connect": "._connect",
    "Delivery": "._delivery",
    "ErrorReply": "._envelope",
    "WebhookReceiver": "._receiver",
    "RedisReplayStore": "._redis_store",
    "ReplayStoreUnavailableError": "._redis_store",
    "Claim": "._replay",
    "ClaimingReplayStore": "._replay",
    "MemoryReplayStore": "._replay",
    "ReplayGuardFullError": "._replay",
    "ReplayStore": "._replay",
    "ScopedReplayStore": "._replay",
    "RetryPolicy": "._retry",
    "SecretKey": "._secret",
    "sign": "._signature",
    "signature_headers": "._signature",
    "CallbotTransport": "._transport",
    "verify_response": "._verify",
    "__version__": "._version",
    "InvalidWebhookError": "._webhooks",
    "ReplayGuard": "._webhooks",
    "Webhook": "._webhooks",
    "WebhookKind": "._webhooks",
    "parse_webhook": "._webhooks",
    "verify_webhook": "._webhooks",
    "webhook_kind": "._webhooks",
}


def _name_public_classes() -> None:
    """Tracebacks, reprs and pickles name the public home, ``nxcloud_callbot.InvalidRequestError``: every public
    class of a module imported so far gets that ``__module__`` (run at import and after each lazy import)."""
    for name in __all__:
        module = sys.modules.get(f"{__name__}{_HOMES[name]}") if name in _HOMES else sys.modules[__name__]
        obj = getattr(module, name, None) if module is not None else None
        if isinstance(obj, type) and obj.__module__.startswith("callbot_signing._"):
            obj.__module__ = "nxcloud_callbot"


def _lazy_attribute(name: str) -> Any:
    """A public name, its module imported on first use and the name kept here for the next lookup."""
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    _name_public_classes()
    return value


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag a misspelled name
    __getattr__ = _lazy_attribute


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


_name_public_classes()
configure_logging_from_env()
