"""The `callbot` command (``main``; needs the cli extra, ``pip install 'nxcloud-callbot[cli]'``, imported only
when it runs).

The bulk functions live in the library (``from nxcloud_callbot import add_orders``); their names here keep
working for code written against 0.3.
"""

from __future__ import annotations

from collections.abc import Sequence

from nxcloud_callbot import (
    MAX_ORDER_IDS_PER_STOP,
    MAX_ORDERS_PER_BATCH,
    JournalError,
    OrderJournal,
    OrderResult,
    OrderStatus,
    add_orders,
    find_existing_orders,
    stop_orders,
)

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
