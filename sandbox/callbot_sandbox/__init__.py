"""A reference Callbot server for offline development and the contract tests (loopback only)."""

from .accounts import Account
from .app import Sandbox, create_app
from .server import serve_in_thread
from .store import OrderState, OrderStore

__all__ = ["Account", "OrderState", "OrderStore", "Sandbox", "create_app", "serve_in_thread"]
