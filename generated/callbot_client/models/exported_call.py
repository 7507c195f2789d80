from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="ExportedCall")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "orderID",
        "userPhone",
        "other",
        "callID",
        "callStatus",
        "callStartTs",
        "intents",
    }
)


@_attrs_define
class ExportedCall(_LazyModel):
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
        d = src_dict
        order_id = d.get("orderID", UNSET)
        user_phone = d.get("userPhone", UNSET)
        other = d.get("other", UNSET)
        call_id = d.get("callID", UNSET)
        call_status = d.get("callStatus", UNSET)
        call_start_ts = d.get("callStartTs", UNSET)
        _intents = d.get("intents", UNSET)
        intents: list[Intent] | Unset = UNSET
        if _intents is not UNSET:
            intents = [
                Intent.from_dict(intents_item_data) for intents_item_data in _intents
            ]

        exported_call = cls(
            order_id=order_id,
            user_phone=user_phone,
            other=other,
            call_id=call_id,
            call_status=call_status,
            call_start_ts=call_start_ts,
            intents=intents,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        exported_call.additional_properties = additional_properties
        return exported_call

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        order_id = d.get("orderID", UNSET)
        user_phone = d.get("userPhone", UNSET)
        other = d.get("other", UNSET)
        call_id = d.get("callID", UNSET)
        call_status = d.get("callStatus", UNSET)
        call_start_ts = d.get("callStartTs", UNSET)
        _intents = d.get("intents", UNSET)
        intents: list[Intent] | Unset = UNSET
        if _intents is not UNSET:
            intents = [
                Intent.from_dict(intents_item_data) for intents_item_data in _intents
            ]

        self.order_id = order_id
        self.user_phone = user_phone
        self.other = other
        self.call_id = call_id
        self.call_status = call_status
        self.call_start_ts = call_start_ts
        self.intents = intents
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


from ..models.intent import Intent
