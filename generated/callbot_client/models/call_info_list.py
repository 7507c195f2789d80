from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.call_order import CallOrder


T = TypeVar("T", bound="CallInfoList")


@_attrs_define
class CallInfoList:
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
        from ..models.call_order import CallOrder

        d = dict(src_dict)
        order_callback_url = d.pop("orderCallbackUrl")

        call_callback_url = d.pop("callCallbackUrl")

        call_list = []
        _call_list = d.pop("callList")
        for call_list_item_data in _call_list:
            call_list_item = CallOrder.from_dict(call_list_item_data)

            call_list.append(call_list_item)

        call_info_list = cls(
            order_callback_url=order_callback_url,
            call_callback_url=call_callback_url,
            call_list=call_list,
        )

        call_info_list.additional_properties = d
        return call_info_list

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
