from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Sms")


@_attrs_define
class Sms:
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
        d = dict(src_dict)
        sms_send_ts = d.pop("smsSendTs", UNSET)

        sys_message_id = d.pop("sysMessageID", UNSET)

        sms_content = d.pop("smsContent", UNSET)

        sms = cls(
            sms_send_ts=sms_send_ts,
            sys_message_id=sys_message_id,
            sms_content=sms_content,
        )

        sms.additional_properties = d
        return sms

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
