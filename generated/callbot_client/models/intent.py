from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="Intent")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "intentID",
        "intentTag",
        "intentName",
        "intentLevel",
    }
)


@_attrs_define
class Intent(_LazyModel):
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
        d = src_dict
        intent_id = d.get("intentID", UNSET)
        intent_tag = d.get("intentTag", UNSET)
        intent_name = d.get("intentName", UNSET)
        intent_level = d.get("intentLevel", UNSET)

        intent = cls(
            intent_id=intent_id,
            intent_tag=intent_tag,
            intent_name=intent_name,
            intent_level=intent_level,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        intent.additional_properties = additional_properties
        return intent

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        intent_id = d.get("intentID", UNSET)
        intent_tag = d.get("intentTag", UNSET)
        intent_name = d.get("intentName", UNSET)
        intent_level = d.get("intentLevel", UNSET)

        self.intent_id = intent_id
        self.intent_tag = intent_tag
        self.intent_name = intent_name
        self.intent_level = intent_level
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
