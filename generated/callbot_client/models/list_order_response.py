from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="ListOrderResponse")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "retCode",
        "retMsg",
        "responseID",
        "totalCount",
        "orderList",
    }
)


@_attrs_define
class ListOrderResponse(_LazyModel):
    """
    Attributes:
        ret_code (int): Response code: 0 success, anything else a failure (the HTTP status is 200 either way). The table
            printed on the createTaskAndCall, callList and batch pages:
            0 success; 1 general error; 2 missing parameter; 3 parameter format error; 4 invalid parameter
            value; 4001 parameter content capacity error (too many array elements); 5 server maintenance;
            5001 internal server error; 6 incorrect signature; 6001 missing signature; 6002 account does not
            exist; 6003 user has no permission; 7 system busy; 1001 batch import in progress, import/export not
            possible (batch pages only). Refusals 6, 6001 and 6002 may come unsigned (see the `sign` response
            header).
        ret_msg (str): Response message.
        response_id (str): Random unique ID used for request tracking; quote it when reporting an issue.
        total_count (int | Unset):
        order_list (list[OrderWithLastCall] | Unset):
    """

    ret_code: int
    ret_msg: str
    response_id: str
    total_count: int | Unset = UNSET
    order_list: list[OrderWithLastCall] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ret_code = self.ret_code

        ret_msg = self.ret_msg

        response_id = self.response_id

        total_count = self.total_count

        order_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.order_list, Unset):
            order_list = []
            for order_list_item_data in self.order_list:
                order_list_item = order_list_item_data.to_dict()
                order_list.append(order_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "retCode": ret_code,
                "retMsg": ret_msg,
                "responseID": response_id,
            }
        )
        if total_count is not UNSET:
            field_dict["totalCount"] = total_count
        if order_list is not UNSET:
            field_dict["orderList"] = order_list

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        ret_code = d["retCode"]
        ret_msg = d["retMsg"]
        response_id = d["responseID"]
        total_count = d.get("totalCount", UNSET)
        _order_list = d.get("orderList", UNSET)
        order_list: list[OrderWithLastCall] | Unset = UNSET
        if _order_list is not UNSET:
            order_list = [
                OrderWithLastCall.from_dict(order_list_item_data)
                for order_list_item_data in _order_list
            ]

        list_order_response = cls(
            ret_code=ret_code,
            ret_msg=ret_msg,
            response_id=response_id,
            total_count=total_count,
            order_list=order_list,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        list_order_response.additional_properties = additional_properties
        return list_order_response

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        ret_code = d["retCode"]
        ret_msg = d["retMsg"]
        response_id = d["responseID"]
        total_count = d.get("totalCount", UNSET)
        _order_list = d.get("orderList", UNSET)
        order_list: list[OrderWithLastCall] | Unset = UNSET
        if _order_list is not UNSET:
            order_list = [
                _unbuilt(OrderWithLastCall, order_list_item_data)
                for order_list_item_data in _order_list
            ]

        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.response_id = response_id
        self.total_count = total_count
        self.order_list = order_list
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


from ..models.order_with_last_call import OrderWithLastCall
