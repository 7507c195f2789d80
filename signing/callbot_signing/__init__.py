"""Signing and verification for the NXCloud Callbot v3 API, over the exact bytes on the wire."""

from ._auth import CallbotAuth
from ._connect import connect
from ._errors import CallbotError, SignatureError
from ._signature import sign
from ._verify import verify_response

__all__ = [
    "CallbotAuth",
    "CallbotError",
    "SignatureError",
    "connect",
    "sign",
    "verify_response",
]
