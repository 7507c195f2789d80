"""The testing kit: a sandbox for testing your own code, with its clients, virtual time, callbacks and faults.

``with running() as sb:`` (unittest, scripts) or the pytest fixtures (callbot_sandbox_pytest) give a
:class:`CallbotSandbox`: a fresh :class:`~.app.Sandbox` on a virtual clock, reached in process by default
(no socket: :mod:`.inprocess`) or over loopback HTTP on a free port (``transport="http"``).

Deterministic for a seed: the made-up accounts, the virtual clock's start, the dialer's outcomes, the call
records and the callbacks are the same run after run (the callbacks' createTs, requestIDs and signs are not:
they are signed with the real time, so that a receiver's default checks accept them).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal

from callbot_signing import AsyncCallbot, Callbot

from .accounts import Account
from .app import Sandbox
from .deliveries import CallbackRecord, CallbackRouter, Interface, RouterClient
from .dialer import DialerSettings, VirtualClock
from .inprocess import AsyncInProcessTransport, InProcessTransport
from .server import serve_in_thread

#: The seed when none is given (pytest: ``--callbot-seed N`` changes it).
DEFAULT_SEED = 0
#: Where the virtual clock starts: 2026-01-01 00:00 UTC, the same every run.
VIRTUAL_START = 1_767_225_600.0
#: The base URL of an in-process sandbox: a loopback name (no warning about plain http), never resolved.
IN_PROCESS_URL = "http://callbot-sandbox.localhost"
Transport = Literal["inprocess", "http"]


class CallbotSandbox:
    """A sandbox under test: see the module. Close it (or use ``with``) to stop its server and clients."""

    def __init__(
        self,
        *,
        seed: int = DEFAULT_SEED,
        accounts: int | Iterable[Account] = 1,
        transport: Transport = "inprocess",
        dialer_settings: DialerSettings | None = None,
    ) -> None:
        if transport not in ("inprocess", "http"):
            raise ValueError(f'transport must be "inprocess" or "http", got {transport!r}')
        self.seed = seed
        self._made_up = 0
        given = [self._new_account() for _ in range(accounts)] if isinstance(accounts, int) else list(accounts)
        self.sandbox = Sandbox(
            given,
            virtual_clock=VirtualClock(VIRTUAL_START),
            seed=seed,
            dialer_settings=dialer_settings,
            allow_external_callbacks=True,  # every callback goes through the router below, never out on its own
        )
        self.app = self.sandbox.asgi_app()
        self._router = CallbackRouter(self.sandbox.accounts)
        self.sandbox.callbacks.client = RouterClient(self._router, self.sandbox.callbacks.timeout)
        self.transport: Transport = transport
        self._stack = contextlib.ExitStack()
        self._clients: list[Callbot[Any] | AsyncCallbot[Any]] = []
        self.base_url = IN_PROCESS_URL
        if transport == "http":
            self.base_url = self._stack.enter_context(serve_in_thread(self.app))

    # --- accounts and clients ----------------------------------------------------------------------------

    def _new_account(self, algorithm: str = "MD5") -> Account:
        """A made-up account, the same for the same seed and position (the dialer's outcomes depend on it)."""
        self._made_up += 1
        rng = random.Random(f"callbot-sandbox-kit/{self.seed}/{self._made_up}")
        return Account(f"{rng.getrandbits(128):032x}", f"{rng.getrandbits(128):032x}", algorithm)

    @property
    def accounts(self) -> list[Account]:
        """The accounts, in the order they were made; each has ``uuid``, ``secret_key`` and ``algorithm``."""
        return list(self.sandbox.accounts.values())

    def add_account(self, uuid: str | None = None, secret_key: str | None = None, algorithm: str = "MD5") -> Account:
        """Another account (made up unless ``uuid`` and ``secret_key`` are given), with its own state."""
        if (uuid is None) != (secret_key is None):
            raise ValueError("give both uuid and secret_key, or neither (a made-up account)")
        account = (
            self._new_account(algorithm) if uuid is None or secret_key is None else Account(uuid, secret_key, algorithm)
        )
        if account.uuid in self.sandbox.accounts:
            raise ValueError(f"the sandbox already has an account {account.uuid!r}")
        self.sandbox.accounts[account.uuid] = account
        return account

    def _account(self, account: Account | None) -> Account:
        return self.accounts[0] if account is None else account

    def client(self, account: Account | None = None, **options: Any) -> Callbot[Any]:
        """A ``Callbot`` for ``account`` (default: the first), closed with the sandbox; ``options`` go to it."""
        chosen = self._account(account)
        options["httpx_args"] = {**self.httpx_args(), **options.get("httpx_args", {})}
        client: Callbot[Any] = Callbot(
            self.base_url, chosen.uuid, chosen.secret_key, algorithm=chosen.algorithm, **options
        )
        self._clients.append(client)
        return client

    def async_client(self, account: Account | None = None, **options: Any) -> AsyncCallbot[Any]:
        """An ``AsyncCallbot`` for ``account`` (default: the first); close it with ``await client.aclose()``
        on its loop (the sandbox closes what is left)."""
        chosen = self._account(account)
        options["httpx_args"] = {**self.async_httpx_args(), **options.get("httpx_args", {})}
        client: AsyncCallbot[Any] = AsyncCallbot(
            self.base_url, chosen.uuid, chosen.secret_key, algorithm=chosen.algorithm, **options
        )
        self._clients.append(client)
        return client

    def httpx_args(self) -> dict[str, Any]:
        """``httpx_args`` for a ``Callbot`` your code makes itself: ``Callbot(sb.base_url, uuid, key,
        httpx_args=sb.httpx_args())`` reaches this sandbox in process (empty over loopback HTTP)."""
        return {"transport": InProcessTransport(self.app)} if self.transport == "inprocess" else {}

    def async_httpx_args(self) -> dict[str, Any]:
        """The same for an ``AsyncCallbot``."""
        return {"transport": AsyncInProcessTransport(self.app)} if self.transport == "inprocess" else {}

    def environ(self, account: Account | None = None) -> dict[str, str]:
        """``CALLBOT_BASE_URL``, ``CALLBOT_UUID``, ``CALLBOT_SECRET_KEY`` and ``CALLBOT_ALGORITHM`` for
        ``account`` (default: the first), for code that makes its client from the environment
        (``monkeypatch.setenv``); such a client opens connections itself: use ``transport="http"``."""
        chosen = self._account(account)
        return {
            "CALLBOT_BASE_URL": self.base_url,
            "CALLBOT_UUID": chosen.uuid,
            "CALLBOT_SECRET_KEY": chosen.secret_key,
            "CALLBOT_ALGORITHM": chosen.algorithm,
        }

    # --- time and callbacks ------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The virtual clock: where dialing and the callbacks' retries stand."""
        return self.sandbox.sim_clock()

    def advance(self, seconds: float) -> None:
        """Move the virtual clock on by ``seconds``: the dialer dials what is due by then and the callbacks
        due by then are sent (and, with :meth:`deliver_to`, delivered) before it returns.

        In a coroutine whose event loop serves the receiver (a URL on that loop), use
        :meth:`advance_async`: this call blocks the loop, and the receiver would never answer."""
        before = len(self._router.records)
        self.sandbox.advance(seconds)
        self._router.settle(before, [account.uuid for account in self.accounts])

    async def advance_async(self, seconds: float) -> None:
        """:meth:`advance` in a worker thread: the event loop goes on serving meanwhile."""
        await asyncio.to_thread(self.advance, seconds)

    @property
    def callbacks(self) -> list[CallbackRecord]:
        """Every callback sent so far (each attempt), in order: per account, in the order sent."""
        return list(self._router.records)

    def deliver_to(self, target: Callable[..., Any] | str | None, *, interface: Interface | None = None) -> None:
        """Send the callbacks from now on to ``target``: an ASGI or a WSGI app (called in process; ``interface``
        ``"asgi"`` or ``"wsgi"`` when it cannot be told from the app, see ``deliveries.is_asgi``) or a base URL,
        routed by the path of each callback's URL whatever its host; None: record them only (answered 204)."""
        self._router.route_to(target, interface)

    # --- faults (Sandbox.faults) -------------------------------------------------------------------------

    def fail_next(
        self, operation: str, ret_code: int = 7, *, times: int = 1, account: Account | str | None = None
    ) -> None:
        """The next ``times`` requests of ``operation`` (an operationId; unknown: ValueError) get a signed
        refusal with ``ret_code``, and change nothing. ``account`` (an Account or its uuid; one the sandbox does
        not have: ValueError): only its requests (default: anyone's). A retCode the client retries (7, busy)
        is retried after its back-off, on the wall clock: ``times`` over its retries, or a client made with
        ``max_retries=0``, to see it raised."""
        self.sandbox.faults.fail_next(operation, ret_code, times=times, account=_uuid(account))

    def drop_answer_after_carrying_out(
        self, operation: str, *, times: int = 1, account: Account | str | None = None
    ) -> None:
        """The next ``times`` requests of ``operation`` take effect, and their answers are lost (the client
        sees a broken connection)."""
        self.sandbox.faults.drop_answer_after_carrying_out(operation, times=times, account=_uuid(account))

    def delay(self, operation: str, seconds: float, *, times: int = 1, account: Account | str | None = None) -> None:
        """The next ``times`` answers to ``operation`` come ``seconds`` later (wall clock)."""
        self.sandbox.faults.delay(operation, seconds, times=times, account=_uuid(account))

    def unsigned_refusal(self, operation: str, *, times: int = 1, account: Account | str | None = None) -> None:
        """The next ``times`` requests of ``operation`` get an unsigned refusal, and change nothing."""
        self.sandbox.faults.unsigned_refusal(operation, times=times, account=_uuid(account))

    def clear_faults(self) -> None:
        """Forget every fault not used yet."""
        self.sandbox.faults.clear()

    def pending_faults(self, operation: str | None = None) -> int:
        """How many requests (of ``operation``, or of any) faults are still waiting for."""
        return self.sandbox.faults.pending(operation)

    # --- lifetime ----------------------------------------------------------------------------------------

    def close(self) -> None:
        clients, self._clients = self._clients, []
        for client in clients:
            if isinstance(client, Callbot):
                client.close()
        self._stack.close()
        self.sandbox.callbacks.client = None
        self._router.close()

    def __enter__(self) -> CallbotSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _uuid(account: Account | str | None) -> str | None:
    """The faults' ``account`` argument, an Account or its uuid: only that account's requests take the fault
    (None: anyone's)."""
    return account.uuid if isinstance(account, Account) else account


@contextlib.contextmanager
def running(
    *,
    seed: int = DEFAULT_SEED,
    accounts: int | Iterable[Account] = 1,
    transport: Transport = "inprocess",
    dialer_settings: DialerSettings | None = None,
) -> Iterator[CallbotSandbox]:
    """A fresh :class:`CallbotSandbox` for the ``with`` block: ``accounts`` made-up accounts (or those
    given), reached in process (``transport="http"``: served on a free loopback port)."""
    with CallbotSandbox(seed=seed, accounts=accounts, transport=transport, dialer_settings=dialer_settings) as sb:
        yield sb
