"""Length-extension forgeries of signed callbacks are real, and cannot flush the replay guard.

The sign is a plain ``H(secret + "&body=" + body + "&createTs=" ... "&uuid=" + uuid)``. Holding one genuine
callback (its body, headers and sign) and the secret's *length*, but not the secret, an attacker computes
a valid sign for ``secret + "&body=" + F + "&createTs=" + T + "&requestID=" + R + "&uuid=" + uuid`` where

- ``T`` (createTs) and ``R`` (requestID) are free: they lie in the appended suffix;
- the uuid stays the account's (the string must end with it, and the receiver checks it);
- the body ``F`` is not free: it is the genuine body, then the genuine ``&createTs=..&requestID=..&uuid=..``
  text, then the hash's binary padding (0x80, zeros, a bit length), then anything. It is never a JSON
  object, nor even UTF-8.

The forger (``length_extension.py``) is checked against hashlib first; each forged sign is then checked
against the documented rule with the real secret (``documented_sign``), so the tests prove the forgeries
are valid, not merely that they are refused.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from typing import Any

import pytest
from callbot_signing import (
    InvalidWebhookError,
    MemoryReplayStore,
    ReplayGuard,
    SignatureError,
    parse_webhook,
    verify_webhook,
)
from callbot_signing.wire import verify_signed_message

from .. import length_extension as forger
from .._support import PAYLOADS, delivery, documented_sign
from .._support import WEBHOOK_SECRET as SECRET
from .._support import WEBHOOK_UUID as UUID

ALGORITHMS = ["MD5", "SHA256"]
HASHLIB = {"MD5": hashlib.md5, "SHA256": hashlib.sha256}
NOW = 1_800_000_000
APPENDED = b'"},"x":1}'  # what a forger appends: anything, the body cannot be made JSON anyway


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_pure_python_hashes_agree_with_hashlib(algorithm: str) -> None:
    rng = random.Random(7)
    for length in [*range(0, 130), 1000, 4097]:
        data = rng.randbytes(length)
        assert forger.digest(algorithm, data) == HASHLIB[algorithm](data).hexdigest().upper(), length


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_forger_extends_random_messages_without_their_prefix(algorithm: str) -> None:
    rng = random.Random(11)
    for _ in range(200):
        secret, message, suffix = (rng.randbytes(rng.randrange(0, 150)) for _ in range(3))
        known = HASHLIB[algorithm](secret + message).hexdigest().upper()
        glue, forged = forger.extend(algorithm, known, len(secret + message), suffix)
        assert forged == HASHLIB[algorithm](secret + message + glue + suffix).hexdigest().upper()


def genuine(algorithm: str, request_id: str = "genuine-1") -> tuple[dict[str, str], bytes]:
    headers, body = delivery(PAYLOADS["call"], algorithm=algorithm, request_id=request_id)
    headers["createTs"] = str(NOW)
    headers["sign"] = documented_sign(SECRET, body, str(NOW), request_id, UUID, algorithm)
    return headers, body


def signed_tail(headers: dict[str, str]) -> bytes:
    return f"&createTs={headers['createTs']}&requestID={headers['requestID']}&uuid={headers['uuid']}".encode()


def forge(
    algorithm: str, headers: dict[str, str], body: bytes, secret_length: int, create_ts: str, request_id: str
) -> tuple[dict[str, str], bytes]:
    """A forgery with the given createTs and requestID, from the genuine message and the secret's length."""
    original_length = secret_length + len(b"&body=" + body + signed_tail(headers))
    suffix = APPENDED + f"&createTs={create_ts}&requestID={request_id}&uuid={UUID}".encode()
    glue, new_sign = forger.extend(algorithm, headers["sign"], original_length, suffix)
    forged_body = body + signed_tail(headers) + glue + APPENDED
    return {"requestID": request_id, "uuid": UUID, "createTs": create_ts, "sign": new_sign}, forged_body


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_length_extended_forgery_is_validly_signed_yet_refused_and_not_remembered(algorithm: str) -> None:
    headers, body = genuine(algorithm)
    store = MemoryReplayStore()
    guard = ReplayGuard(store)
    valid = []
    for secret_length in range(1, 65):  # the attacker tries every plausible secret length
        forged_headers, forged_body = forge(algorithm, headers, body, secret_length, str(NOW + 60), "evil-1")
        assert forged_body.startswith(body) and b"\x80" in forged_body  # what the forger cannot choose
        if forged_headers["sign"] == documented_sign(SECRET, forged_body, str(NOW + 60), "evil-1", UUID, algorithm):
            valid.append(secret_length)
            # the signature alone passes: the attack is real
            verify_signed_message(
                forged_headers,
                forged_body,
                uuid=UUID,
                secret_key=SECRET,
                algorithm=algorithm,
                max_clock_skew=300,
                now=NOW + 60,
                expected_request_id=None,
                what="webhook",
            )
            with pytest.raises(InvalidWebhookError, match="UTF-8"):
                verify_webhook(
                    forged_headers, forged_body, uuid=UUID, secret_key=SECRET, algorithm=algorithm, now=NOW + 60
                )
        with pytest.raises((InvalidWebhookError, SignatureError)):
            parse_webhook(
                forged_headers,
                forged_body,
                uuid=UUID,
                secret_key=SECRET,
                algorithm=algorithm,
                replay_guard=guard,
                now=NOW + 60,
            )
    assert valid == [len(SECRET)]
    assert len(store) == 0


def error_envelope(algorithm: str, request_id: str) -> tuple[dict[str, str], bytes]:
    """What the service signs for anyone who sends it a bad request naming the account's uuid."""
    body = json.dumps({"retCode": 6, "retMsg": "incorrect signature", "responseID": request_id}).encode()
    sign = documented_sign(SECRET, body, str(NOW), request_id, UUID, algorithm)
    return {"requestID": request_id, "uuid": UUID, "createTs": str(NOW), "algorithm": algorithm, "sign": sign}, body


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_flood_of_forgeries_and_signed_replies_cannot_flush_a_genuine_request_id(algorithm: str) -> None:
    # Room for 1,000 requestIDs only: remembering any of the 120,000 messages below would fill it.
    store = MemoryReplayStore(max_entries=1_000)
    guard = ReplayGuard(store)
    headers, body = genuine(algorithm)
    kwargs: dict[str, Any] = {"uuid": UUID, "secret_key": SECRET, "algorithm": algorithm, "replay_guard": guard}
    parse_webhook(headers, body, now=NOW, **kwargs)

    original_length = len(SECRET) + len(b"&body=" + body + signed_tail(headers))
    glue = forger.padding(algorithm, original_length)
    prefix = body + signed_tail(headers) + glue
    # The flood's signs come from hashlib with the secret, for speed; a random sample is re-made with the
    # forger, which knows no secret, to show that each is a sign an attacker computes.
    sample = set(random.Random(3).sample(range(100_000), 100))
    started = time.perf_counter()
    refused = 0
    for n in range(100_000):
        create_ts, request_id = str(NOW + n % 300), f"flood-{n}"
        flood_body = prefix + APPENDED
        flood_sign = documented_sign(SECRET, flood_body, create_ts, request_id, UUID, algorithm)
        if n in sample:
            forged_headers, forged_body = forge(algorithm, headers, body, len(SECRET), create_ts, request_id)
            assert (forged_headers["sign"], forged_body) == (flood_sign, flood_body)
        flood = {"requestID": request_id, "uuid": UUID, "createTs": create_ts, "sign": flood_sign}
        try:
            parse_webhook(flood, flood_body, now=NOW + 299, **kwargs)
        except InvalidWebhookError:
            refused += 1
    for n in range(20_000):
        reply_headers, reply_body = error_envelope(algorithm, f"reply-{n}")
        try:
            parse_webhook(reply_headers, reply_body, now=NOW + 299, **kwargs)
        except InvalidWebhookError:
            refused += 1
    elapsed = time.perf_counter() - started

    assert refused == 120_000
    assert len(store) == 1
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body, now=NOW + 299, **kwargs)  # the replay, inside the window
    assert caught.value.rule == "replay"
    parse_webhook(*genuine(algorithm, "genuine-2"), now=NOW + 299, **kwargs)  # real deliveries still get in
    assert elapsed < 30, f"{elapsed:.1f} s for 120,000 refused messages"


def test_the_in_memory_store_counts_at_least_the_memory_it_uses() -> None:
    import tracemalloc

    store = MemoryReplayStore()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(20_000):
        store.add_if_absent(f"{n:032x}", NOW + 300, NOW)
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert used <= store.used_bytes, (used, store.used_bytes)
