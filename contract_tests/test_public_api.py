"""The public surface of the hand-written packages is exactly their __all__, and it is pinned here."""

from __future__ import annotations

import callbot_cli
import callbot_sandbox
import callbot_signing
import pytest


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            callbot_signing,
            [
                "__version__",
                "AsyncCallbot",
                "Callbot",
                "MemoryReplayStore",
                "ReplayGuardFullError",
                "ReplayStore",
                "APIConnectionError",
                "APITimeoutError",
                "AuthenticationError",
                "BatchInProgressError",
                "CallbotAuth",
                "CallbotError",
                "CallbotTransport",
                "ErrorReply",
                "InvalidRequestError",
                "InvalidWebhookError",
                "PermissionDeniedError",
                "ReplayGuard",
                "ResponseTooLargeError",
                "RetryPolicy",
                "SecretKey",
                "ServiceUnavailableError",
                "SignatureError",
                "SignatureRejectedError",
                "UnexpectedResponseError",
                "Webhook",
                "WebhookKind",
                "connect",
                "sign",
                "signature_headers",
                "parse_webhook",
                "verify_response",
                "verify_webhook",
                "webhook_kind",
            ],
        ),
        (
            callbot_sandbox,
            ["Account", "OrderState", "Sandbox", "SandboxState", "TaskStatus", "create_app", "serve_in_thread"],
        ),
        (
            callbot_cli,
            [
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
            ],
        ),
    ],
    ids=["callbot_signing", "callbot_sandbox", "callbot_cli"],
)
def test_public_names_are_pinned(module: object, expected: list[str]) -> None:
    assert sorted(module.__all__) == sorted(expected)  # type: ignore[attr-defined]
    public = {name for name in vars(module) if not name.startswith("_")}
    assert {name for name in expected if not name.startswith("_")} <= public
    assert all(hasattr(module, name) for name in expected)
