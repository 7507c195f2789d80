from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="TaskInfoStat")


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
class TaskInfoStat(_LazyModel):
    """Statistics of a task, as listTask returns them (the fields of TaskStat, each optional).

    Attributes:
        answer_order_count (int | Unset): Orders answered.
        finish_order_count (int | Unset): Orders completed.
        total_order_count (int | Unset): Total orders.
        finish_rate (float | Unset): finishOrderCount / totalOrderCount, 2 decimals.
        total_answer_call (int | Unset): Answered calls.
        total_call (int | Unset): Total calls.
        answer_rate (float | Unset): totalAnswerCall / totalCall, 2 decimals.
    """

    answer_order_count: int | Unset = UNSET
    finish_order_count: int | Unset = UNSET
    total_order_count: int | Unset = UNSET
    finish_rate: float | Unset = UNSET
    total_answer_call: int | Unset = UNSET
    total_call: int | Unset = UNSET
    answer_rate: float | Unset = UNSET
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
        field_dict.update({})
        if answer_order_count is not UNSET:
            field_dict["answerOrderCount"] = answer_order_count
        if finish_order_count is not UNSET:
            field_dict["finishOrderCount"] = finish_order_count
        if total_order_count is not UNSET:
            field_dict["totalOrderCount"] = total_order_count
        if finish_rate is not UNSET:
            field_dict["finishRate"] = finish_rate
        if total_answer_call is not UNSET:
            field_dict["totalAnswerCall"] = total_answer_call
        if total_call is not UNSET:
            field_dict["totalCall"] = total_call
        if answer_rate is not UNSET:
            field_dict["answerRate"] = answer_rate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        answer_order_count = d.get("answerOrderCount", UNSET)
        finish_order_count = d.get("finishOrderCount", UNSET)
        total_order_count = d.get("totalOrderCount", UNSET)
        finish_rate = d.get("finishRate", UNSET)
        total_answer_call = d.get("totalAnswerCall", UNSET)
        total_call = d.get("totalCall", UNSET)
        answer_rate = d.get("answerRate", UNSET)

        task_info_stat = cls(
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

        task_info_stat.additional_properties = additional_properties
        return task_info_stat

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        answer_order_count = d.get("answerOrderCount", UNSET)
        finish_order_count = d.get("finishOrderCount", UNSET)
        total_order_count = d.get("totalOrderCount", UNSET)
        finish_rate = d.get("finishRate", UNSET)
        total_answer_call = d.get("totalAnswerCall", UNSET)
        total_call = d.get("totalCall", UNSET)
        answer_rate = d.get("answerRate", UNSET)

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
