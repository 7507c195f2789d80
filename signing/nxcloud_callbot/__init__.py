"""nxcloud-callbot: a client for the NXCloud Callbot v3 API, signed and verified over the exact bytes.

The one import root of the distribution::

    from nxcloud_callbot import Callbot, AsyncCallbot, CallbotError, parse_webhook
    from nxcloud_callbot.models import StopOrderRequest
    from nxcloud_callbot.types import Unset
    from nxcloud_callbot import add_orders, OrderJournal   # orders in bulk, no extra needed

The client, its errors and the webhook functions are those of ``callbot_signing``; the models and types are
those the generator writes into ``callbot_client``. Those names keep working (they are the same objects); this
is where to import from, and the name reprs, tracebacks and pickles give: ``nxcloud_callbot.CallbotError``.
``nxcloud_callbot.models``, ``.types`` and ``.wire`` are imported with the package.
"""

import callbot_signing as _signing
from callbot_signing import *  # noqa: F403  (every name of callbot_signing.__all__, listed below)

# The public submodules, imported with the package: ``import nxcloud_callbot`` then ``nxcloud_callbot.models``.
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

for _name in __all__:  # reprs, tracebacks and pickles name the public home (callbot_signing's classes do already)
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(f"{__name__}."):
        _obj.__module__ = __name__
del _name, _obj
