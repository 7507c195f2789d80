from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import _LazyModel, _unbuilt

T = TypeVar("T", bound="CallInfoList")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "orderCallbackUrl",
        "callCallbackUrl",
        "callList",
    }
)


@_attrs_define
class CallInfoList(_LazyModel):
    """
    Attributes:
        order_callback_url (str): URL called when an order is finished (Webhook - By Order).
        call_callback_url (str): URL called when a call is finished (Webhook - By Call).
        call_list (list[CallOrder]): One entry per phone number, that is one order; an order may take several calls.
    """

    order_callback_url: str
    call_callback_url: str
    call_list: list[CallOrder]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_callback_url = self.order_callback_url

        call_callback_url = self.call_callback_url

        call_list = []
        for call_list_item_data in self.call_list:
            call_list_item = call_list_item_data.to_dict()
            call_list.append(call_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderCallbackUrl": order_callback_url,
                "callCallbackUrl": call_callback_url,
                "callList": call_list,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        order_callback_url = d["orderCallbackUrl"]
        call_callback_url = d["callCallbackUrl"]
        call_list = [
            CallOrder.from_dict(call_list_item_data)
            for call_list_item_data in d["callList"]
        ]

        call_info_list = cls(
            order_callback_url=order_callback_url,
            call_callback_url=call_callback_url,
            call_list=call_list,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        call_info_list.additional_properties = additional_properties
        return call_info_list

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        order_callback_url = d["orderCallbackUrl"]
        call_callback_url = d["callCallbackUrl"]
        call_list = [
            _unbuilt(CallOrder, call_list_item_data)
            for call_list_item_data in d["callList"]
        ]

        self.order_callback_url = order_callback_url
        self.call_callback_url = call_callback_url
        self.call_list = call_list
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


from ..models.call_order import CallOrder
