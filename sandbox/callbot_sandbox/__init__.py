"""A reference Callbot server for offline development and the contract tests (loopback only)."""

from .accounts import Account
from .app import Sandbox, create_app
from .server import serve_in_thread
from .state import OrderState, SandboxState, TaskStatus

__all__ = ["Account", "OrderState", "Sandbox", "SandboxState", "TaskStatus", "create_app", "serve_in_thread"]
