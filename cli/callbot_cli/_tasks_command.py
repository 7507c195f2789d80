"""`callbot tasks list|status|start|pause|finish`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from callbot_client.models import ListTaskConditions, TaskInfo, TaskOperate, TaskStatus
from callbot_client.types import Unset
from rich.console import Console
from rich.table import Table

from . import _exit
from ._app import Settings, echo_json, fail

#: Pages of listTask read at most by `tasks list` (a bound, not a limit of the service).
MAX_PAGES = 10_000


@click.group("tasks")
def tasks() -> None:
    """List tasks and their statistics; start, pause or finish one."""


def _status_name(value: Any) -> str:
    if isinstance(value, int):
        try:
            return TaskStatus(value).name.lower()
        except ValueError:
            return str(value)
    return "-"


def _value(value: Any) -> Any:
    return None if isinstance(value, Unset) else value


def _row(task: TaskInfo) -> list[str]:
    stat = _value(task.task_stat)
    created = _value(task.create_ts)
    return [
        str(_value(task.user_task_id) or "-"),
        str(_value(task.task_id) or "-"),
        _status_name(_value(task.task_status)),
        datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M") if isinstance(created, int) else "-",
        f"{stat.finish_order_count}/{stat.total_order_count}" if stat else "-",
        f"{stat.answer_rate:.2f}" if stat else "-",
    ]


def _print(found: list[TaskInfo], as_json: bool) -> None:
    if as_json:
        echo_json([task.to_dict() for task in found])
        return
    table = Table("userTaskID", "taskID", "status", "created (UTC)", "finished/orders", "answer rate")
    for task in found:
        table.add_row(*_row(task))
    Console(soft_wrap=True).print(table)


@tasks.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.name.lower() for s in TaskStatus]),
              help="Only tasks in this status (repeatable).")  # fmt: skip
@click.option("--size", type=click.IntRange(1, 1000), default=100, show_default=True, help="Tasks per page.")
@click.option("--json", "as_json", is_flag=True, help="As JSON (every field of each task).")
@click.pass_obj
def list_tasks(settings: Settings, statuses: tuple[str, ...], size: int, as_json: bool) -> int:
    """List every task (all pages), as a table or JSON."""
    conditions = ListTaskConditions()
    if statuses:
        conditions.task_status = [TaskStatus[name.upper()] for name in statuses]
    found: list[TaskInfo] = []
    with settings.callbot() as callbot:
        for task in callbot.iter_list_task(query_conditions=conditions, size=size):
            found.append(task)
            if len(found) > MAX_PAGES * size:
                break
    _print(found, as_json)
    return _exit.OK


def _find(settings: Settings, user_task_id: str) -> TaskInfo | None:
    with settings.callbot() as callbot:
        answer = callbot.list_task(query_conditions=ListTaskConditions(user_task_id=[user_task_id]), page=1, size=10)
    rows = answer.task_data if isinstance(answer.task_data, list) else []
    return next((task for task in rows if task.user_task_id == user_task_id), None)


@tasks.command("status")
@click.argument("user_task_id", metavar="TASK")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@click.pass_obj
def status(settings: Settings, user_task_id: str, as_json: bool) -> int:
    """Show TASK's status and statistics."""
    task = _find(settings, user_task_id)
    if task is None:
        fail(f"there is no task {user_task_id!r} in this account (`callbot tasks list` shows them)")
        return _exit.BAD_INPUT
    _print([task], as_json)
    return _exit.OK


def _operate(settings: Settings, user_task_id: str, operate: TaskOperate) -> int:
    with settings.callbot() as callbot:
        answer = callbot.mgr_task_status(user_task_id=user_task_id, task_operate=operate)
    click.echo(f"task {user_task_id}: {_status_name(_value(answer.task_status))} (taskID {_value(answer.task_id)})")
    return _exit.OK


@tasks.command("start")
@click.argument("user_task_id", metavar="TASK")
@click.pass_obj
def start(settings: Settings, user_task_id: str) -> int:
    """Start (or resume) dialing TASK."""
    return _operate(settings, user_task_id, TaskOperate.START)


@tasks.command("pause")
@click.argument("user_task_id", metavar="TASK")
@click.pass_obj
def pause(settings: Settings, user_task_id: str) -> int:
    """Pause TASK."""
    return _operate(settings, user_task_id, TaskOperate.PAUSE)


@tasks.command("finish")
@click.argument("user_task_id", metavar="TASK")
@click.pass_obj
def finish(settings: Settings, user_task_id: str) -> int:
    """Finish TASK for good: no more dialing, and no more orders can be added."""
    return _operate(settings, user_task_id, TaskOperate.FINISH)
