from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import _LazyModel, _unbuilt

T = TypeVar("T", bound="TaskStat")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "answerOrderCount",
        "finishOrderCount",
        "totalOrderCount",
        "finishRate",
        "totalAnswerCall",
        "totalCall",
        "answerRate",
    }
)


@_attrs_define
class TaskStat(_LazyModel):
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
        d = src_dict
        answer_order_count = d["answerOrderCount"]
        finish_order_count = d["finishOrderCount"]
        total_order_count = d["totalOrderCount"]
        finish_rate = d["finishRate"]
        total_answer_call = d["totalAnswerCall"]
        total_call = d["totalCall"]
        answer_rate = d["answerRate"]

        task_stat = cls(
            answer_order_count=answer_order_count,
            finish_order_count=finish_order_count,
            total_order_count=total_order_count,
            finish_rate=finish_rate,
            total_answer_call=total_answer_call,
            total_call=total_call,
            answer_rate=answer_rate,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        task_stat.additional_properties = additional_properties
        return task_stat

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        answer_order_count = d["answerOrderCount"]
        finish_order_count = d["finishOrderCount"]
        total_order_count = d["totalOrderCount"]
        finish_rate = d["finishRate"]
        total_answer_call = d["totalAnswerCall"]
        total_call = d["totalCall"]
        answer_rate = d["answerRate"]

        self.answer_order_count = answer_order_count
        self.finish_order_count = finish_order_count
        self.total_order_count = total_order_count
        self.finish_rate = finish_rate
        self.total_answer_call = total_answer_call
        self.total_call = total_call
        self.answer_rate = answer_rate
        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        self.additional_properties = additional_properties

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
