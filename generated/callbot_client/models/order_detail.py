from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="OrderDetail")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "orderID",
        "userPhone",
        "userName",
        "sceneID",
        "userTaskID",
        "taskID",
        "finish",
        "other",
        "callInfoDetailList",
    }
)


@_attrs_define
class OrderDetail(_LazyModel):
    """
    Attributes:
        order_id (str | Unset):
        user_phone (str | Unset):
        user_name (str | Unset):
        scene_id (str | Unset):
        user_task_id (str | Unset):
        task_id (str | Unset):
        finish (bool | Unset): Whether the order is completed.
        other (str | Unset): The pass-through value given at import.
        call_info_detail_list (list[CallInfoDetail] | Unset):
    """

    order_id: str | Unset = UNSET
    user_phone: str | Unset = UNSET
    user_name: str | Unset = UNSET
    scene_id: str | Unset = UNSET
    user_task_id: str | Unset = UNSET
    task_id: str | Unset = UNSET
    finish: bool | Unset = UNSET
    other: str | Unset = UNSET
    call_info_detail_list: list[CallInfoDetail] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        user_phone = self.user_phone

        user_name = self.user_name

        scene_id = self.scene_id

        user_task_id = self.user_task_id

        task_id = self.task_id

        finish = self.finish

        other = self.other

        call_info_detail_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.call_info_detail_list, Unset):
            call_info_detail_list = []
            for call_info_detail_list_item_data in self.call_info_detail_list:
                call_info_detail_list_item = call_info_detail_list_item_data.to_dict()
                call_info_detail_list.append(call_info_detail_list_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["orderID"] = order_id
        if user_phone is not UNSET:
            field_dict["userPhone"] = user_phone
        if user_name is not UNSET:
            field_dict["userName"] = user_name
        if scene_id is not UNSET:
            field_dict["sceneID"] = scene_id
        if user_task_id is not UNSET:
            field_dict["userTaskID"] = user_task_id
        if task_id is not UNSET:
            field_dict["taskID"] = task_id
        if finish is not UNSET:
            field_dict["finish"] = finish
        if other is not UNSET:
            field_dict["other"] = other
        if call_info_detail_list is not UNSET:
            field_dict["callInfoDetailList"] = call_info_detail_list

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        order_id = d.get("orderID", UNSET)
        user_phone = d.get("userPhone", UNSET)
        user_name = d.get("userName", UNSET)
        scene_id = d.get("sceneID", UNSET)
        user_task_id = d.get("userTaskID", UNSET)
        task_id = d.get("taskID", UNSET)
        finish = d.get("finish", UNSET)
        other = d.get("other", UNSET)
        _call_info_detail_list = d.get("callInfoDetailList", UNSET)
        call_info_detail_list: list[CallInfoDetail] | Unset = UNSET
        if _call_info_detail_list is not UNSET:
            call_info_detail_list = [
                CallInfoDetail.from_dict(call_info_detail_list_item_data)
                for call_info_detail_list_item_data in _call_info_detail_list
            ]

        order_detail = cls(
            order_id=order_id,
            user_phone=user_phone,
            user_name=user_name,
            scene_id=scene_id,
            user_task_id=user_task_id,
            task_id=task_id,
            finish=finish,
            other=other,
            call_info_detail_list=call_info_detail_list,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        order_detail.additional_properties = additional_properties
        return order_detail

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        order_id = d.get("orderID", UNSET)
        user_phone = d.get("userPhone", UNSET)
        user_name = d.get("userName", UNSET)
        scene_id = d.get("sceneID", UNSET)
        user_task_id = d.get("userTaskID", UNSET)
        task_id = d.get("taskID", UNSET)
        finish = d.get("finish", UNSET)
        other = d.get("other", UNSET)
        _call_info_detail_list = d.get("callInfoDetailList", UNSET)
        call_info_detail_list: list[CallInfoDetail] | Unset = UNSET
        if _call_info_detail_list is not UNSET:
            call_info_detail_list = [
                _unbuilt(CallInfoDetail, call_info_detail_list_item_data)
                for call_info_detail_list_item_data in _call_info_detail_list
            ]

        self.order_id = order_id
        self.user_phone = user_phone
        self.user_name = user_name
        self.scene_id = scene_id
        self.user_task_id = user_task_id
        self.task_id = task_id
        self.finish = finish
        self.other = other
        self.call_info_detail_list = call_info_detail_list
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


from ..models.call_info_detail import CallInfoDetail
