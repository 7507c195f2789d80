"""Run the sandbox with uvicorn on 127.0.0.1: in a background thread (tests) or as a command."""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from .accounts import Account

READY_TIMEOUT = 10.0


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a daemon thread; yield its base URL, stop it on exit.

    uvicorn binds the socket itself (port 0 picks a free one): handing it a pre-bound socket would lose
    TCP_NODELAY and add ~40 ms to every request.
    """
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)

    def run() -> None:
        # uvicorn exits on a startup failure (e.g. the port is in use); the wait below reports it.
        with contextlib.suppress(SystemExit):
            server.run()

    thread = threading.Thread(target=run, name="callbot-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + READY_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(
                f"the sandbox did not start on {host}:{port} within {READY_TIMEOUT} s (is the port in use? "
                "uvicorn's log above says why)"
            )
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(READY_TIMEOUT)


def parse_account(text: str) -> Account:
    """``UUID:SECRET_KEY[:ALGORITHM]`` -> Account."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError(f"expected UUID:SECRET_KEY[:ALGORITHM], got {text!r}")
    try:
        return Account(*parts)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> None:
    from .app import create_app

    parser = argparse.ArgumentParser(prog="callbot-sandbox", description="A reference Callbot v3 server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument(
        "--account", type=parse_account, action="append", default=[], help="UUID:SECRET_KEY[:ALGORITHM], repeatable"
    )
    args = parser.parse_args(argv)
    accounts: list[Account] = args.account or [Account.generate()]
    print(f"Callbot sandbox on http://{args.host}:{args.port}")
    for account in accounts:
        print(f"  account uuid={account.uuid} secret_key={account.secret_key} algorithm={account.algorithm}")
    uvicorn.run(create_app(accounts), host=args.host, port=args.port, log_level="info")
