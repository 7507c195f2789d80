from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="CreateTaskSmsFuncFlag")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "smsId",
        "intentId",
        "intentName",
    }
)


@_attrs_define
class CreateTaskSmsFuncFlag(_LazyModel):
    """SMS settings as the createTask example spells them.

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
            field_dict["smsId"] = sms_id
        if intent_id is not UNSET:
            field_dict["intentId"] = intent_id
        if intent_name is not UNSET:
            field_dict["intentName"] = intent_name

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        sms_id = d.get("smsId", UNSET)
        intent_id = cast(list[str], d.get("intentId", UNSET))

        intent_name = cast(list[str], d.get("intentName", UNSET))

        create_task_sms_func_flag = cls(
            sms_id=sms_id,
            intent_id=intent_id,
            intent_name=intent_name,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        create_task_sms_func_flag.additional_properties = additional_properties
        return create_task_sms_func_flag

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        sms_id = d.get("smsId", UNSET)
        intent_id = cast(list[str], d.get("intentId", UNSET))

        intent_name = cast(list[str], d.get("intentName", UNSET))

        self.sms_id = sms_id
        self.intent_id = intent_id
        self.intent_name = intent_name
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
