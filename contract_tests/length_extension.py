"""Test support: a pure-Python MD5 and SHA-256 with a settable state, and a length-extension forger.

Given only ``H(secret + message)``, the length of ``secret + message`` and the algorithm, :func:`extend`
computes ``H(secret + message + glue + suffix)`` for any ``suffix``, where ``glue`` is the hash's own
padding of the original input. The compression functions are written from RFC 1321 and FIPS 180-4 and
checked against hashlib in test_length_extension.py before anything relies on them.
"""

from __future__ import annotations

import math
import struct

_MASK = 0xFFFFFFFF

# --- MD5 (RFC 1321) ---------------------------------------------------------------------------------------

_MD5_SHIFTS = [7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4 + [6, 10, 15, 21] * 4
_MD5_K = [int(abs(math.sin(i + 1)) * 2**32) & _MASK for i in range(64)]
_MD5_INIT = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476)


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (32 - n))) & _MASK


def md5_compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    m = struct.unpack("<16I", block)
    a, b, c, d = state
    for i in range(64):
        if i < 16:
            f, g = (b & c) | (~b & d), i
        elif i < 32:
            f, g = (d & b) | (~d & c), (5 * i + 1) % 16
        elif i < 48:
            f, g = b ^ c ^ d, (3 * i + 5) % 16
        else:
            f, g = c ^ (b | (~d & _MASK)), (7 * i) % 16
        f = (f + a + _MD5_K[i] + m[g]) & _MASK
        a, d, c = d, c, b
        b = (b + _rotl(f, _MD5_SHIFTS[i])) & _MASK
    return tuple((x + y) & _MASK for x, y in zip(state, (a, b, c, d), strict=True))


# --- SHA-256 (FIPS 180-4) ---------------------------------------------------------------------------------


def _first_primes(n: int) -> list[int]:
    primes: list[int] = []
    candidate = 2
    while len(primes) < n:
        if all(candidate % p for p in primes):
            primes.append(candidate)
        candidate += 1
    return primes


def _frac_bits(x: float) -> int:
    return int((x - math.floor(x)) * 2**32) & _MASK


_SHA_K = [_frac_bits(p ** (1 / 3)) for p in _first_primes(64)]
_SHA_INIT = tuple(_frac_bits(math.sqrt(p)) for p in _first_primes(8))


def _rotr(x: int, n: int) -> int:
    return ((x >> n) | (x << (32 - n))) & _MASK


def sha256_compress(state: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    w = list(struct.unpack(">16I", block))
    for i in range(16, 64):
        s0 = _rotr(w[i - 15], 7) ^ _rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
        s1 = _rotr(w[i - 2], 17) ^ _rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
        w.append((w[i - 16] + s0 + w[i - 7] + s1) & _MASK)
    a, b, c, d, e, f, g, h = state
    for i in range(64):
        t1 = (h + (_rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)) + ((e & f) ^ (~e & g)) + _SHA_K[i] + w[i]) & _MASK
        t2 = ((_rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) & _MASK
        a, b, c, d, e, f, g, h = (t1 + t2) & _MASK, a, b, c, (d + t1) & _MASK, e, f, g
    return tuple((x + y) & _MASK for x, y in zip(state, (a, b, c, d, e, f, g, h), strict=True))


# --- Merkle-Damgård around both ---------------------------------------------------------------------------

_LAYOUT = {"MD5": ("<", 4, _MD5_INIT, md5_compress), "SHA256": (">", 8, _SHA_INIT, sha256_compress)}


def padding(algorithm: str, length: int) -> bytes:
    """The bytes the hash appends to an input of ``length`` bytes: 0x80, zeros, the bit length."""
    order = _LAYOUT[algorithm][0]
    zeros = (55 - length) % 64
    return b"\x80" + b"\x00" * zeros + struct.pack(order + "Q", (length * 8) & (2**64 - 1))


def _run(algorithm: str, state: tuple[int, ...], data: bytes, prior_length: int) -> str:
    order, words, _, compress = _LAYOUT[algorithm]
    padded = data + padding(algorithm, prior_length + len(data))
    for start in range(0, len(padded), 64):
        state = compress(state, padded[start : start + 64])
    return struct.pack(f"{order}{words}I", *state).hex().upper()


def digest(algorithm: str, data: bytes) -> str:
    """The upper-case hex digest of ``data``, computed here (to check against hashlib)."""
    return _run(algorithm, _LAYOUT[algorithm][2], data, 0)


def extend(algorithm: str, known_digest: str, known_length: int, suffix: bytes) -> tuple[bytes, str]:
    """``(glue, digest)`` such that ``digest == H(original + glue + suffix)`` for the unknown ``original`` of
    ``known_length`` bytes whose digest is ``known_digest``. Uses nothing but those three and ``suffix``."""
    order, words, _, _ = _LAYOUT[algorithm]
    state = struct.unpack(f"{order}{words}I", bytes.fromhex(known_digest))
    glue = padding(algorithm, known_length)
    return glue, _run(algorithm, state, suffix, known_length + len(glue))
