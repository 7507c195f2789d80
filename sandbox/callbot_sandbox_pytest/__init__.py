"""The pytest plugin of nxcloud-callbot (entry point ``pytest11``): the sandbox as fixtures.

Fixtures: ``callbot_sandbox`` (a fresh :class:`callbot_sandbox.kit.CallbotSandbox` per test),
``callbot_sandbox_session`` (one for the whole session), ``callbot`` and ``async_callbot`` (clients of the
function-scoped sandbox, bound to its first account). Options: ``--callbot-seed N`` (default 0), and the marker
``@pytest.mark.callbot_sandbox(transport="http", accounts=2, seed=7)`` for one test's sandbox.

A separate package, not a module of ``callbot_sandbox``: pytest imports every plugin at start, and
``callbot_sandbox`` needs the ``sandbox`` extra (Starlette, uvicorn). The sandbox is imported only when a
fixture is used, so that pytest works where the extra is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from callbot_sandbox.kit import CallbotSandbox
    from callbot_signing import AsyncCallbot, Callbot

SEED_OPTION = "--callbot-seed"
MARKER = "callbot_sandbox"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("callbot", "nxcloud-callbot sandbox")
    group.addoption(
        SEED_OPTION,
        type=int,
        default=None,
        metavar="N",
        help="seed of the callbot_sandbox fixtures' dialer and made-up accounts (default 0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(transport='inprocess'|'http', accounts=1, seed=None): options of the test's callbot_sandbox",
    )


def _seed(config: pytest.Config) -> int:
    from callbot_sandbox.kit import DEFAULT_SEED

    seed: int | None = config.getoption(SEED_OPTION)
    return DEFAULT_SEED if seed is None else seed


@pytest.fixture
def callbot_sandbox(request: pytest.FixtureRequest) -> Iterator[CallbotSandbox]:
    """A fresh sandbox for the test, in process, on a virtual clock (see callbot_sandbox.kit)."""
    from callbot_sandbox.kit import running

    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if options.get("seed") is None:
        options["seed"] = _seed(request.config)
    with running(**options) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def callbot_sandbox_session(request: pytest.FixtureRequest) -> Iterator[CallbotSandbox]:
    """One sandbox for the whole session (faster; its state is shared: use fresh IDs, or add_account())."""
    from callbot_sandbox.kit import running

    with running(seed=_seed(request.config)) as sandbox:
        yield sandbox


@pytest.fixture
def callbot(callbot_sandbox: CallbotSandbox) -> Callbot[Any]:
    """A ``Callbot`` bound to the first account of ``callbot_sandbox``."""
    return callbot_sandbox.client()


@pytest.fixture
def async_callbot(callbot_sandbox: CallbotSandbox) -> AsyncCallbot[Any]:
    """An ``AsyncCallbot`` bound to the first account of ``callbot_sandbox``, for an async test (pytest-asyncio
    or anyio, any mode: the fixture itself is sync). The in-process transport holds nothing to close."""
    return callbot_sandbox.async_client()
