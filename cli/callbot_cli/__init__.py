"""The `callbot` command, and the library functions under it: orders in bulk without double dialing.

``add_orders``, ``stop_orders``, ``find_existing_orders`` and ``OrderJournal`` need only the client
(``pip install nxcloud-callbot``); the command itself (``main``) needs the cli extra
(``pip install 'nxcloud-callbot[cli]'``), imported only when it runs.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    "main",
    "stop_orders",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `callbot` command with ``argv``; return its exit code (needs the cli extra)."""
    from .command import main as command_main

    return command_main(argv)
