"""The sandbox's in-memory orders, keyed by orderID."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class OrderState(enum.Enum):
    UNDIALED = "undialed"
    DIALED = "dialed"  # at least one call was made; it can no longer be stopped
    STOPPED = "stopped"


@dataclass
class Order:
    order_id: str
    user_task_id: str
    state: OrderState = OrderState.UNDIALED
    data_deleted: bool = False


@dataclass(frozen=True)
class StopResult:
    total_count: int
    success_count: int
    errors: list[tuple[str, str]]  # (orderID, reason)


class OrderStore:
    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}

    def add(self, user_task_id: str, order_id: str, state: OrderState = OrderState.UNDIALED) -> Order:
        if order_id in self._orders:
            raise ValueError(f"orderID {order_id!r} already exists")
        order = Order(order_id=order_id, user_task_id=user_task_id, state=state)
        self._orders[order_id] = order
        return order

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def stop(self, user_task_id: str, order_ids: list[str], delete_undialed: bool) -> StopResult:
        """Stop the undialed orders among ``order_ids`` for good; the others are reported with a reason."""
        errors: list[tuple[str, str]] = []
        for order_id in order_ids:
            order = self._orders.get(order_id)
            if order is None or order.user_task_id != user_task_id:
                errors.append((order_id, f"order not found in task {user_task_id}"))
            elif order.state is OrderState.STOPPED:
                errors.append((order_id, "order already stopped"))
            elif order.state is OrderState.DIALED:
                errors.append((order_id, "order already dialed, it can no longer be stopped"))
            else:
                order.state = OrderState.STOPPED
                order.data_deleted = delete_undialed
        return StopResult(len(order_ids), len(order_ids) - len(errors), errors)
