"""Imports every module that adds subcommands to the `callbot` group."""

from . import _call_command, _listen_command, _orders_command, _tasks_command, _webhook_command

__all__ = ["_call_command", "_listen_command", "_orders_command", "_tasks_command", "_webhook_command"]
