"""nxcloud-callbot: a client for the NXCloud Callbot v3 API, signed and verified over the exact bytes.

The one import root of the distribution::

    from nxcloud_callbot import Callbot, AsyncCallbot, CallbotError, parse_webhook
    from nxcloud_callbot.models import StopOrderRequest
    from nxcloud_callbot.types import Unset
    from nxcloud_callbot import add_orders, OrderJournal   # orders in bulk, no extra needed

The client, its errors and the webhook functions are those of ``callbot_signing``; the models and types are
those the generator writes into ``callbot_client``. Those names keep working (they are the same objects); this
is where to import from, and the name reprs, tracebacks and pickles give: ``nxcloud_callbot.CallbotError``.

Every name, and the submodules ``nxcloud_callbot.models``, ``.types`` and ``.wire``, is imported on first use
(PEP 562): ``import nxcloud_callbot`` loads the errors only, ``from nxcloud_callbot import Callbot`` what a
call needs, and a call the models it sends and reads. Type checkers read the TYPE_CHECKING imports.
"""

import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

import callbot_signing as _signing

if TYPE_CHECKING:
    # every name of callbot_signing.__all__ (added to __all__ below), re-exported for type checkers
    from callbot_signing import APIConnectionError as APIConnectionError
    from callbot_signing import APITimeoutError as APITimeoutError
    from callbot_signing import AsyncCallbot as AsyncCallbot
    from callbot_signing import AuthenticationError as AuthenticationError
    from callbot_signing import BatchInProgressError as BatchInProgressError
    from callbot_signing import Callbot as Callbot
    from callbot_signing import CallbotAuth as CallbotAuth
    from callbot_signing import CallbotError as CallbotError
    from callbot_signing import CallbotTransport as CallbotTransport
    from callbot_signing import Claim as Claim
    from callbot_signing import ClaimingReplayStore as ClaimingReplayStore
    from callbot_signing import Delivery as Delivery
    from callbot_signing import ErrorReply as ErrorReply
    from callbot_signing import InvalidRequestError as InvalidRequestError
    from callbot_signing import InvalidWebhookError as InvalidWebhookError
    from callbot_signing import MemoryReplayStore as MemoryReplayStore
    from callbot_signing import PermissionDeniedError as PermissionDeniedError
    from callbot_signing import PlainHTTPWarning as PlainHTTPWarning
    from callbot_signing import RedisReplayStore as RedisReplayStore
    from callbot_signing import ReplayGuard as ReplayGuard
    from callbot_signing import ReplayGuardFullError as ReplayGuardFullError
    from callbot_signing import ReplayStore as ReplayStore
    from callbot_signing import ReplayStoreUnavailableError as ReplayStoreUnavailableError
    from callbot_signing import ResponseTooLargeError as ResponseTooLargeError
    from callbot_signing import RetryPolicy as RetryPolicy
    from callbot_signing import ScopedReplayStore as ScopedReplayStore
    from callbot_signing import SecretKey as SecretKey
    from callbot_signing import ServiceUnavailableError as ServiceUnavailableError
    from callbot_signing import SignatureError as SignatureError
    from callbot_signing import SignatureRejectedError as SignatureRejectedError
    from callbot_signing import UnexpectedResponseError as UnexpectedResponseError
    from callbot_signing import Webhook as Webhook
    from callbot_signing import WebhookKind as WebhookKind
    from callbot_signing import WebhookReceiver as WebhookReceiver
    from callbot_signing import __version__ as __version__
    from callbot_signing import connect as connect
    from callbot_signing import parse_webhook as parse_webhook
    from callbot_signing import sign as sign
    from callbot_signing import signature_headers as signature_headers
    from callbot_signing import verify_response as verify_response
    from callbot_signing import verify_webhook as verify_webhook
    from callbot_signing import webhook_kind as webhook_kind

    from . import models as models
    from . import types as types
    from . import wire as wire
    from .bulk import (
        MAX_ORDER_IDS_PER_STOP,
        MAX_ORDERS_PER_BATCH,
        OrderResult,
        OrderStatus,
        add_orders,
        find_existing_orders,
        iter_add_orders,
        stop_orders,
    )
    from .journal import JournalError, OrderJournal

__all__ = [
    "MAX_ORDERS_PER_BATCH",
    "MAX_ORDER_IDS_PER_STOP",
    "JournalError",
    "OrderJournal",
    "OrderResult",
    "OrderStatus",
    "add_orders",
    "find_existing_orders",
    "iter_add_orders",
    "stop_orders",
]
__all__ += _signing.__all__

#: Where each name of this package's own is defined: its module is imported on first use.
_HOMES = {
    "MAX_ORDERS_PER_BATCH": ".bulk",
    "MAX_ORDER_IDS_PER_STOP": ".bulk",
    "OrderResult": ".bulk",
    "OrderStatus": ".bulk",
    "add_orders": ".bulk",
    "find_existing_orders": ".bulk",
    "iter_add_orders": ".bulk",
    "stop_orders": ".bulk",
    "JournalError": ".journal",
    "OrderJournal": ".journal",
}
#: The public submodules, imported on first use: ``import nxcloud_callbot`` then ``nxcloud_callbot.models``.
_SUBMODULES = frozenset({"models", "types", "wire"})


def _name_public_classes() -> None:
    """Reprs, tracebacks and pickles name the public home (callbot_signing's classes are named so by it)."""
    for name, module in _HOMES.items():
        obj = getattr(sys.modules.get(f"{__name__}{module}"), name, None)
        if isinstance(obj, type) and obj.__module__.startswith(f"{__name__}."):
            obj.__module__ = __name__


def _lazy_attribute(name: str) -> Any:
    """A public name or submodule, imported on first use and kept here for the next lookup."""
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)  # the import binds it in this package
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name], __name__), name)
        _name_public_classes()
    elif name in _signing.__all__:
        value = getattr(_signing, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag a misspelled name
    __getattr__ = _lazy_attribute


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
