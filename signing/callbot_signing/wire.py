"""The wire format of the Callbot v3 API, public for servers, test tools and other HTTP clients.

Everything here is also what the client itself uses: the signed header names, the algorithms, the check
of a signed message (answers and webhooks share it), the reply envelope, the retCode table, the schema
checks against the shipped spec, how a request body is encoded, which operations may be repeated, the
widest clock-skew window a webhook takes (``MAX_REPLAY_WINDOW``), and the checks of numeric settings (a
tool's options refused as the library refuses them).
"""

from ._connect import encode_body
from ._constants import (
    ALGORITHM_HEADER,
    ALGORITHMS,
    CREATE_TS_HEADER,
    DEFAULT_ALGORITHM,
    DEFAULT_MAX_CLOCK_SKEW,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from ._envelope import PING_KEYS, STANDARD_KEYS, Envelope, EnvelopeError, read_envelope
from ._errors import RET_CODES, error_for_ret_code
from ._httpx_private import problems as httpx_private_problems
from ._json import json_object
from ._replay import MAX_REPLAY_WINDOW
from ._retry import (
    IDEMPOTENT_OPERATIONS,
    NOT_IDEMPOTENT_OPERATIONS,
    Attempt,
    RetryDecision,
    decide_retry,
    parse_retry_after,
)
from ._schemas import (
    envelope_keys,
    operations,
    request_problems,
    schema_errors,
    schema_problem,
    shipped_spec,
    webhook_problem,
)
from ._settings import check_count, check_seconds
from ._signature import normalize_algorithm
from ._verify import MAX_REQUEST_ID_CHARS, HeadersLike, request_id_of, verify_signed_message
from ._webhooks import WEBHOOK_OPERATIONS

__all__ = [
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
