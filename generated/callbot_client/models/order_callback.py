from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="OrderCallback")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "orderID",
        "userPhone",
        "userName",
        "sceneID",
        "userTaskID",
        "taskID",
        "callbackType",
        "finish",
        "other",
        "callInfoDetail",
    }
)


@_attrs_define
class OrderCallback(_LazyModel):
    """
    Attributes:
        order_id (str):
        user_phone (str):
        user_name (str):
        scene_id (str):
        user_task_id (str):
        task_id (str):
        callback_type (int | str): Callback type. Webhook - Task Status lists 1 task callback, 2 order callback (text
            cut); the By Call
            example sends 1, the By Order example "1".
        finish (bool | Unset): Whether the order is completed.
        other (str | Unset): The pass-through value given at import.
        call_info_detail (CallInfoDetail | Unset): One call.
    """

    order_id: str
    user_phone: str
    user_name: str
    scene_id: str
    user_task_id: str
    task_id: str
    callback_type: int | str
    finish: bool | Unset = UNSET
    other: str | Unset = UNSET
    call_info_detail: CallInfoDetail | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id = self.order_id

        user_phone = self.user_phone

        user_name = self.user_name

        scene_id = self.scene_id

        user_task_id = self.user_task_id

        task_id = self.task_id

        callback_type: int | str
        callback_type = self.callback_type

        finish = self.finish

        other = self.other

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
                "callbackType": callback_type,
            }
        )
        if finish is not UNSET:
            field_dict["finish"] = finish
        if other is not UNSET:
            field_dict["other"] = other
        if call_info_detail is not UNSET:
            field_dict["callInfoDetail"] = call_info_detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        order_id = d["orderID"]
        user_phone = d["userPhone"]
        user_name = d["userName"]
        scene_id = d["sceneID"]
        user_task_id = d["userTaskID"]
        task_id = d["taskID"]
        callback_type = d["callbackType"]

        finish = d.get("finish", UNSET)
        other = d.get("other", UNSET)
        _call_info_detail = d.get("callInfoDetail", UNSET)
        call_info_detail: CallInfoDetail | Unset
        if isinstance(_call_info_detail, Unset):
            call_info_detail = UNSET
        else:
            call_info_detail = CallInfoDetail.from_dict(_call_info_detail)

        order_callback = cls(
            order_id=order_id,
            user_phone=user_phone,
            user_name=user_name,
            scene_id=scene_id,
            user_task_id=user_task_id,
            task_id=task_id,
            callback_type=callback_type,
            finish=finish,
            other=other,
            call_info_detail=call_info_detail,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        order_callback.additional_properties = additional_properties
        return order_callback

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        order_id = d["orderID"]
        user_phone = d["userPhone"]
        user_name = d["userName"]
        scene_id = d["sceneID"]
        user_task_id = d["userTaskID"]
        task_id = d["taskID"]
        callback_type = d["callbackType"]

        finish = d.get("finish", UNSET)
        other = d.get("other", UNSET)
        _call_info_detail = d.get("callInfoDetail", UNSET)
        call_info_detail: CallInfoDetail | Unset
        if isinstance(_call_info_detail, Unset):
            call_info_detail = UNSET
        else:
            call_info_detail = _unbuilt(CallInfoDetail, _call_info_detail)

        self.order_id = order_id
        self.user_phone = user_phone
        self.user_name = user_name
        self.scene_id = scene_id
        self.user_task_id = user_task_id
        self.task_id = task_id
        self.callback_type = callback_type
        self.finish = finish
        self.other = other
        self.call_info_detail = call_info_detail
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
