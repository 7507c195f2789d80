"""A reference Callbot server for offline development and the contract tests (loopback only)."""

try:  # the server's own dependencies come with the `sandbox` extra, not with the client
    import jsonschema_rs  # noqa: F401
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ModuleNotFoundError as missing:
    raise ModuleNotFoundError(
        f"the Callbot sandbox needs {missing.name}, which comes with the sandbox extra: "
        "pip install 'nxcloud-callbot[sandbox]'",
        name=missing.name,
    ) from None

from .accounts import Account
from .app import Sandbox, create_app
from .kit import CallbotSandbox, running
from .server import serve_in_thread
from .state import OrderState, SandboxState, TaskStatus

__all__ = [
    "Account",
    "CallbotSandbox",
    "OrderState",
    "Sandbox",
    "SandboxState",
    "TaskStatus",
    "create_app",
    "running",
    "serve_in_thread",
]
