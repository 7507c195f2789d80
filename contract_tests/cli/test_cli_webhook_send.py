"""`callbot webhook send` against receivers served on 127.0.0.1: WebhookReceiver's ASGI and WSGI apps pass
every check (their 200 "already handled" to a replay included) and run the handler once per delivery; a
receiver that answers a replay as if it were new, or neither refuses nor acknowledges it, fails with exit 6.
The command sees answers, not handlers: a 2xx to a replay passes only when it says it was handled already."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from callbot_cli import main
from callbot_sandbox import serve_in_thread
from nxcloud_callbot import Delivery, WebhookReceiver
from nxcloud_callbot.models import OrderCallback
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from ..conftest import MD5_ACCOUNT

SECRET = MD5_ACCOUNT.secret_key


@pytest.fixture(autouse=True)
def account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLBOT_UUID", MD5_ACCOUNT.uuid)
    monkeypatch.setenv("CALLBOT_SECRET_KEY", SECRET)
    monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
    monkeypatch.delenv("CALLBOT_PROFILE", raising=False)


def send(capsys: pytest.CaptureFixture[str], url: str, *variant: str) -> tuple[int, str, str]:
    code = main(["webhook", "send", "--to", url, "--kind", "order", *variant])
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    return code, captured.out, captured.err


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_wsgi_in_thread(app: Callable[..., Any]) -> Iterator[str]:
    """A WSGI app under the standard library's threading server on a free port of 127.0.0.1 (bound before
    this yields, so no readiness poll is needed); stopped on exit."""
    server = make_server("127.0.0.1", 0, app, _ThreadingServer, _QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextmanager
def served_receiver(server: str) -> Iterator[tuple[str, list[str]]]:
    """A WebhookReceiver of the environment's account, as ASGI (uvicorn) or WSGI, and its handled requestIDs."""
    receiver = WebhookReceiver({MD5_ACCOUNT.uuid: SECRET})
    handled: list[str] = []

    @receiver.on("order")
    def order(delivery: Delivery[OrderCallback]) -> None:
        handled.append(delivery.request_id)

    serving = serve_in_thread(receiver.asgi_app()) if server == "asgi" else serve_wsgi_in_thread(receiver.wsgi_app())
    with serving as url:
        yield f"{url}/callbot/order", handled


@pytest.mark.parametrize("server", ["asgi", "wsgi"])
def test_webhook_send_passes_webhook_receiver_which_handles_each_delivery_once(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with served_receiver(server) as (url, handled):
        code, out, err = send(capsys, url, "--replay")
        assert code == 0, out + err
        assert "delivery: HTTP 200 handled" in out and "replayed: HTTP 200 already handled" in out
        assert "acknowledged the replay as handled already" in out
        assert len(handled) == 1
        for variant in ("--tamper", "--stale"):
            code, out, err = send(capsys, url, variant)
            assert code == 0 and "HTTP 400 refused" in out, out + err
        assert len(handled) == 1
        code, out, err = send(capsys, url)
        assert code == 0 and "accepted the delivery" in out, out + err
    assert len(handled) == 2 and handled[0] != handled[1]


def scripted(*answers: tuple[int, str]) -> Starlette:
    """A receiver that verifies nothing and gives these answers in turn (then the last one again)."""
    given = iter(answers)

    async def answer(request: Request) -> PlainTextResponse:
        status, text = next(given, answers[-1])
        return PlainTextResponse(text, status_code=status)

    return Starlette(routes=[Route("/hook", answer, methods=["POST"])])


@pytest.mark.parametrize(
    ("answers", "told"),
    [
        pytest.param([(200, "handled")], "cannot be told from handling the callback twice", id="handled-twice"),
        pytest.param([(200, "ok")], "neither refused the replay", id="ok-twice"),
        pytest.param([(200, "ok"), (500, "database down")], "neither refused", id="replay-500"),
        pytest.param([(200, "ok"), (429, "slow down, already busy")], "neither refused", id="replay-429"),
        pytest.param([(200, "already seen"), (200, "already seen")], "neither refused", id="same-text-twice"),
        pytest.param([(400, "refused"), (400, "refused")], "did not accept the first delivery", id="refuses-all"),
    ],
)
def test_webhook_send_fails_a_receiver_whose_replay_answer_does_not_show_it_was_not_handled_again(
    answers: list[tuple[int, str]], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(scripted(*answers)) as url:
        code, _, err = send(capsys, f"{url}/hook", "--replay")
    assert code == 6 and told in err


@pytest.mark.parametrize(
    ("replay_answer", "verdict"),
    [
        ((409, "duplicate"), "refused the replay delivery"),
        ((400, "rejected: replay"), "refused the replay delivery"),
        ((202, "Duplicate delivery, ignored"), "acknowledged the replay"),
        ((200, '{"status": "already processed"}'), "acknowledged the replay"),
    ],
)
def test_webhook_send_passes_a_receiver_that_refuses_a_replay_or_says_it_was_handled_already(
    replay_answer: tuple[int, str], verdict: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_in_thread(scripted((200, '{"status": "ok"}'), replay_answer)) as url:
        code, out, err = send(capsys, f"{url}/hook", "--replay")
    assert code == 0 and verdict in out, out + err
