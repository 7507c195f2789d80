"""Accounts the sandbox knows: uuid -> secret key and the algorithm set in the console."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from callbot_signing import SecretKey
from callbot_signing.wire import normalize_algorithm


@dataclass(frozen=True)
class Account:
    uuid: str
    secret_key: str = field(repr=False)
    #: The algorithm the account is set to in the console: the one its callbacks are signed with (they carry
    #: no algorithm header). A request is verified with the algorithm its own header names, MD5 without one.
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
