from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Intent")


@_attrs_define
class Intent:
    """
    Attributes:
        intent_id (str | Unset):
        intent_tag (str | Unset):
        intent_name (str | Unset):
        intent_level (int | Unset):
    """

    intent_id: str | Unset = UNSET
    intent_tag: str | Unset = UNSET
    intent_name: str | Unset = UNSET
    intent_level: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        intent_id = self.intent_id

        intent_tag = self.intent_tag

        intent_name = self.intent_name

        intent_level = self.intent_level

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if intent_id is not UNSET:
            field_dict["intentID"] = intent_id
        if intent_tag is not UNSET:
            field_dict["intentTag"] = intent_tag
        if intent_name is not UNSET:
            field_dict["intentName"] = intent_name
        if intent_level is not UNSET:
            field_dict["intentLevel"] = intent_level

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        intent_id = d.pop("intentID", UNSET)

        intent_tag = d.pop("intentTag", UNSET)

        intent_name = d.pop("intentName", UNSET)

        intent_level = d.pop("intentLevel", UNSET)

        intent = cls(
            intent_id=intent_id,
            intent_tag=intent_tag,
            intent_name=intent_name,
            intent_level=intent_level,
        )

        intent.additional_properties = d
        return intent

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
