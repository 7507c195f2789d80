from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.intent import Intent


T = TypeVar("T", bound="ExportedCall")


@_attrs_define
class ExportedCall:
    """
    Attributes:
        order_id (str | Unset):
        user_phone (str | Unset):
        other (str | Unset):
        call_id (str | Unset):
        call_status (int | Unset):
        call_start_ts (int | Unset):
        intents (list[Intent] | Unset):
    """

    order_id: str | Unset = UNSET
    user_phone: str | Unset = UNSET
    other: str | Unset = UNSET
    call_id: str | Unset = UNSET
    call_status: int | Unset = UNSET
    call_start_ts: int | Unset = UNSET
    intents: list[Intent] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        user_phone = self.user_phone

        other = self.other

        call_id = self.call_id

        call_status = self.call_status

        call_start_ts = self.call_start_ts

        intents: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.intents, Unset):
            intents = []
            for intents_item_data in self.intents:
                intents_item = intents_item_data.to_dict()
                intents.append(intents_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["orderID"] = order_id
        if user_phone is not UNSET:
            field_dict["userPhone"] = user_phone
        if other is not UNSET:
            field_dict["other"] = other
        if call_id is not UNSET:
            field_dict["callID"] = call_id
        if call_status is not UNSET:
            field_dict["callStatus"] = call_status
        if call_start_ts is not UNSET:
            field_dict["callStartTs"] = call_start_ts
        if intents is not UNSET:
            field_dict["intents"] = intents

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.intent import Intent

        d = dict(src_dict)
        order_id = d.pop("orderID", UNSET)

        user_phone = d.pop("userPhone", UNSET)

        other = d.pop("other", UNSET)

        call_id = d.pop("callID", UNSET)

        call_status = d.pop("callStatus", UNSET)

        call_start_ts = d.pop("callStartTs", UNSET)

        _intents = d.pop("intents", UNSET)
        intents: list[Intent] | Unset = UNSET
        if _intents is not UNSET:
            intents = []
            for intents_item_data in _intents:
                intents_item = Intent.from_dict(intents_item_data)

                intents.append(intents_item)

        exported_call = cls(
            order_id=order_id,
            user_phone=user_phone,
            other=other,
            call_id=call_id,
            call_status=call_status,
            call_start_ts=call_start_ts,
            intents=intents,
        )

        exported_call.additional_properties = d
        return exported_call

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
