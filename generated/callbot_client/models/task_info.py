from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="TaskInfo")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "userTaskID",
        "taskID",
        "sceneID",
        "taskStatus",
        "createTs",
        "taskStat",
    }
)


@_attrs_define
class TaskInfo(_LazyModel):
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
        d = src_dict
        user_task_id = d.get("userTaskID", UNSET)
        task_id = d.get("taskID", UNSET)
        scene_id = d.get("sceneID", UNSET)
        task_status = d.get("taskStatus", UNSET)
        create_ts = d.get("createTs", UNSET)
        _task_stat = d.get("taskStat", UNSET)
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

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        task_info.additional_properties = additional_properties
        return task_info

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        user_task_id = d.get("userTaskID", UNSET)
        task_id = d.get("taskID", UNSET)
        scene_id = d.get("sceneID", UNSET)
        task_status = d.get("taskStatus", UNSET)
        create_ts = d.get("createTs", UNSET)
        _task_stat = d.get("taskStat", UNSET)
        task_stat: TaskInfoStat | Unset
        if isinstance(_task_stat, Unset):
            task_stat = UNSET
        else:
            task_stat = TaskInfoStat.from_dict(_task_stat)

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


from ..models.task_info_stat import TaskInfoStat
