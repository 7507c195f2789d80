"""The callbacks a change of the state causes, queued for sending (callbacks.py): a call callback for every
call, an order callback when the call finishes its order, a task callback for every status change.

Each goes to the URL the task or its orders were given, signed for the account that owns the task; a task
whose account the sandbox no longer knows gets none.
"""

from __future__ import annotations

from collections.abc import Mapping

from .accounts import Account
from .callbacks import CallbackSender
from .state import Call, Order, OrderState, SandboxState, Task


def queue_call_callbacks(
    state: SandboxState, callbacks: CallbackSender, account: Account, task: Task, order: Order, call: Call
) -> None:
    """The call callback of ``call``, and the order callback when ``order`` is finished."""
    info = state.order_info(order, task)
    callbacks.enqueue(
        account, "call", order.call_callback_url, {"callbackType": 1, **info, "callInfoDetail": call.detail()}
    )
    if order.state is OrderState.FINISHED:
        callbacks.enqueue(
            account,
            "order",
            order.order_callback_url or task.order_callback_url,
            {"callbackType": "1", **info, "callInfoDetail": call.detail()},
        )


def queue_status_callbacks(state: SandboxState, accounts: Mapping[str, Account], callbacks: CallbackSender) -> None:
    """A task callback for each status change since the last call, in order (the changes are taken)."""
    changed, state.status_changes = state.status_changes, []
    for task, status in changed:
        account = accounts.get(task.owner)
        if account is not None:
            payload = {
                "callbackType": 1,
                "userTaskID": task.user_task_id,
                "taskID": task.task_id,
                "sceneID": task.scene_id,
                "taskStatus": int(status),
                "createTs": task.created_ts,
                "taskStat": state.task_stat(task),
            }
            callbacks.enqueue(account, "task", task.task_callback_url, payload)
