from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="Sms")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "smsSendTs",
        "sysMessageID",
        "smsContent",
    }
)


@_attrs_define
class Sms(_LazyModel):
    """
    Attributes:
        sms_send_ts (int | Unset):
        sys_message_id (str | Unset):
        sms_content (str | Unset):
    """

    sms_send_ts: int | Unset = UNSET
    sys_message_id: str | Unset = UNSET
    sms_content: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sms_send_ts = self.sms_send_ts

        sys_message_id = self.sys_message_id

        sms_content = self.sms_content

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if sms_send_ts is not UNSET:
            field_dict["smsSendTs"] = sms_send_ts
        if sys_message_id is not UNSET:
            field_dict["sysMessageID"] = sys_message_id
        if sms_content is not UNSET:
            field_dict["smsContent"] = sms_content

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        sms_send_ts = d.get("smsSendTs", UNSET)
        sys_message_id = d.get("sysMessageID", UNSET)
        sms_content = d.get("smsContent", UNSET)

        sms = cls(
            sms_send_ts=sms_send_ts,
            sys_message_id=sys_message_id,
            sms_content=sms_content,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        sms.additional_properties = additional_properties
        return sms

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        sms_send_ts = d.get("smsSendTs", UNSET)
        sys_message_id = d.get("sysMessageID", UNSET)
        sms_content = d.get("smsContent", UNSET)

        self.sms_send_ts = sms_send_ts
        self.sys_message_id = sys_message_id
        self.sms_content = sms_content
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
