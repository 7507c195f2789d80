"""A Click group whose subcommands are imported when one is used: `callbot --help` lists them from their
summaries without importing a command module (and so without httpx or the client), and `callbot call ...`
imports the call command alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class LazyCommand:
    """A subcommand not imported yet: ``load`` imports and returns it; ``summary`` is the first paragraph of its
    help, what the group's --help shows of it (contract_tests/cli/test_cli_startup.py checks they agree)."""

    load: Callable[[], click.Command]
    summary: str


class LazyGroup(click.Group):
    """A group with subcommands added by :meth:`add_lazy_command`, each imported on first use."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy_commands: dict[str, LazyCommand] = {}

    def add_lazy_command(self, name: str, command: LazyCommand) -> None:
        self.lazy_commands[name] = command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = self.lazy_commands.get(cmd_name)
        if cmd_name not in self.commands and lazy is not None:
            self.add_command(lazy.load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's listing (``Group.format_commands``), each command not imported yet shown by its summary."""
        shown = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=self.lazy_commands[name].summary)
            if not command.hidden:
                shown.append((name, command))
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in shown])
