"""Accounts the sandbox knows: uuid -> secret key and the console's default algorithm."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from callbot_signing import SecretKey
from callbot_signing.wire import normalize_algorithm


@dataclass(frozen=True)
class Account:
    uuid: str
    secret_key: str = field(repr=False)
    #: The algorithm the account is set to in the console; used when a request has no algorithm header.
    algorithm: str = "MD5"
    #: The secret key, checked and wrapped once: what the sandbox signs and verifies with.
    key: SecretKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "algorithm", normalize_algorithm(self.algorithm))
        object.__setattr__(self, "key", SecretKey(self.secret_key))

    @classmethod
    def generate(cls, algorithm: str = "MD5") -> Account:
        """A fresh account with random credentials, for a sandbox started without any."""
        return cls(uuid=secrets.token_hex(16), secret_key=secrets.token_hex(16), algorithm=algorithm)
