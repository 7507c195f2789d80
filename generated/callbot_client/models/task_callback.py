from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.task_stat import TaskStat


T = TypeVar("T", bound="TaskCallback")


@_attrs_define
class TaskCallback:
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
        from ..models.task_stat import TaskStat

        d = dict(src_dict)

        def _parse_callback_type(data: object) -> int | str:
            return cast(int | str, data)

        callback_type = _parse_callback_type(d.pop("callbackType"))

        user_task_id = d.pop("userTaskID")

        task_id = d.pop("taskID")

        scene_id = d.pop("sceneID")

        task_status = d.pop("taskStatus")

        create_ts = d.pop("createTs")

        task_stat = TaskStat.from_dict(d.pop("taskStat"))

        task_callback = cls(
            callback_type=callback_type,
            user_task_id=user_task_id,
            task_id=task_id,
            scene_id=scene_id,
            task_status=task_status,
            create_ts=create_ts,
            task_stat=task_stat,
        )

        task_callback.additional_properties = d
        return task_callback

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
