"""The private httpx and httpcore names the client relies on are there, with the shape it relies on.

Every such name is used in one module, ``callbot_signing._httpx_private``, and checked by its ``problems()``,
public as ``nxcloud_callbot.wire.httpx_private_problems`` (for whoever installs another httpx). httpx is pinned
below 0.29 for them: an upgrade that moves one fails here, naming it, rather than somewhere in the transport.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest
from nxcloud_callbot.wire import httpx_private_problems


def test_every_private_httpx_and_httpcore_name_relied_on_is_there() -> None:
    found = httpx_private_problems()
    assert found == [], "\n".join(found)


#: The names under which the client's modules reach objects of their own package (a CallbotAuth, a copy of a
#: client or transport): their private attributes are this package's, not httpx's.
OWN_OBJECTS = frozenset({"self", "cls", "auth", "twin", "owner"})


def _private_uses(path: Path) -> list[str]:
    """Each private attribute read or written on an object that is not the package's own, each getattr of a
    private name, and each import of a private module of httpx or httpcore, in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if not (isinstance(node.value, ast.Name) and node.value.id in OWN_OBJECTS):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("attr"):
            owner, name = (node.args[0], node.args[1]) if len(node.args) > 1 else (None, None)
            own = isinstance(owner, ast.Name) and owner.id in OWN_OBJECTS
            if isinstance(name, ast.Constant) and str(name.value).startswith("_") and not own:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [
                f"{path.name}:{node.lineno}: import {m}" for m in modules if m.startswith(("httpx._", "httpcore._"))
            ]
    return found


def test_no_other_module_of_the_client_touches_a_private_httpx_or_httpcore_name() -> None:
    package = Path(__file__).resolve().parents[2] / "signing" / "callbot_signing"
    assert (package / "_httpx_private.py").exists()
    assert _private_uses(package / "_httpx_private.py"), "the scan finds nothing: it cannot be trusted"
    offenders = [
        use for path in sorted(package.glob("*.py")) if path.name != "_httpx_private.py" for use in _private_uses(path)
    ]
    assert offenders == [], (
        "use a function of _httpx_private.py (or name the package's own object as one of OWN_OBJECTS)"
    )


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
    found = httpx_private_problems()
    assert found, "the check did not notice the fake upgrade"
    versions = f"httpx {httpx.__version__} (httpcore {httpcore.__version__})"
    assert [message for message in found if message.startswith(f"{versions} moved {name}: ")] == found[:1], found
    for message in found:  # a moved pool also hides its network backend: both are named
        assert message.startswith(f"{versions} moved ")
        assert message.endswith(
            "Update signing/callbot_signing/_httpx_private.py (httpx is pinned below 0.29 for these private names)."
        )
