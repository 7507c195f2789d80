from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TaskStat")


@_attrs_define
class TaskStat:
    """Statistics of a task, as Webhook - Task Status sends them (its table marks every field required).

    Attributes:
        answer_order_count (int): Orders answered.
        finish_order_count (int): Orders completed.
        total_order_count (int): Total orders.
        finish_rate (float): finishOrderCount / totalOrderCount, 2 decimals.
        total_answer_call (int): Answered calls.
        total_call (int): Total calls.
        answer_rate (float): totalAnswerCall / totalCall, 2 decimals.
    """

    answer_order_count: int
    finish_order_count: int
    total_order_count: int
    finish_rate: float
    total_answer_call: int
    total_call: int
    answer_rate: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        answer_order_count = self.answer_order_count

        finish_order_count = self.finish_order_count

        total_order_count = self.total_order_count

        finish_rate = self.finish_rate

        total_answer_call = self.total_answer_call

        total_call = self.total_call

        answer_rate = self.answer_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "answerOrderCount": answer_order_count,
                "finishOrderCount": finish_order_count,
                "totalOrderCount": total_order_count,
                "finishRate": finish_rate,
                "totalAnswerCall": total_answer_call,
                "totalCall": total_call,
                "answerRate": answer_rate,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        answer_order_count = d.pop("answerOrderCount")

        finish_order_count = d.pop("finishOrderCount")

        total_order_count = d.pop("totalOrderCount")

        finish_rate = d.pop("finishRate")

        total_answer_call = d.pop("totalAnswerCall")

        total_call = d.pop("totalCall")

        answer_rate = d.pop("answerRate")

        task_stat = cls(
            answer_order_count=answer_order_count,
            finish_order_count=finish_order_count,
            total_order_count=total_order_count,
            finish_rate=finish_rate,
            total_answer_call=total_answer_call,
            total_call=total_call,
            answer_rate=answer_rate,
        )

        task_stat.additional_properties = d
        return task_stat

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
