"""Every use of a private name of httpx or httpcore, each in one small function that says what it relies on.

httpx is pinned below 0.29 (pyproject.toml) because of these names. :func:`problems` checks each against the
httpx and httpcore installed, and ``contract_tests/client/test_httpx_private.py`` runs it, so that an upgrade
that moves one fails there, naming it, instead of somewhere in the transport. Nothing else in this package
reads or writes a private attribute of an httpx or httpcore object, nor imports a private httpcore module.
"""

from __future__ import annotations

import importlib
import socket
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:  # httpcore is imported by the functions that need it: importing the client does not
    import httpcore

    NetworkBackend = httpcore.NetworkBackend | httpcore.AsyncNetworkBackend

#: Where the class of httpcore's plain socket stream lives.
_SOCKET_STREAM_MODULE = "httpcore._backends.sync"


@cache
def _socket_stream_class() -> type | None:
    try:
        from httpcore._backends.sync import SyncStream
    except ImportError:  # pragma: no cover - another httpcore: sync uploads are written piece by piece instead
        return None
    return SyncStream


def set_request_body(request: httpx.Request, content: bytes) -> None:
    """Make ``content`` the body of ``request``, as sent and as read.

    Relies on: ``httpx.Request`` keeps the body it read in ``_content`` (what ``request.content`` and
    ``request.read()`` return, and what the signature is computed over) beside the ``stream`` it sends."""
    request.stream = httpx.ByteStream(content)
    request._content = content


def set_response_body(response: httpx.Response, body: bytes) -> None:
    """Make ``body`` (already read and decoded) the body of ``response``, without reading it again.

    Relies on: ``httpx.Response`` keeps the body it read in ``_content`` (what ``response.content`` and
    ``response.read()`` return; ``read()`` does not touch the stream once it is set)."""
    response.stream = httpx.ByteStream(body)
    response._content = body


def set_headers(headers: httpx.Headers, pairs: dict[str, str]) -> None:
    """``headers[name] = value`` for each pair, in one pass when none of the names is there yet (the signature
    headers of a first attempt): appended as ``__setitem__`` appends a new name, without a scan per name.

    Relies on: ``httpx.Headers`` keeps its items in ``_list`` as (name, lower-case name, value) byte triples,
    encoded with ``_encoding`` or UTF-8, as ``__setitem__`` encodes them."""
    encoding = headers._encoding or "utf-8"
    new = [
        (name.encode(encoding), name.lower().encode(encoding), value.encode(encoding)) for name, value in pairs.items()
    ]
    names = {lowered for _, lowered, _ in new}
    if len(names) < len(new) or any(lowered in names for _, lowered, _ in headers._list):
        for name, value in pairs.items():  # some are there already (a retry): replaced where they are
            headers[name] = value
        return
    headers._list.extend(new)


def pool_network_backend(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> NetworkBackend | None:
    """The network backend through which ``transport``'s connection pool opens its connections; None when it
    has none where this module looks.

    Relies on: httpx's ``HTTPTransport``/``AsyncHTTPTransport`` keep their httpcore pool in ``_pool``, and
    httpcore's ``ConnectionPool``/``AsyncConnectionPool`` (proxies included) open every new connection through
    their ``_network_backend``."""
    import httpcore

    backend = getattr(getattr(transport, "_pool", None), "_network_backend", None)
    return backend if isinstance(backend, httpcore.NetworkBackend | httpcore.AsyncNetworkBackend) else None


def set_pool_network_backend(
    transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, backend: NetworkBackend
) -> None:
    """Route the connections that ``transport``'s pool opens from now on through ``backend`` (see
    :func:`pool_network_backend` for what this relies on)."""
    transport._pool._network_backend = backend


def is_socket_stream(stream: object) -> bool:
    """Whether ``stream`` is httpcore's plain socket stream, whose ``get_extra_info("socket")`` may be written to
    directly, a send at a time.

    Relies on: httpcore's sync backend opens (and wraps TLS connections into) ``httpcore._backends.sync.
    SyncStream``, a stream that only sends and receives on that socket."""
    stream_class = _socket_stream_class()
    return stream_class is not None and type(stream) is stream_class


# --- the check of the names above against the installed httpx and httpcore -----------------------------------


def problems() -> list[str]:
    """One message for each name above that the installed httpx or httpcore no longer has as relied on; []
    when all are there."""
    import httpcore

    found = []
    for name, check in _checks():
        try:
            trouble = check()
        except Exception as exc:  # whatever a moved name raises
            trouble = f"{type(exc).__name__}: {exc}"
        if trouble:
            found.append(
                f"httpx {httpx.__version__} (httpcore {httpcore.__version__}) moved {name}: {trouble}. Update "
                "signing/callbot_signing/_httpx_private.py (httpx is pinned below 0.29 for these private names)."
            )
    return found


def _request_content() -> str:
    request = httpx.Request("POST", "http://127.0.0.1/", content=b"old")
    request.read()
    set_request_body(request, b"new")
    if request.content != b"new" or request.read() != b"new":
        return "request.content no longer gives the body set in request._content"
    return ""


def _response_content() -> str:
    response = httpx.Response(200, content=b"old")
    set_response_body(response, b"new")
    if response.content != b"new" or response.read() != b"new":
        return "response.content no longer gives the body set in response._content"
    return ""


def _headers_list() -> str:
    pairs = {"requestID": "r-1", "uuid": "u-1", "createTs": "1", "algorithm": "MD5", "sign": "S"}
    for before in ([("Host", "h"), ("Content-Length", "2")], [("Host", "h"), ("Sign", "old"), ("sign", "older")]):
        ours, theirs = httpx.Headers(before), httpx.Headers(before)
        set_headers(ours, pairs)
        for name, value in pairs.items():
            theirs[name] = value
        if ours.raw != theirs.raw or ours.multi_items() != theirs.multi_items() or ours.get("SIGN") != "S":
            return "headers appended to _list are not those __setitem__ sets"
    return ""


def _transport_pool(
    transport_class: type[httpx.HTTPTransport | httpx.AsyncHTTPTransport], pool_class: type
) -> Callable[[], str]:
    def check() -> str:
        pool = transport_class()._pool
        if not isinstance(pool, pool_class):
            return f"_pool is a {type(pool).__name__}, not an httpcore.{pool_class.__name__}"
        return ""

    return check


class _Probe(Exception):
    """Raised by the probe backend when a pool opens a connection through it."""


def _sync_pool_backend() -> str:
    import httpcore

    class _ProbeBackend(httpcore.NetworkBackend):
        def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
            raise _Probe

    transport = httpx.HTTPTransport()
    with transport:
        if not isinstance(transport._pool._network_backend, httpcore.NetworkBackend):
            return "_network_backend is not an httpcore.NetworkBackend"
        set_pool_network_backend(transport, _ProbeBackend())
        try:
            transport.handle_request(httpx.Request("GET", "http://127.0.0.1:9/"))
        except _Probe:
            return ""
    return "a new connection of the pool was not opened through the backend set in _network_backend"


def _async_pool_backend() -> str:
    import httpcore

    if not isinstance(httpx.AsyncHTTPTransport()._pool._network_backend, httpcore.AsyncNetworkBackend):
        return "_network_backend is not an httpcore.AsyncNetworkBackend"
    return ""


def _socket_stream() -> str:
    import httpcore

    stream_class = importlib.import_module(_SOCKET_STREAM_MODULE).SyncStream
    if not (isinstance(stream_class, type) and issubclass(stream_class, httpcore.NetworkStream)):
        return f"{_SOCKET_STREAM_MODULE}.SyncStream is not an httpcore.NetworkStream class"
    with socket.create_server(("127.0.0.1", 0)) as server:  # loopback only: what the sync backend opens
        stream = httpcore.SyncBackend().connect_tcp("127.0.0.1", server.getsockname()[1], timeout=5.0)
        try:
            if not is_socket_stream(stream) or not isinstance(stream.get_extra_info("socket"), socket.socket):
                return f"the sync backend opens a {type(stream).__name__}, not a SyncStream on a socket"
        finally:
            stream.close()
    return ""


def _checks() -> tuple[tuple[str, Callable[[], str]], ...]:
    """Each private name relied on, as a failure names it, and its check: what the functions above need of it."""
    import httpcore

    return (
        ("httpx.Request._content", _request_content),
        ("httpx.Response._content", _response_content),
        ("httpx.Headers._list", _headers_list),
        ("httpx.HTTPTransport._pool", _transport_pool(httpx.HTTPTransport, httpcore.ConnectionPool)),
        ("httpx.AsyncHTTPTransport._pool", _transport_pool(httpx.AsyncHTTPTransport, httpcore.AsyncConnectionPool)),
        ("httpcore's ConnectionPool._network_backend", _sync_pool_backend),
        ("httpcore's AsyncConnectionPool._network_backend", _async_pool_backend),
        (f"httpcore's {_SOCKET_STREAM_MODULE}.SyncStream", _socket_stream),
    )
