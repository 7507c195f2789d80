from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import _LazyModel, _unbuilt

T = TypeVar("T", bound="TaskCallback")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "callbackType",
        "userTaskID",
        "taskID",
        "sceneID",
        "taskStatus",
        "createTs",
        "taskStat",
    }
)


@_attrs_define
class TaskCallback(_LazyModel):
    """
    Attributes:
        callback_type (int | str): Callback type. Webhook - Task Status lists 1 task callback, 2 order callback (text
            cut); the By Call
            example sends 1, the By Order example "1".
        user_task_id (str): The caller's task ID.
        task_id (str): The platform's task ID.
        scene_id (str): Script template ID.
        task_status (int): A task status as the service reports it; the values 1 to 5 are those of `TaskStatus`.
        create_ts (int): Task creation timestamp (a body field, not the header).
        task_stat (TaskStat): Statistics of a task, as Webhook - Task Status sends them (its table marks every field
            required).
    """

    callback_type: int | str
    user_task_id: str
    task_id: str
    scene_id: str
    task_status: int
    create_ts: int
    task_stat: TaskStat
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        callback_type: int | str
        callback_type = self.callback_type

        user_task_id = self.user_task_id

        task_id = self.task_id

        scene_id = self.scene_id

        task_status = self.task_status

        create_ts = self.create_ts

        task_stat = self.task_stat.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "callbackType": callback_type,
                "userTaskID": user_task_id,
                "taskID": task_id,
                "sceneID": scene_id,
                "taskStatus": task_status,
                "createTs": create_ts,
                "taskStat": task_stat,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        callback_type = d["callbackType"]

        user_task_id = d["userTaskID"]
        task_id = d["taskID"]
        scene_id = d["sceneID"]
        task_status = d["taskStatus"]
        create_ts = d["createTs"]
        task_stat = TaskStat.from_dict(d["taskStat"])

        task_callback = cls(
            callback_type=callback_type,
            user_task_id=user_task_id,
            task_id=task_id,
            scene_id=scene_id,
            task_status=task_status,
            create_ts=create_ts,
            task_stat=task_stat,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        task_callback.additional_properties = additional_properties
        return task_callback

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        callback_type = d["callbackType"]

        user_task_id = d["userTaskID"]
        task_id = d["taskID"]
        scene_id = d["sceneID"]
        task_status = d["taskStatus"]
        create_ts = d["createTs"]
        task_stat = TaskStat.from_dict(d["taskStat"])

        self.callback_type = callback_type
        self.user_task_id = user_task_id
        self.task_id = task_id
        self.scene_id = scene_id
        self.task_status = task_status
        self.create_ts = create_ts
        self.task_stat = task_stat
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


from ..models.task_stat import TaskStat
