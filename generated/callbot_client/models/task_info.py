from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.task_info_stat import TaskInfoStat


T = TypeVar("T", bound="TaskInfo")


@_attrs_define
class TaskInfo:
    """
    Attributes:
        user_task_id (str | Unset):
        task_id (str | Unset):
        scene_id (str | Unset):
        task_status (int | Unset): A task status as the service reports it; the values 1 to 5 are those of `TaskStatus`.
        create_ts (int | Unset): Task creation time.
        task_stat (TaskInfoStat | Unset): Statistics of a task, as listTask returns them (the fields of TaskStat, each
            optional).
    """

    user_task_id: str | Unset = UNSET
    task_id: str | Unset = UNSET
    scene_id: str | Unset = UNSET
    task_status: int | Unset = UNSET
    create_ts: int | Unset = UNSET
    task_stat: TaskInfoStat | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user_task_id = self.user_task_id

        task_id = self.task_id

        scene_id = self.scene_id

        task_status = self.task_status

        create_ts = self.create_ts

        task_stat: dict[str, Any] | Unset = UNSET
        if not isinstance(self.task_stat, Unset):
            task_stat = self.task_stat.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if user_task_id is not UNSET:
            field_dict["userTaskID"] = user_task_id
        if task_id is not UNSET:
            field_dict["taskID"] = task_id
        if scene_id is not UNSET:
            field_dict["sceneID"] = scene_id
        if task_status is not UNSET:
            field_dict["taskStatus"] = task_status
        if create_ts is not UNSET:
            field_dict["createTs"] = create_ts
        if task_stat is not UNSET:
            field_dict["taskStat"] = task_stat

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.task_info_stat import TaskInfoStat

        d = dict(src_dict)
        user_task_id = d.pop("userTaskID", UNSET)

        task_id = d.pop("taskID", UNSET)

        scene_id = d.pop("sceneID", UNSET)

        task_status = d.pop("taskStatus", UNSET)

        create_ts = d.pop("createTs", UNSET)

        _task_stat = d.pop("taskStat", UNSET)
        task_stat: TaskInfoStat | Unset
        if isinstance(_task_stat, Unset):
            task_stat = UNSET
        else:
            task_stat = TaskInfoStat.from_dict(_task_stat)

        task_info = cls(
            user_task_id=user_task_id,
            task_id=task_id,
            scene_id=scene_id,
            task_status=task_status,
            create_ts=create_ts,
            task_stat=task_stat,
        )

        task_info.additional_properties = d
        return task_info

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
