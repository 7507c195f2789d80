"""Properties and known answers of the one canonical signing function."""

from __future__ import annotations

import re

import pytest
from callbot_signing import sign
from hypothesis import given
from hypothesis import strategies as st

from .._support import documented_sign

texts = st.text(max_size=40)
algorithms = st.sampled_from(["MD5", "SHA256", "md5", "sha256", "Sha256"])


# Computed outside Python, with coreutils in a C.UTF-8 locale, e.g. the third vector:
#   printf '%s' 'k3y&body={"data":"你好, Grüße"}&createTs=1700000000&requestID=r1&uuid=acc-uuid' \
#     | md5sum | cut -d' ' -f1 | tr a-f A-F
# (sha256sum for SHA256; the first two hash the STOP_BODY text with requestID=0123456789abcdef0123456789abcdef).
STOP_BODY = b'{"productID":"callbot","userTaskID":"t-1","orderIDs":["o-1"]}'
UTF8_BODY = '{"data":"你好, Grüße"}'.encode()
KNOWN_ANSWERS = [
    (STOP_BODY, "0123456789abcdef0123456789abcdef", "MD5", "03F31C4BDF7D11958EF30C38959D121E"),
    (
        STOP_BODY,
        "0123456789abcdef0123456789abcdef",
        "SHA256",
        "B00B381D7189580B6F8E8A2810D4388B8E68115DB748A1A5EBF51AA038559BC3",
    ),
    (UTF8_BODY, "r1", "MD5", "CDC8F84AF4314FDB4AC87C591E9CF274"),
    (UTF8_BODY, "r1", "SHA256", "5031E939EAAD6493F12441DF78B1F78E35B2F2A3439122707CC5B77B2F5B7AD1"),
    (b"", "r1", "MD5", "9C00353621E5FC7C8C8ED190D3386488"),
]

# Bodies of every size class sign() could treat differently (empty, around 4 KiB, 1 MiB), n bytes of "x",
# computed outside Python with coreutils:
#   { printf 'k3y&body='; head -c N /dev/zero | tr '\0' x; printf '&createTs=1700000000&requestID=r1&uuid=acc-uuid'; } \
#     | md5sum | cut -d' ' -f1 | tr a-f A-F          (sha256sum for SHA256)
SIZED_ANSWERS = [
    (0, "MD5", "9C00353621E5FC7C8C8ED190D3386488"),
    (0, "SHA256", "CC79D9CAA6E49413F1CEA5F10635B4D4386306EAA642552ADB1D956CD1C6DBFC"),
    (4095, "MD5", "CF9C1E7A114A05258EE7F92F6DF5B941"),
    (4095, "SHA256", "F1225A9D010F0E74B5694A42B242C03D9C6284C4F849EF7EA5DDD5D85728E820"),
    (4096, "MD5", "EEFA37D9DA83C319073A0740556B1EBF"),
    (4096, "SHA256", "1BB9C14BA3D0449260D2656D4AE171D14011ED1E07EAF472BCD14A09152C1FEB"),
    (4097, "MD5", "2D6AD243D96358B400195090413744D3"),
    (4097, "SHA256", "A534F9EE8020BCF9C97CA54D68D2145378326CD6A59AA731D881AFDD4C65642E"),
    (1048576, "MD5", "4CA7C9D56884A273BCECF8A2281FB3B7"),
    (1048576, "SHA256", "6DF9A71783828E17FA8319ECBA91360ACBF74FEEB22ECB20E77F42704B43DE40"),
]


@pytest.mark.parametrize(
    ("size", "algorithm", "expected"), SIZED_ANSWERS, ids=[f"{n}B-{a}" for n, a, _ in SIZED_ANSWERS]
)
def test_known_answer_vectors_for_every_body_size_class(size: int, algorithm: str, expected: str) -> None:
    assert sign("k3y", b"x" * size, "1700000000", "r1", "acc-uuid", algorithm) == expected


@pytest.mark.parametrize(("body", "request_id", "algorithm", "expected"), KNOWN_ANSWERS)
def test_known_answer_vectors_computed_with_coreutils(
    body: bytes, request_id: str, algorithm: str, expected: str
) -> None:
    assert sign("k3y", body, "1700000000", request_id, "acc-uuid", algorithm) == expected


@given(texts, st.binary(max_size=200), texts, texts, texts, algorithms)
def test_sign_is_deterministic_upper_hex_of_the_right_length(
    secret: str, body: bytes, ts: str, request_id: str, uuid: str, algorithm: str
) -> None:
    first = sign(secret, body, ts, request_id, uuid, algorithm)
    assert first == sign(secret, body, ts, request_id, uuid, algorithm)
    length = 32 if algorithm.upper() == "MD5" else 64
    assert re.fullmatch(f"[0-9A-F]{{{length}}}", first)


@given(texts, st.binary(max_size=200), texts, texts, texts, algorithms)
def test_sign_matches_the_documented_rule(
    secret: str, body: bytes, ts: str, request_id: str, uuid: str, algorithm: str
) -> None:
    expected = documented_sign(secret, body, ts, request_id, uuid, algorithm.upper())
    assert sign(secret, body, ts, request_id, uuid, algorithm) == expected


@given(st.binary(min_size=1, max_size=200), st.data())
def test_changing_one_body_byte_changes_the_sign(body: bytes, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(body) - 1))
    flipped = bytes([body[index] ^ data.draw(st.integers(1, 255))])
    changed = body[:index] + flipped + body[index + 1 :]
    for algorithm in ("MD5", "SHA256"):
        assert sign("s", body, "1", "r", "u", algorithm) != sign("s", changed, "1", "r", "u", algorithm)


@given(st.sampled_from(["secret", "ts", "request_id", "uuid"]), texts, texts)
def test_changing_any_other_input_changes_the_sign(which: str, original: str, replacement: str) -> None:
    if original == replacement:
        replacement = original + "x"
    base = {"secret_key": "s", "body": b"{}", "create_ts": "1", "request_id": "r", "uuid": "u"}
    key = {"secret": "secret_key", "ts": "create_ts"}.get(which, which)
    before = dict(base, **{key: original})
    after = dict(base, **{key: replacement})
    # With the other inputs fixed, a different value always gives a different string to hash.
    assert sign(**before) != sign(**after)  # type: ignore[arg-type]


def test_the_algorithm_chooses_the_hash() -> None:
    md5, sha256 = (sign("s", b"{}", "1", "r", "u", algorithm) for algorithm in ("MD5", "SHA256"))
    assert (len(md5), len(sha256)) == (32, 64)
    assert md5 == documented_sign("s", b"{}", "1", "r", "u", "MD5")
    assert sha256 == documented_sign("s", b"{}", "1", "r", "u", "SHA256")


@pytest.mark.parametrize("algorithm", ["SHA1", "sha-256", "", "HMAC-SHA256"])
def test_unknown_algorithm_is_a_value_error_naming_the_allowed_ones(algorithm: str) -> None:
    with pytest.raises(ValueError, match="MD5, SHA256"):
        sign("s", b"{}", "1", "r", "u", algorithm)


def test_sign_accepts_a_memoryview_without_copying_the_body() -> None:
    body = bytearray(b'{"data":"x"}' * 1000)
    assert sign("s", memoryview(body), "1", "r", "u") == sign("s", bytes(body), "1", "r", "u")  # type: ignore[arg-type]


def test_signature_headers_carry_a_sign_over_the_body_with_their_own_request_id_and_time() -> None:
    from callbot_signing import signature_headers

    headers = signature_headers("k3y", UTF8_BODY, "acc-uuid", "sha256")
    assert set(headers) == {"requestID", "uuid", "createTs", "algorithm", "sign"}
    assert headers["algorithm"] == "SHA256" and re.fullmatch("[0-9a-f]{32}", headers["requestID"])
    expected = documented_sign("k3y", UTF8_BODY, headers["createTs"], headers["requestID"], "acc-uuid", "SHA256")
    assert headers["sign"] == expected
    fixed = signature_headers("k3y", UTF8_BODY, "acc-uuid", "MD5", request_id="r1", create_ts="1700000000")
    assert fixed["sign"] == "CDC8F84AF4314FDB4AC87C591E9CF274"  # the coreutils vector above
