from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SmsFuncFlag")


@_attrs_define
class SmsFuncFlag:
    """An SMS setting of the task (meaning not documented, see x-assumption).

    Attributes:
        sms_id (str | Unset):
        intent_id (list[str] | Unset):
        intent_name (list[str] | Unset):
    """

    sms_id: str | Unset = UNSET
    intent_id: list[str] | Unset = UNSET
    intent_name: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sms_id = self.sms_id

        intent_id: list[str] | Unset = UNSET
        if not isinstance(self.intent_id, Unset):
            intent_id = self.intent_id

        intent_name: list[str] | Unset = UNSET
        if not isinstance(self.intent_name, Unset):
            intent_name = self.intent_name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if sms_id is not UNSET:
            field_dict["smsID"] = sms_id
        if intent_id is not UNSET:
            field_dict["intentID"] = intent_id
        if intent_name is not UNSET:
            field_dict["intentName"] = intent_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sms_id = d.pop("smsID", UNSET)

        intent_id = cast(list[str], d.pop("intentID", UNSET))

        intent_name = cast(list[str], d.pop("intentName", UNSET))

        sms_func_flag = cls(
            sms_id=sms_id,
            intent_id=intent_id,
            intent_name=intent_name,
        )

        sms_func_flag.additional_properties = d
        return sms_func_flag

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
