from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.call_info_detail import CallInfoDetail


T = TypeVar("T", bound="CallCallback")


@_attrs_define
class CallCallback:
    """
    Attributes:
        order_id (str):
        user_phone (str):
        user_name (str):
        scene_id (str):
        user_task_id (str):
        task_id (str):
        finish (bool): Whether the order is completed.
        other (str): The pass-through value given at import.
        callback_type (int | str): Callback type. Webhook - Task Status lists 1 task callback, 2 order callback (text
            cut); the By Call
            example sends 1, the By Order example "1".
        call_info_detail (CallInfoDetail | Unset): One call.
    """

    order_id: str
    user_phone: str
    user_name: str
    scene_id: str
    user_task_id: str
    task_id: str
    finish: bool
    other: str
    callback_type: int | str
    call_info_detail: CallInfoDetail | Unset = UNSET
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

        callback_type: int | str
        callback_type = self.callback_type

        call_info_detail: dict[str, Any] | Unset = UNSET
        if not isinstance(self.call_info_detail, Unset):
            call_info_detail = self.call_info_detail.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "orderID": order_id,
                "userPhone": user_phone,
                "userName": user_name,
                "sceneID": scene_id,
                "userTaskID": user_task_id,
                "taskID": task_id,
                "finish": finish,
                "other": other,
                "callbackType": callback_type,
            }
        )
        if call_info_detail is not UNSET:
            field_dict["callInfoDetail"] = call_info_detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.call_info_detail import CallInfoDetail

        d = dict(src_dict)
        order_id = d.pop("orderID")

        user_phone = d.pop("userPhone")

        user_name = d.pop("userName")

        scene_id = d.pop("sceneID")

        user_task_id = d.pop("userTaskID")

        task_id = d.pop("taskID")

        finish = d.pop("finish")

        other = d.pop("other")

        def _parse_callback_type(data: object) -> int | str:
            return cast(int | str, data)

        callback_type = _parse_callback_type(d.pop("callbackType"))

        _call_info_detail = d.pop("callInfoDetail", UNSET)
        call_info_detail: CallInfoDetail | Unset
        if isinstance(_call_info_detail, Unset):
            call_info_detail = UNSET
        else:
            call_info_detail = CallInfoDetail.from_dict(_call_info_detail)

        call_callback = cls(
            order_id=order_id,
            user_phone=user_phone,
            user_name=user_name,
            scene_id=scene_id,
            user_task_id=user_task_id,
            task_id=task_id,
            finish=finish,
            other=other,
            callback_type=callback_type,
            call_info_detail=call_info_detail,
        )

        call_callback.additional_properties = d
        return call_callback

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
