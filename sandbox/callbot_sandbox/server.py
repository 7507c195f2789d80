"""Run the sandbox with uvicorn on 127.0.0.1: in a background thread (tests) or as a command."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def load_config(path: str) -> list[Account]:
    """A JSON file: ``{"accounts": [{"uuid": ..., "secretKey": ..., "algorithm": "MD5"}]}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return [Account(a["uuid"], a["secretKey"], a.get("algorithm", "MD5")) for a in data["accounts"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SystemExit(f"cannot read accounts from {path}: {type(exc).__name__}: {exc}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callbot-sandbox", description="A reference Callbot v3 server for tests.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument(
        "--account", type=parse_account, action="append", default=[], help="UUID:SECRET_KEY[:ALGORITHM], repeatable"
    )
    parser.add_argument("--config", help='JSON file: {"accounts": [{"uuid", "secretKey", "algorithm"}]}')
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated dialer (default 0)")
    parser.add_argument(
        "--clock",
        choices=["real", "virtual"],
        default="real",
        help='real: calls happen in real time; virtual: only when POST /_sandbox/advance {"seconds": N} says',
    )
    parser.add_argument(
        "--allow-external-callbacks", action="store_true", help="also send callbacks to non-loopback URLs"
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    from .app import Sandbox
    from .dialer import VirtualClock

    args = build_parser().parse_args(argv)
    accounts: list[Account] = args.account + (load_config(args.config) if args.config else [])
    if not accounts:
        accounts = [Account.generate()]
    sandbox = Sandbox(
        accounts,
        seed=args.seed,
        virtual_clock=VirtualClock(time.time()) if args.clock == "virtual" else None,
        allow_external_callbacks=args.allow_external_callbacks,
    )
    print(f"Callbot sandbox on http://{args.host}:{args.port} ({args.clock} clock, seed {args.seed})")
    for account in accounts:
        print(f"  account: uuid={account.uuid} secret_key={account.secret_key} algorithm={account.algorithm}")
    print("Stop it with Ctrl-C.", flush=True)
    stop = threading.Event()
    if args.clock == "real":
        threading.Thread(target=_heartbeat, args=(sandbox, stop), name="callbot-sandbox-tick", daemon=True).start()
    try:
        # uvicorn binds the port itself (keeping TCP_NODELAY) and stops cleanly on SIGINT and SIGTERM.
        uvicorn.run(sandbox.asgi_app(), host=args.host, port=args.port, log_level=args.log_level)
    finally:
        stop.set()


def _heartbeat(sandbox: Any, stop: threading.Event) -> None:
    """Real-time mode: dial what is due and deliver callbacks, twice a second."""
    while not stop.wait(0.5):
        try:
            sandbox.tick()
        except Exception:  # a bad callback target must not stop the dialer
            logging.getLogger("callbot_sandbox").exception("sandbox tick failed")
