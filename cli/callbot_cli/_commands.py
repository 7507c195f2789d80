"""The `callbot` command whole: the group of ``_app`` with every subcommand added, and ``run``, which turns
every failure into an exit code. The command modules know nothing of each other or of this module."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from callbot_signing import CallbotError
from nxcloud_callbot import JournalError

from . import _exit
from ._app import cli, fail
from ._call_command import call, list_operations
from ._credentials import CredentialsError
from ._listen_command import listen
from ._orders_command import orders
from ._tasks_command import tasks
from ._webhook_command import webhook

for _command in (list_operations, call, orders, tasks, webhook):
    cli.add_command(_command)
webhook.add_command(listen)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: sys.argv[1:]); return the exit code instead of exiting."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="callbot", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted")
        return _exit.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return _exit.BAD_INPUT
    except (CredentialsError, JournalError, ValueError) as exc:
        fail(str(exc))
        return _exit.BAD_INPUT
    except CallbotError as exc:
        fail(str(exc))
        return _exit.exit_code_for(exc)
    except KeyboardInterrupt:
        fail("interrupted")
        return _exit.INTERRUPTED
    finally:
        sys.stdout.flush()
    return result if isinstance(result, int) else _exit.OK
