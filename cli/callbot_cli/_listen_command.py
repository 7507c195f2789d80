"""`callbot webhook listen`: a local receiver for development that prints each verified callback as it arrives
(and, with --forward-to, posts it on to your own receiver, signed bytes unchanged).

It serves a WebhookReceiver for the account of the environment or profile, under the standard library's
threading WSGI server (no extra needed), on 127.0.0.1 unless told otherwise. Point the sandbox's (or the
platform's) callback URLs at it: http://127.0.0.1:PORT/call, /order and /task.
"""

from __future__ import annotations

import contextvars
import datetime
import io
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click
import httpx
from callbot_signing import Delivery, WebhookReceiver
from callbot_signing.wire import DEFAULT_MAX_CLOCK_SKEW, MAX_REPLAY_WINDOW, check_seconds

from . import _exit
from ._app import Settings, checked_option, fail

#: Characters of an answer printed.
MAX_ANSWER_SHOWN = 2000
#: The fields printed for each kind, when the callback has them (wire names).
KEY_FIELDS = {
    "call": ("userTaskID", "orderID", "userPhone", "callbackType", "callInfoDetail.callStatus"),
    "order": ("userTaskID", "orderID", "userPhone", "finish", "callInfoDetail.callStatus"),
    "task": ("userTaskID", "taskID", "taskStatus"),
}
#: The headers forwarded with the body: the signed ones (and the algorithm, if the sender gave it).
SIGNED = ("requestID", "uuid", "createTs", "sign", "algorithm")
#: The raw request a handler is running for (headers and body, as signed), for --forward-to.
_request: contextvars.ContextVar[tuple[list[tuple[str, str]], bytes]] = contextvars.ContextVar("request")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the deliveries are printed instead
        pass


def key_fields(delivery: Delivery[Any]) -> str:
    payload = delivery.event.to_dict()
    shown = []
    for path in KEY_FIELDS[delivery.kind]:
        value: Any = payload
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            shown.append(f"{path.rsplit('.', 1)[-1]}={value}")
    return " ".join(shown)


def printable(text: str) -> str:
    """``text`` with control characters escaped: a request path or an answer cannot move the terminal's cursor."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _now() -> str:
    return datetime.datetime.now().strftime("%H:%M:%S")


def listening_app(receiver: WebhookReceiver) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The receiver's WSGI app, printing what it refused; the raw request kept for the handlers."""
    inner = receiver.wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or "0"
        body = environ["wsgi.input"].read(int(length)) if length.isdigit() and 0 < int(length) <= 4 << 20 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = [(name, environ[f"HTTP_{name.upper()}"]) for name in SIGNED if f"HTTP_{name.upper()}" in environ]
        headers.append(("Content-Type", environ.get("CONTENT_TYPE") or "application/json"))
        _request.set((headers, body))
        statuses: list[str] = []

        def keep(status: str, response_headers: list[tuple[str, str]], *rest: Any) -> Any:
            statuses.append(status)
            return start_response(status, response_headers, *rest)

        answer = b"".join(inner(environ, keep))
        if not statuses[0].startswith("200"):
            text = answer.decode("utf-8", "replace")[:MAX_ANSWER_SHOWN]
            click.echo(f"{_now()} {printable(environ.get('PATH_INFO', ''))} answered {statuses[0]}: {printable(text)}")
        return [answer]

    return app


def _handler(forward_to: str | None, timeout: float) -> Callable[[Delivery[Any]], None]:
    def show(delivery: Delivery[Any]) -> None:
        click.echo(f"{_now()} {delivery.kind:<5} {delivery.account} {delivery.request_id} {key_fields(delivery)}")
        if forward_to is None:
            return
        headers, body = _request.get()
        url = f"{forward_to.rstrip('/')}/{delivery.kind}"
        try:
            answer = httpx.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.HTTPError as exc:
            click.echo(f"  -> {url}: {type(exc).__name__}: {exc}")
            raise  # 500: the sender retries
        click.echo(f"  -> {url}: HTTP {answer.status_code} {answer.text[:MAX_ANSWER_SHOWN]}")
        if answer.status_code >= 500:
            raise RuntimeError(f"{url} answered {answer.status_code}")

    return show


@click.command("listen")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--forward-to", metavar="URL", help="Post each verified callback on to URL/<kind>, as received.")
@click.option("--max-age", type=float, default=DEFAULT_MAX_CLOCK_SKEW, show_default=True,
              callback=lambda _context, _param, value: checked_option(check_seconds, "--max-age", value,
                                                                maximum=MAX_REPLAY_WINDOW),
              help="Seconds createTs may be off.")  # fmt: skip
@click.pass_obj
def listen(settings: Settings, port: int, host: str, forward_to: str | None, max_age: float) -> int:
    """Receive callbacks for your account and print each verified one (kind, account, requestID, key fields);
    refused ones are printed with the rule. Point callback URLs at http://HOST:PORT/call, /order and /task.
    Ctrl-C stops it."""
    if forward_to is not None and not forward_to.startswith(("http://", "https://")):
        raise click.BadParameter("must be an http(s) URL", param_hint="--forward-to")
    account = settings.credentials()
    receiver = WebhookReceiver({account.uuid: (account.secret_key, account.algorithm)}, max_clock_skew=max_age)
    show = _handler(forward_to, settings.timeout)
    receiver.on("call")(show)
    receiver.on("order")(show)
    receiver.on("task")(show)
    try:
        server = make_server(host, port, listening_app(receiver), _ThreadingServer, _QuietHandler)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        return _exit.BAD_INPUT
    with server:
        bound = server.server_address[1]
        click.echo(
            f"listening on http://{host}:{bound} for account {account.uuid} (/call, /order, /task); Ctrl-C stops"
        )
        server.serve_forever()
    return _exit.OK
