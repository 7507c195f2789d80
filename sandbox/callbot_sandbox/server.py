"""Run the sandbox with uvicorn on 127.0.0.1: in a background thread (tests) or as a command.

Accounts come from ``--config FILE``, from the environment variable ``CALLBOT_SANDBOX_ACCOUNTS`` or from
``--account`` (which puts the secret key in the process list: it warns). A secret key the user gave is
never printed; an account the sandbox makes up (none given) is printed once, with its key, since nobody
could use it otherwise. Binding to another address than loopback needs ``--allow-non-loopback``.
The HTTP server's limits (timeouts for a request's head and body, a cap on connections, uvicorn's own):
http_limits.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from callbot_signing.wire import ALGORITHMS
from starlette.types import ASGIApp

from .accounts import Account
from .deviations import DEVIATIONS, parse_deviations
from .door import Limits
from .http_limits import THREAD_SHUTDOWN_TIMEOUT, ServerLimits, add_server_limit_options, server_limits_of

READY_TIMEOUT = 10.0
ACCOUNTS_ENV = "CALLBOT_SANDBOX_ACCOUNTS"


@contextmanager
def serve_in_thread(
    app: ASGIApp, host: str = "127.0.0.1", port: int = 0, limits: ServerLimits | None = None
) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a daemon thread; yield its base URL, stop it on exit. ``limits``: the
    HTTP server's (None: the defaults of ServerLimits). On exit, the requests under way have
    ``limits.shutdown_timeout`` seconds (by default 0.5) to finish, then they are cancelled.

    uvicorn binds the socket itself (port 0 picks a free one): handing it a pre-bound socket would lose
    TCP_NODELAY, and every small answer would wait for Nagle's delay.
    """
    options = (limits or ServerLimits()).uvicorn_options(shutdown_timeout=THREAD_SHUTDOWN_TIMEOUT)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False, **options)
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
    """``UUID:SECRET_KEY[:ALGORITHM]`` -> Account. An error never quotes the entry: it may hold a key."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        what = f"{len(parts)} field(s) separated by ':'" if len(parts) not in (2, 3) else "an empty uuid or key"
        raise argparse.ArgumentTypeError(
            f"expected UUID:SECRET_KEY[:ALGORITHM], got an entry with {what}"
            + (f" for uuid {parts[0][:64]!r}" if len(parts) > 1 and parts[0] else "")
            + " (the entry is not shown: it may hold a secret key)"
        )
    if len(parts) == 3 and parts[2].upper() not in ALGORITHMS:  # not quoted: a key holding ':' ends up there
        raise argparse.ArgumentTypeError(
            f"expected UUID:SECRET_KEY[:ALGORITHM]: for uuid {parts[0][:64]!r} the third field is not "
            f"{' or '.join(ALGORITHMS)} (not shown: if the secret key holds ':', its tail is there; use --config)"
        )
    try:
        return Account(*parts)
    except ValueError as exc:  # Account's own messages name the field, never the key's value
        raise argparse.ArgumentTypeError(f"uuid {parts[0][:64]!r}: {exc}") from None


def parse_accounts(text: str) -> list[Account]:
    """``UUID:SECRET_KEY[:ALGORITHM]`` entries separated by commas or white space (CALLBOT_SANDBOX_ACCOUNTS)."""
    accounts = []
    for number, entry in enumerate(text.replace(",", " ").split(), start=1):
        try:
            accounts.append(parse_account(entry))
        except argparse.ArgumentTypeError as exc:
            raise SystemExit(f"cannot read accounts from ${ACCOUNTS_ENV}, entry {number}: {exc}") from None
    return accounts


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_config(path: str) -> list[Account]:
    """A JSON file: ``{"accounts": [{"uuid": ..., "secretKey": ..., "algorithm": "MD5"}]}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["accounts"]
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise TypeError('"accounts" is not a list of objects')
        if not all(isinstance(entry.get("uuid"), str) for entry in entries):
            raise TypeError('an account\'s "uuid" is missing or not a string')
        return [Account(a["uuid"], a["secretKey"], a.get("algorithm", "MD5")) for a in entries]
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: nested too deep
        raise SystemExit(f"cannot read accounts from {path}: {type(exc).__name__}: {exc}") from None


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (0: any free one); the OS refuses others with an OverflowError."""
    port = int(text) if text.strip().isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text[:20]!r} is not a TCP port: give 0 to 65535 (0: any free port)")
    return port


def _deviations(text: str) -> frozenset[str]:
    try:
        return parse_deviations(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callbot-sandbox", description="A reference Callbot v3 server for tests.")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; others need --allow-non-loopback)"
    )
    parser.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow --host to be an address other machines can reach (the sandbox is a test double: take care)",
    )
    parser.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080; 0: any free port)")
    parser.add_argument(
        "--account",
        type=parse_account,
        action="append",
        default=[],
        help=f"UUID:SECRET_KEY[:ALGORITHM], repeatable (shown in the process list: prefer ${ACCOUNTS_ENV})",
    )
    parser.add_argument("--config", help='JSON file: {"accounts": [{"uuid", "secretKey", "algorithm"}]}')
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulated dialer (default 0)")
    parser.add_argument(
        "--clock",
        choices=["real", "virtual"],
        default="real",
        help="real: calls happen in real time; virtual: only when an account advances its own clock (a signed "
        'POST /_sandbox/advance {"seconds": N}: see docs/sandbox.md)',
    )
    parser.add_argument(
        "--allow-external-callbacks", action="store_true", help="also send callbacks to non-loopback URLs"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=Limits.max_body_bytes,
        help=f"largest request body accepted, compressed or not (default {Limits.max_body_bytes})",
    )
    parser.add_argument(
        "--max-reading-bytes",
        type=int,
        default=0,
        help="largest total of the request bodies read at one time (default 256 MiB, or --max-body-bytes if larger)",
    )
    parser.add_argument(
        "--max-reading-bytes-per-account",
        type=int,
        default=0,
        help="largest total of one account's request bodies read at one time (default a quarter of "
        "--max-reading-bytes, or --max-body-bytes if larger)",
    )
    add_server_limit_options(parser)
    parser.add_argument(
        "--allow-replayed-requests",
        action="store_true",
        help="serve a signed request again (for benchmarks that resend one request; never for client tests)",
    )
    parser.add_argument(
        "--deviate",
        type=_deviations,
        default=frozenset(),
        metavar="NAME[,NAME...]",
        help="answer unlike the spec on purpose, to test a contract suite (never for client tests): "
        + "; ".join(f"{name}: {what}" for name, what in DEVIATIONS.items()),
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    from .app import Sandbox
    from .dialer import VirtualClock

    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback_host(args.host) and not args.allow_non_loopback:
        parser.error(f"--host {args.host} is not a loopback address: add --allow-non-loopback to really listen there")
    try:
        limits = Limits(
            max_body_bytes=args.max_body_bytes,
            max_reading_bytes=args.max_reading_bytes,
            max_reading_bytes_per_account=args.max_reading_bytes_per_account,
        )
    except ValueError as exc:
        parser.error(f"--max-body-bytes / --max-reading-bytes / --max-reading-bytes-per-account: {exc}")
    try:
        server_limits = server_limits_of(args)
    except ValueError as exc:
        parser.error(f"the HTTP server's limits: {exc}")
    try:  # bad input: exit 2 with the reason, as for a bad option
        given: list[Account] = args.account + parse_accounts(os.environ.get(ACCOUNTS_ENV, ""))
        given += load_config(args.config) if args.config else []
    except SystemExit as exc:
        parser.error(str(exc.code))
    if args.account:
        print(
            f"warning: --account puts the secret key in the process list; use ${ACCOUNTS_ENV} or --config instead",
            file=sys.stderr,
        )
    if not is_loopback_host(args.host):
        print(
            f"warning: listening on {args.host}, not loopback: other machines can reach this test double",
            file=sys.stderr,
        )
    generated = [] if given else [Account.generate()]
    sandbox = Sandbox(
        given + generated,
        seed=args.seed,
        virtual_clock=VirtualClock(time.time()) if args.clock == "virtual" else None,
        allow_external_callbacks=args.allow_external_callbacks,
        limits=limits,
        allow_replayed_requests=args.allow_replayed_requests,
        deviations=args.deviate,
    )
    print(f"Callbot sandbox on http://{args.host}:{args.port} ({args.clock} clock, seed {args.seed})")
    for account in given:
        print(f"  account: uuid={account.uuid} algorithm={account.algorithm} (secret key as given, not shown)")
    for account in generated:
        print("  No account was given, so one was made up for this run (shown once, not stored):")
        print(f"    uuid={account.uuid} secret_key={account.secret_key} algorithm={account.algorithm}")
    if args.deviate:
        print(f"  DEVIATION MODE, answering unlike the spec on purpose: {', '.join(sorted(args.deviate))}")
    print("Stop it with Ctrl-C.", flush=True)
    stop = threading.Event()
    if args.clock == "real":
        threading.Thread(target=_heartbeat, args=(sandbox, stop), name="callbot-sandbox-tick", daemon=True).start()
    config = uvicorn.Config(
        sandbox.asgi_app(), host=args.host, port=args.port, log_level=args.log_level, **server_limits.uvicorn_options()
    )
    server = ForcedBySecondSignal(config)
    try:
        # uvicorn binds the port itself (keeping TCP_NODELAY) and stops on SIGINT and SIGTERM, within
        # --shutdown-timeout.
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
    if not server.started:
        sys.exit(1)  # uvicorn logged why (e.g. the port is in use)


class ForcedBySecondSignal(uvicorn.Server):
    """uvicorn's server; a second SIGTERM, like a second Ctrl-C, stops it without waiting for the requests
    under way (uvicorn forces only on a second SIGINT)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit and sig in (signal.SIGINT, signal.SIGTERM):
            self.force_exit = True
            with contextlib.suppress(RuntimeError):  # no loop running: nothing is open
                asyncio.get_running_loop().call_soon(self._close_connections)
        super().handle_exit(sig, frame)

    def _close_connections(self) -> None:
        """Close every connection (on Python 3.12+, asyncio's wait_closed() waits for them)."""
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.close()


def _heartbeat(sandbox: Any, stop: threading.Event) -> None:
    """Real-time mode: dial what is due and deliver callbacks, twice a second."""
    while not stop.wait(0.5):
        try:
            sandbox.tick()
        except Exception:  # a bad callback target must not stop the dialer
            logging.getLogger("callbot_sandbox").exception("sandbox tick failed")
