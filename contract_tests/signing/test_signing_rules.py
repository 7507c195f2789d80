"""sign, signature_headers and normalize_algorithm at their edges: the default algorithm, the names
accepted, the fresh requestID and createTs of the headers. Expected signs come from the documented rule
written out in the test (``_support.documented_sign``) or from coreutils."""

from __future__ import annotations

import re
import time
import traceback
from types import TracebackType
from typing import Any

import pytest
from callbot_signing import SecretKey, sign, signature_headers
from callbot_signing.wire import normalize_algorithm

from .._support import documented_sign

BODY = b'{"productID":"callbot","userTaskID":"t-1","orderIDs":["o-1"]}'


def test_the_default_algorithm_is_md5() -> None:
    # coreutils: printf '%s' 'k3y&body=&createTs=1700000000&requestID=r1&uuid=acc-uuid' | md5sum
    assert sign("k3y", b"", "1700000000", "r1", "acc-uuid") == "9C00353621E5FC7C8C8ED190D3386488"
    assert signature_headers("k3y", b"", "acc-uuid")["algorithm"] == "MD5"


@pytest.mark.parametrize("algorithm", ["MD5", "md5", "Md5", "SHA256", "sha256", "sHa256"])
def test_any_casing_of_the_two_algorithms_signs_by_the_documented_rule(algorithm: str) -> None:
    expected = documented_sign("k3y", BODY, "1700000000", "r1", "acc-uuid", algorithm)
    assert sign("k3y", BODY, "1700000000", "r1", "acc-uuid", algorithm) == expected
    assert normalize_algorithm(algorithm) == algorithm.upper()


def test_the_key_signs_the_same_as_text_or_as_a_secret_key() -> None:
    expected = documented_sign("k3y-é", BODY, "1", "r", "u", "SHA256")
    assert sign(SecretKey("k3y-é"), BODY, "1", "r", "u", "SHA256") == expected
    assert sign("k3y-é", BODY, "1", "r", "u", "SHA256") == expected


@pytest.mark.parametrize("algorithm", ["SHA1", "sha-256", "", "MD5 ", "HMAC-SHA256", None, b"MD5"])
def test_an_unknown_algorithm_is_a_value_error_that_quotes_it(algorithm: object) -> None:
    with pytest.raises(ValueError) as caught:
        normalize_algorithm(algorithm)  # type: ignore[arg-type]
    assert str(caught.value) == f"unsupported signature algorithm {algorithm!r}: use one of MD5, SHA256"


def test_signature_headers_stamp_a_fresh_request_id_and_the_current_time() -> None:
    before = int(time.time())
    first = signature_headers("k3y", BODY, "acc-uuid", "SHA256")
    after = int(time.time())
    assert re.fullmatch("[0-9a-f]{32}", first["requestID"])
    assert re.fullmatch("[0-9]+", first["createTs"]) and before <= int(first["createTs"]) <= after
    assert first["uuid"] == "acc-uuid" and first["algorithm"] == "SHA256"
    assert first["sign"] == documented_sign("k3y", BODY, first["createTs"], first["requestID"], "acc-uuid", "SHA256")
    assert signature_headers("k3y", BODY, "acc-uuid")["requestID"] != first["requestID"]


def test_signature_headers_use_the_request_id_and_time_given() -> None:
    headers = signature_headers("k3y", BODY, "acc-uuid", "md5", request_id="r-given", create_ts="1700000001")
    assert headers == {
        "requestID": "r-given",
        "uuid": "acc-uuid",
        "createTs": "1700000001",
        "algorithm": "MD5",
        "sign": documented_sign("k3y", BODY, "1700000001", "r-given", "acc-uuid", "MD5"),
    }


def test_signature_headers_refuse_an_unknown_algorithm() -> None:
    with pytest.raises(ValueError, match="MD5, SHA256"):
        signature_headers("k3y", BODY, "acc-uuid", "SHA1")


@pytest.mark.parametrize("key", ["", " padded ", "line\n"])
def test_signature_headers_sign_with_any_text_as_sign_does(key: str) -> None:
    headers = signature_headers(key, BODY, "acc-uuid", request_id="r1", create_ts="1700000000")
    assert headers["sign"] == documented_sign(key, BODY, "1700000000", "r1", "acc-uuid", "MD5")
    assert (
        headers["sign"]
        == signature_headers(SecretKey(key, check=False), BODY, "acc-uuid", request_id="r1", create_ts="1700000000")[
            "sign"
        ]
    )


def test_no_frame_of_a_failed_signature_headers_holds_the_key_as_text() -> None:
    with pytest.raises(ValueError) as caught:
        signature_headers(PLAIN_KEY, BODY, "acc-uuid", "SHA1")
    assert not texts_in_frames(caught.value.__traceback__, PLAIN_KEY)


PLAIN_KEY = "plain-secret-key-4242"


SURROGATE_KEY = "the secret key is not valid text (it holds a lone surrogate)"


@pytest.mark.parametrize(
    ("key", "body", "algorithm", "error", "message"),
    [
        (PLAIN_KEY, BODY, "SHA1", ValueError, "unsupported signature algorithm 'SHA1': use one of MD5, SHA256"),
        (PLAIN_KEY, "text, not bytes", "MD5", TypeError, ""),  # small body: the one-expression path
        (PLAIN_KEY, None, "MD5", TypeError, ""),
        (PLAIN_KEY + "\ud800", BODY, "MD5", ValueError, SURROGATE_KEY),
        (PLAIN_KEY + "\ud800", b"x" * 5000, "MD5", ValueError, SURROGATE_KEY),  # large body: the SecretKey path
        (PLAIN_KEY.encode(), BODY, "MD5", TypeError, "the secret key must be a str, got bytes"),
    ],
    ids=["algorithm", "str body", "no body", "surrogate key", "surrogate key, large body", "bytes key"],
)
def test_no_frame_of_a_failed_sign_holds_the_key(
    key: Any, body: Any, algorithm: str, error: type, message: str
) -> None:
    with pytest.raises(error, match=f"^{re.escape(message)}$" if message else None) as caught:
        sign(key, body, "1700000000", "r1", "acc-uuid", algorithm)
    assert not texts_in_frames(caught.value.__traceback__, PLAIN_KEY)
    # The package's frames, rendered as an error reporter would (a wrapper such as mutmut's is not ours).
    frames = traceback.walk_tb(caught.value.__traceback__)
    ours = [(f, n) for f, n in frames if "callbot_signing" in f.f_code.co_filename]
    rendered = traceback.StackSummary.extract(iter(ours), capture_locals=True).format()
    assert ours and PLAIN_KEY not in "".join(rendered) + str(caught.value)
    chained: BaseException | None = caught.value  # nor any exception it carries (UnicodeEncodeError.object)
    while chained is not None:
        assert PLAIN_KEY not in repr(chained.args) + repr(getattr(chained, "object", "")), repr(chained)
        chained = chained.__cause__ or chained.__context__


def texts_in_frames(traceback: TracebackType | None, secret: str) -> list[str]:
    """The locals of the frames below the test's own that hold ``secret`` as text."""
    found = []
    frame = traceback.tb_next if traceback else None
    while frame is not None:
        for name, value in frame.tb_frame.f_locals.items():
            if isinstance(value, str | bytes) and secret in (
                value if isinstance(value, str) else value.decode("latin-1")
            ):
                found.append(f"{frame.tb_frame.f_code.co_name}.{name}")
        frame = frame.tb_next
    return found
