"""Schemathesis CLI hooks (SCHEMATHESIS_HOOKS=contract_tests.cli_hooks): the Callbot checks and the links'
body fields of schemathesis_hooks, and signing with the credentials in CALLBOT_UUID / CALLBOT_SECRET_KEY."""

from __future__ import annotations

import os

import schemathesis

from . import schemathesis_hooks  # noqa: F401  (registers the checks and the before_load_schema hook)
from .schemathesis_hooks import RequestsCallbotAuth

schemathesis.auth.set_from_requests(  # type: ignore[attr-defined]
    RequestsCallbotAuth(
        os.environ["CALLBOT_UUID"],
        os.environ["CALLBOT_SECRET_KEY"],
        os.environ.get("CALLBOT_ALGORITHM", "MD5"),
    )
)
