"""The `callbot` command whole: the group of ``_app`` with every subcommand added, and ``run``, which turns
every failure into an exit code. The command modules know nothing of each other or of this module.

Each subcommand is imported when it is used (``LazyGroup``): `callbot --help` imports no command module, so
neither httpx nor the client; a command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from . import _exit
from ._app import cli, fail
from ._lazy_group import LazyCommand


def _list_operations() -> click.Command:
    from ._call_command import list_operations

    return list_operations


def _call() -> click.Command:
    from ._call_command import call

    return call


def _orders() -> click.Command:
    from ._orders_command import orders

    return orders


def _tasks() -> click.Command:
    from ._tasks_command import tasks

    return tasks


def _webhook() -> click.Command:
    from ._listen_command import listen
    from ._webhook_command import webhook

    webhook.add_command(listen)
    return webhook


#: Each subcommand, how to import it, and the first paragraph of its help (what `callbot --help` lists).
SUBCOMMANDS = {
    "operations": LazyCommand(_list_operations, "List the operations of the spec with their one-line summaries."),
    "call": LazyCommand(
        _call,
        "Call OPERATION (an operationId: stopOrder, listTask, ...; see `callbot operations`) and print the "
        "verified answer as JSON. productID is filled in.",
    ),
    "orders": LazyCommand(
        _orders, "Add orders to a task from CSV, or stop them, in batches; a result CSV says what became of each."
    ),
    "tasks": LazyCommand(_tasks, "List tasks and their statistics; start, pause or finish one."),
    "webhook": LazyCommand(
        _webhook, "Test your callback receiver: send it signed (or forged) deliveries, or check a captured one."
    ),
}
for _name, _command in SUBCOMMANDS.items():
    cli.add_lazy_command(_name, _command)


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
    except KeyboardInterrupt:
        fail("interrupted")
        return _exit.INTERRUPTED
    except Exception as exc:
        code = _exit.exit_code_for_failure(exc)
        if code is None:
            raise
        fail(str(exc))
        return code
    finally:
        sys.stdout.flush()
    return result if isinstance(result, int) else _exit.OK
