"""A signed answer body and the verification of it with chosen headers: shared by the tests of each verification
rule and of the header containers verification reads."""

from __future__ import annotations

from typing import Any

import pytest
from callbot_signing import SignatureError
from callbot_signing.wire import HeadersLike, verify_signed_message

from ._support import NOW, SECRET, UUID

BODY = b'{"retCode":0,"retMsg":"ok","responseID":"resp-1"}'


def verify(headers: HeadersLike, body: bytes = BODY, **options: Any) -> int:
    arguments: dict[str, Any] = {
        "uuid": UUID,
        "secret_key": SECRET,
        "algorithm": "MD5",
        "max_clock_skew": 300,
        "now": NOW,
        "expected_request_id": None,
        "what": "webhook",
    }
    arguments.update(options)
    return verify_signed_message(headers, body, **arguments)


def refusal(headers: HeadersLike, body: bytes = BODY, **options: Any) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify(headers, body, **options)
    return caught.value
