"""The `callbot` console script: says which extra to install when the command's dependencies are missing."""

from __future__ import annotations

import sys
from collections.abc import Sequence

EXTRA_HINT = "pip install 'nxcloud-callbot[cli]'"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `callbot` with ``argv`` (default: the process's arguments); return its exit code."""
    try:
        import click  # noqa: F401
        import rich  # noqa: F401
    except ModuleNotFoundError as missing:
        print(f"callbot: the callbot command needs {missing.name}, which comes with the cli extra: {EXTRA_HINT}",
              file=sys.stderr)  # fmt: skip
        return 2
    from ._commands import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
