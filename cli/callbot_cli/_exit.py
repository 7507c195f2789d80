"""The exit codes of the `callbot` command, and which error gets which."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:  # imported when an error is mapped: `callbot --help` imports no client code
    from callbot_signing import CallbotError

OK: Final = 0
#: A bug or an unforeseen failure (a Python traceback on stderr).
INTERNAL: Final = 1
#: Bad input: a usage error, JSON or CSV that does not fit, missing credentials, a journal of another run.
BAD_INPUT: Final = 2
#: The service answered with a non-zero retCode (or, in bulk, refused some orders).
SERVICE_ERROR: Final = 3
#: A signature failure: the service refused our sign (retCode 6, 6001), or we refused its answer's or a webhook's.
SIGNATURE: Final = 4
#: No usable answer: the connection failed or timed out, or the answer was not what the spec says (in bulk:
#: some orders failed or are in doubt; resume).
TRANSPORT: Final = 5
#: A webhook check failed: the receiver accepted a forged delivery or refused a genuine one, or a captured
#: delivery is signed correctly but is not a callback of its kind.
WEBHOOK: Final = 6
#: Interrupted (Ctrl-C).
INTERRUPTED: Final = 130

TABLE: Final = (
    (OK, "success"),
    (INTERNAL, "unexpected failure (a bug: please report it with the traceback)"),
    (BAD_INPUT, "bad input: usage, JSON, CSV, credentials, journal"),
    (SERVICE_ERROR, "the service answered with a non-zero retCode / refused orders"),
    (SIGNATURE, "signature failure: refused by the service (retCode 6, 6001) or by us"),
    (TRANSPORT, "transport failure or an answer that does not fit the spec; orders failed or in doubt"),
    (WEBHOOK, "webhook check failed"),
    (INTERRUPTED, "interrupted"),
)


def exit_code_for_failure(exc: Exception) -> int | None:
    """The exit code of a failure `callbot` reports in one line: bad input (the account, a journal of another
    run, a value), or a typed error of the client; None for any other exception (a bug: its traceback shows)."""
    from callbot_signing import CallbotError
    from nxcloud_callbot import JournalError

    from ._credentials import CredentialsError

    if isinstance(exc, CredentialsError | JournalError | ValueError):
        return BAD_INPUT
    if isinstance(exc, CallbotError):
        return exit_code_for(exc)
    return None


def exit_code_for(exc: CallbotError) -> int:
    """The exit code for a typed error of the client."""
    from callbot_signing import (
        APIConnectionError,
        InvalidWebhookError,
        SignatureError,
        SignatureRejectedError,
        UnexpectedResponseError,
    )

    if isinstance(exc, SignatureError | SignatureRejectedError):
        return SIGNATURE
    if isinstance(exc, InvalidWebhookError):
        return WEBHOOK
    if isinstance(exc, APIConnectionError | UnexpectedResponseError):
        return TRANSPORT
    if exc.ret_code is not None:
        return SERVICE_ERROR
    return BAD_INPUT  # InvalidRequestError without retCode: refused before sending
