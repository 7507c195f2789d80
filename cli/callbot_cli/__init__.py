"""The `callbot` command (``main``; needs the cli extra, ``pip install 'nxcloud-callbot[cli]'``, imported only
when it runs).

The bulk functions live in the library (``from nxcloud_callbot import add_orders``); their names here keep
working for code written against 0.3. They are imported on first use (PEP 562), so that `callbot --help`
imports no client code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nxcloud_callbot import MAX_ORDER_IDS_PER_STOP as MAX_ORDER_IDS_PER_STOP
    from nxcloud_callbot import MAX_ORDERS_PER_BATCH as MAX_ORDERS_PER_BATCH
    from nxcloud_callbot import JournalError as JournalError
    from nxcloud_callbot import OrderJournal as OrderJournal
    from nxcloud_callbot import OrderResult as OrderResult
    from nxcloud_callbot import OrderStatus as OrderStatus
    from nxcloud_callbot import add_orders as add_orders
    from nxcloud_callbot import find_existing_orders as find_existing_orders
    from nxcloud_callbot import stop_orders as stop_orders

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


def _lazy_attribute(name: str) -> Any:
    """A bulk name of ``nxcloud_callbot``, imported on first use and kept here for the next lookup."""
    if name not in __all__ or name == "main":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import nxcloud_callbot

    value = getattr(nxcloud_callbot, name)
    globals()[name] = value
    return value


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag a misspelled name
    __getattr__ = _lazy_attribute


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
