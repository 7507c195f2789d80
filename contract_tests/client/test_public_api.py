"""The public surface of the hand-written packages is exactly their __all__, and it is pinned here (that no
package imports another's private modules is test_import_graph.py's)."""

from __future__ import annotations

import callbot_cli
import callbot_sandbox
import callbot_signing
import callbot_signing.wire
import nxcloud_callbot
import nxcloud_callbot.wire
import pytest

#: callbot_signing's names, which nxcloud_callbot re-exports.
SIGNING = [
    "__version__",
    "AsyncCallbot",
    "Callbot",
    "MemoryReplayStore",
    "ReplayGuardFullError",
    "ReplayStore",
    "ScopedReplayStore",
    "Claim",
    "ClaimingReplayStore",
    "Delivery",
    "RedisReplayStore",
    "ReplayStoreUnavailableError",
    "WebhookReceiver",
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
    "PlainHTTPWarning",
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
]
#: The wire format's names, public in callbot_signing.wire and nxcloud_callbot.wire.
WIRE = [
    "ALGORITHMS",
    "ALGORITHM_HEADER",
    "CREATE_TS_HEADER",
    "DEFAULT_ALGORITHM",
    "DEFAULT_MAX_CLOCK_SKEW",
    "IDEMPOTENT_OPERATIONS",
    "MAX_REPLAY_WINDOW",
    "MAX_REQUEST_ID_CHARS",
    "NOT_IDEMPOTENT_OPERATIONS",
    "PING_KEYS",
    "REQUEST_ID_HEADER",
    "RET_CODES",
    "SIGN_HEADER",
    "STANDARD_KEYS",
    "UUID_HEADER",
    "WEBHOOK_OPERATIONS",
    "Attempt",
    "Envelope",
    "EnvelopeError",
    "HeadersLike",
    "RetryDecision",
    "check_count",
    "check_seconds",
    "decide_retry",
    "encode_body",
    "envelope_keys",
    "error_for_ret_code",
    "httpx_private_problems",
    "json_object",
    "normalize_algorithm",
    "operations",
    "parse_retry_after",
    "read_envelope",
    "request_id_of",
    "request_problems",
    "schema_errors",
    "schema_problem",
    "shipped_spec",
    "verify_signed_message",
    "webhook_problem",
]
#: Bulk import: nxcloud_callbot's own names (and callbot_cli's, for code written against 0.3).
BULK = [
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


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (callbot_signing, SIGNING),
        (callbot_signing.wire, WIRE),
        (nxcloud_callbot, [*SIGNING, *BULK, "iter_add_orders"]),
        (nxcloud_callbot.wire, WIRE),
        (
            callbot_sandbox,
            [
                "Account",
                "CallbotSandbox",
                "OrderState",
                "Sandbox",
                "SandboxState",
                "TaskStatus",
                "create_app",
                "running",
                "serve_in_thread",
            ],
        ),
        (callbot_cli, [*BULK, "main"]),
    ],
    ids=[
        "callbot_signing",
        "callbot_signing.wire",
        "nxcloud_callbot",
        "nxcloud_callbot.wire",
        "callbot_sandbox",
        "callbot_cli",
    ],
)
def test_public_names_are_pinned(module: object, expected: list[str]) -> None:
    assert sorted(module.__all__) == sorted(expected)  # type: ignore[attr-defined]
    public = {name for name in dir(module) if not name.startswith("_")}  # names imported on first use included
    assert {name for name in expected if not name.startswith("_")} <= public
    assert all(hasattr(module, name) for name in expected)


def test_no_test_module_imports_another_and_the_bench_imports_no_test_code() -> None:
    """Shared helpers live in contract_tests/_support.py (and conftest.py), not in other test modules."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for folder, pattern in (
            ("contract_tests", r"from \.test_|import contract_tests\.test_"),
            ("bench", r"contract_tests"),
        )
        for path in sorted((root / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line) and not line.lstrip().startswith(("#", '"', "'")) and path.name != "mutation.py"
    ]
    assert offenders == []
