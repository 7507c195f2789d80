"""nxcloud-callbot: a client for the NXCloud Callbot v3 API, signed and verified over the exact bytes.

The one import root of the distribution::

    from nxcloud_callbot import Callbot, AsyncCallbot, CallbotError, parse_webhook
    from nxcloud_callbot.models import StopOrderRequest
    from nxcloud_callbot.types import Unset
    from nxcloud_callbot import add_orders, OrderJournal   # orders in bulk, no extra needed

The client, its errors and the webhook functions are those of ``callbot_signing``; the models and types are
those the generator writes into ``callbot_client``. Those names keep working; this is where to import from.
"""

import callbot_signing as _signing
from callbot_signing import *  # noqa: F403  (every name of callbot_signing.__all__, listed below)

from .bulk import (
    MAX_ORDER_IDS_PER_STOP,
    MAX_ORDERS_PER_BATCH,
    OrderResult,
    OrderStatus,
    add_orders,
    find_existing_orders,
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
    "stop_orders",
]
__all__ += _signing.__all__

for _name in ("JournalError", "OrderJournal", "OrderResult"):  # reprs and tracebacks name the public home
    globals()[_name].__module__ = __name__
del _name
