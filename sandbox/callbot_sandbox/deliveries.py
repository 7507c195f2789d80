"""Where the testing kit's sandbox sends its callbacks, and the record of each one sent.

:class:`CallbackRouter` is the httpx transport the sandbox's :class:`~.callbacks.CallbackSender` posts through
in the kit: it records every attempt (:class:`CallbackRecord`: the URL, the signed headers, the exact body
bytes, the answer's status, the parsed model) and hands the request to the receiver set with ``route_to``,
by the PATH of the callback's URL whatever its host:

- an ASGI app, called in process (:func:`~.inprocess.answer_of`), always on the same event loop
  (:class:`~.inprocess.CallerLoop`), run by the sender's thread;
- a WSGI app, called in process (``httpx.WSGITransport``);
- a base URL (``http://127.0.0.1:8000`` or ``http://127.0.0.1:8000/prefix``): the path is appended to it;
- nothing (the default): the callback is recorded and answered 204, as by a receiver that accepts anything.
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import httpx
from callbot_signing import Webhook, WebhookKind, parse_webhook, webhook_kind

from .accounts import Account
from .inprocess import CallerLoop, answer_of, asgi_scope

Interface = Literal["asgi", "wsgi"]


@dataclass
class CallbackRecord:
    """One signed callback the sandbox sent (each attempt is one record)."""

    #: The URL it was sent to, as the task or the order gave it.
    url: str
    #: The headers it was sent with (the signature headers included; names in any case).
    headers: httpx.Headers
    #: The exact body bytes, as signed.
    body: bytes
    #: The uuid of the account it is signed for.
    account: str
    #: The HTTP status the receiver answered, None when it did not answer (an error: see ``error``).
    status: int | None = None
    error: str = ""
    _account: Account | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return httpx.URL(self.url).path

    @cached_property
    def model(self) -> Webhook:
        """The callback as nxcloud_callbot parses it: ``CallCallback``, ``OrderCallback`` or ``TaskCallback``."""
        if self._account is None:
            raise LookupError(f"the account {self.account!r} of this callback is not the sandbox's")
        create_ts = float(self.headers.get("createTs", "0"))
        return parse_webhook(
            self.headers,
            self.body,
            uuid=self._account.uuid,
            secret_key=self._account.key,
            algorithm=self._account.algorithm,
            now=create_ts,  # the sandbox signed it: only the record is parsed, whenever it is looked at
        )

    @property
    def kind(self) -> WebhookKind:
        """``"call"``, ``"order"`` or ``"task"``, by the payload (as ``webhook_kind`` tells them apart)."""
        value = json.loads(self.body)
        return webhook_kind(value if isinstance(value, dict) else {})


def is_asgi(app: Callable[..., Any]) -> bool:
    """Whether ``app`` is an ASGI app (a coroutine function, or an object whose ``__call__`` is one)."""
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else getattr(app, "__call__", app)  # noqa: B004
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(app)


class RouterClient(httpx.Client):
    """The client the kit's CallbackSender posts through: ``post`` hands the request straight to the router,
    without httpx.Client's cookies, auth, redirects and header merging (a third of a campaign's time)."""

    def __init__(self, router: CallbackRouter, timeout: float) -> None:
        super().__init__(transport=router, timeout=timeout)
        self.router = router
        self._timeouts = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}

    def post(self, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        content, headers = kwargs.pop("content", b""), kwargs.pop("headers", None)
        if kwargs:  # the sender gives only these; anything else takes httpx's full way
            return super().post(url, content=content, headers=headers, **kwargs)
        return self.router.deliver(str(url), httpx.Headers(headers), content, self._timeouts)


class CallbackRouter(httpx.BaseTransport):
    """Records each callback and sends it on to the receiver set with :meth:`route_to` (see the module)."""

    def __init__(self, accounts: Mapping[str, Account]) -> None:
        self._accounts = accounts
        #: The one loop a receiver app runs on, whichever sender thread delivers to it.
        self._loop = CallerLoop()
        self._lock = threading.Lock()
        self.records: list[CallbackRecord] = []
        self._target: httpx.BaseTransport | None = None
        self._base: httpx.URL | None = None
        self._base_is_app = False  # a WSGI app: the request goes to it as it is (only its path is read)
        self._asgi_app: Any = None  # an ASGI app: called straight (deliver)

    def route_to(self, target: Callable[..., Any] | str | None, interface: Interface | None = None) -> None:
        """An ASGI or WSGI app (``interface`` says which; None: an app whose ``__call__`` is a coroutine
        function is ASGI, any other WSGI), a base URL, or None (record only, answered 204)."""
        old = self._target
        if target is None:
            self._target, self._base, self._base_is_app, self._asgi_app = None, None, False, None
        elif isinstance(target, str | httpx.URL):
            base = httpx.URL(str(target))
            if base.scheme not in ("http", "https") or not base.host:
                raise ValueError(f"deliver_to({str(target)!r}): give an http(s) URL such as http://127.0.0.1:8000")
            self._target, self._base, self._base_is_app, self._asgi_app = httpx.HTTPTransport(), base, False, None
        elif callable(target):
            app: Any = target
            if interface not in (None, "asgi", "wsgi"):
                raise ValueError(f'interface must be "asgi" or "wsgi", got {interface!r}')
            if is_asgi(target) if interface is None else interface == "asgi":
                self._target, self._base, self._base_is_app, self._asgi_app = None, None, False, app
            else:
                wsgi = httpx.WSGITransport(app)
                self._target, self._base, self._base_is_app, self._asgi_app = wsgi, httpx.URL("http://app"), True, None
        else:
            raise TypeError(f"deliver_to() takes an ASGI or WSGI app or a URL, got {type(target).__name__}")
        if old is not None:
            old.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.deliver(str(request.url), request.headers, request.read(), request.extensions.get("timeout"))

    def deliver(
        self, url: str, headers: httpx.Headers, body: bytes, timeouts: Mapping[str, float | None] | None
    ) -> httpx.Response:
        """Record one callback and send it to the receiver: its answer, or the httpx error of no answer."""
        uuid = headers.get("uuid", "")
        record = CallbackRecord(url, headers, body, uuid, _account=self._accounts.get(uuid))
        with self._lock:
            self.records.append(record)
            target, base, app = self._target, self._base, self._asgi_app
        try:
            if app is not None:  # an ASGI receiver: called straight, on its one loop
                response = self._call_asgi(app, url, headers, body, (timeouts or {}).get("read"))
            elif target is not None and base is not None:
                request = httpx.Request("POST", url, headers=headers, content=body)
                request.extensions = {"timeout": dict(timeouts or {})}
                forwarded = request if self._base_is_app else self._forwarded(request, base, body)
                response = target.handle_request(forwarded)
                response.read()
            else:
                response = httpx.Response(204)
        except httpx.HTTPError as exc:
            record.error = f"{type(exc).__name__}: {exc}"
            raise
        record.status = response.status_code
        return response

    def _call_asgi(
        self, app: Any, url: str, headers: httpx.Headers, body: bytes, timeout: float | None
    ) -> httpx.Response:
        scope = asgi_scope("POST", url, [*headers.raw, (b"content-length", str(len(body)).encode())])
        try:
            status, answer_headers, content = self._loop.run(answer_of(app, scope, body), timeout)
        except TimeoutError:
            raise httpx.ReadTimeout(f"the receiver did not answer within {timeout} s") from None
        return httpx.Response(status, headers=answer_headers, content=content)

    @staticmethod
    def _forwarded(request: httpx.Request, base: httpx.URL, body: bytes) -> httpx.Request:
        """The request to send to the base URL ``base``: its path, then the callback's."""
        url = base.copy_with(path=base.path.rstrip("/") + request.url.path, query=request.url.query or None)
        headers = [(k, v) for k, v in request.headers.raw if k.lower() not in (b"host", b"content-length")]
        forwarded = httpx.Request(request.method, url, headers=headers, content=body)
        forwarded.extensions = dict(request.extensions)
        return forwarded

    def settle(self, start: int, account_order: list[str]) -> None:
        """Put the records from ``start`` on in account order, each account's in the order sent: the sender
        sends each account's on a thread of its own, so their interleaving alone varies from run to run."""
        rank = {uuid: n for n, uuid in enumerate(account_order)}
        with self._lock:
            new = sorted(self.records[start:], key=lambda record: rank.get(record.account, len(rank)))
            self.records[start:] = new

    def close(self) -> None:
        if self._target is not None:
            self._target.close()
        self._loop.close()
