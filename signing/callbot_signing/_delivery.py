"""What a WebhookReceiver works with: the accounts it serves, the Delivery it hands a handler, the Answer it
gives the sender, and the request's headers."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._constants import DEFAULT_ALGORITHM, ENV_ALGORITHM, ENV_SECRET_KEY, ENV_UUID
from ._secret import SecretKey
from ._signature import normalize_algorithm
from ._webhooks import Webhook, WebhookKind

_E = TypeVar("_E", bound=Webhook, covariant=True)
AccountKey = str | SecretKey | tuple[str | SecretKey, str]
Pairs = list[tuple[str, str]] | list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Delivery(Generic[_E]):
    """One verified callback, as a handler gets it: its ``kind``, the ``account`` (uuid) it came for, its
    ``request_id`` and ``create_ts`` (as signed), and ``event``, the typed model (``CallCallback``,
    ``OrderCallback`` or ``TaskCallback``)."""

    kind: WebhookKind
    account: str
    request_id: str
    create_ts: int
    event: _E


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to one delivery: ``status`` and a one-line ``text``."""

    status: int
    text: str

    def headers(self) -> list[tuple[str, str]]:
        extra = {503: [("Retry-After", "1")], 405: [("Allow", "POST")]}.get(self.status, [])
        return [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(self.body))), *extra]

    @property
    def body(self) -> bytes:
        return self.text.encode("utf-8")


def accounts_from_env() -> dict[str, AccountKey]:
    uuid, key = os.environ.get(ENV_UUID), os.environ.get(ENV_SECRET_KEY)
    if not uuid or not key:
        raise ValueError(
            f"WebhookReceiver() without accounts serves the account of {ENV_UUID} and {ENV_SECRET_KEY} "
            f"({ENV_ALGORITHM} optional), and they are not set: set them, or pass accounts={{uuid: secret_key}}"
        )
    return {uuid: (key, os.environ.get(ENV_ALGORITHM) or DEFAULT_ALGORITHM)}


def checked_accounts(accounts: Mapping[str, AccountKey]) -> dict[str, tuple[SecretKey, str]]:
    if not isinstance(accounts, Mapping) or not accounts:
        raise TypeError("accounts must be a non-empty mapping of uuid to secret_key or (secret_key, algorithm)")
    checked = {}
    for uuid, value in accounts.items():
        if not isinstance(uuid, str) or not uuid:
            raise TypeError(f"each account's uuid must be a non-empty str, got {type(uuid).__name__}")
        key, algorithm = value if isinstance(value, tuple) else (value, DEFAULT_ALGORITHM)
        try:
            algorithm = normalize_algorithm(algorithm)
        except ValueError:
            raise ValueError(f"account {uuid!r}: the algorithm must be 'MD5' or 'SHA256', got {algorithm!r}") from None
        checked[uuid] = (SecretKey(key), algorithm)
    return checked


def header(pairs: Iterable[tuple[Any, Any]], name: str) -> str | None:
    """The first value of header ``name`` (any case) in str or bytes pairs."""
    for key, value in pairs:
        text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if text.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None
