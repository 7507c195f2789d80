"""The private httpx and httpcore names the client relies on are there, with the shape it relies on.

Every such name is used in one module, ``callbot_signing._httpx_private`` (the one private module a test
imports: the names are its subject), and checked by its ``problems()``. httpx is pinned below 0.29 for them:
an upgrade that moves one fails here, naming it, rather than somewhere in the transport.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import httpcore
import httpx
import pytest
from callbot_signing import _httpx_private


def test_every_private_httpx_and_httpcore_name_relied_on_is_there() -> None:
    found = _httpx_private.problems()
    assert found == [], "\n".join(found)


def _renamed(cls: type, name: str) -> Callable[[pytest.MonkeyPatch], None]:
    """A fake upgrade that stores ``name`` of ``cls``'s instances under another name."""

    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        original = cls.__init__  # type: ignore[misc]

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            setattr(self, f"{name}_moved", self.__dict__.pop(name))

        monkeypatch.setattr(cls, "__init__", init)

    return apply


def _content_moved(cls: type) -> Callable[[pytest.MonkeyPatch], None]:
    """A fake upgrade whose ``content`` reads the body from another attribute than ``_content``."""

    def apply(monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(cls, "content", property(lambda self: self.__dict__.get("_body", b"")))

    return apply


def _socket_stream_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(importlib.import_module("httpcore._backends.sync"), "SyncStream")


@pytest.mark.parametrize(
    ("name", "upgrade"),
    [
        ("httpx.Request._content", _content_moved(httpx.Request)),
        ("httpx.Response._content", _content_moved(httpx.Response)),
        ("httpx.HTTPTransport._pool", _renamed(httpx.HTTPTransport, "_pool")),
        ("httpx.AsyncHTTPTransport._pool", _renamed(httpx.AsyncHTTPTransport, "_pool")),
        ("httpcore's ConnectionPool._network_backend", _renamed(httpcore.ConnectionPool, "_network_backend")),
        (
            "httpcore's AsyncConnectionPool._network_backend",
            _renamed(httpcore.AsyncConnectionPool, "_network_backend"),
        ),
        ("httpcore's httpcore._backends.sync.SyncStream", _socket_stream_moved),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_moved_private_name_fails_the_check_naming_it_and_the_pin(
    name: str, upgrade: Callable[[pytest.MonkeyPatch], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(monkeypatch)
    found = _httpx_private.problems()
    assert found, "the check did not notice the fake upgrade"
    versions = f"httpx {httpx.__version__} (httpcore {httpcore.__version__})"
    assert [message for message in found if message.startswith(f"{versions} moved {name}: ")] == found[:1], found
    for message in found:  # a moved pool also hides its network backend: both are named
        assert message.startswith(f"{versions} moved ")
        assert message.endswith(
            "Update signing/callbot_signing/_httpx_private.py (httpx is pinned below 0.29 for these private names)."
        )
