from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="ListTaskConditions")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "taskStatus",
        "taskName",
        "sceneID",
        "userTaskID",
        "startTs",
        "endTs",
    }
)


@_attrs_define
class ListTaskConditions(_LazyModel):
    """Filters; every one is optional.

    Attributes:
        task_status (list[TaskStatus] | Unset): Task statuses.
        task_name (list[str] | Unset): Task names.
        scene_id (str | Unset): Script template ID.
        user_task_id (list[str] | Unset): Caller task IDs.
        start_ts (int | Unset): Start of the task-creation time range.
        end_ts (int | Unset): End of the task-creation time range.
    """

    task_status: list[TaskStatus] | Unset = UNSET
    task_name: list[str] | Unset = UNSET
    scene_id: str | Unset = UNSET
    user_task_id: list[str] | Unset = UNSET
    start_ts: int | Unset = UNSET
    end_ts: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_status: list[int] | Unset = UNSET
        if not isinstance(self.task_status, Unset):
            task_status = []
            for task_status_item_data in self.task_status:
                task_status_item = task_status_item_data.value
                task_status.append(task_status_item)

        task_name: list[str] | Unset = UNSET
        if not isinstance(self.task_name, Unset):
            task_name = self.task_name

        scene_id = self.scene_id

        user_task_id: list[str] | Unset = UNSET
        if not isinstance(self.user_task_id, Unset):
            user_task_id = self.user_task_id

        start_ts = self.start_ts

        end_ts = self.end_ts

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_status is not UNSET:
            field_dict["taskStatus"] = task_status
        if task_name is not UNSET:
            field_dict["taskName"] = task_name
        if scene_id is not UNSET:
            field_dict["sceneID"] = scene_id
        if user_task_id is not UNSET:
            field_dict["userTaskID"] = user_task_id
        if start_ts is not UNSET:
            field_dict["startTs"] = start_ts
        if end_ts is not UNSET:
            field_dict["endTs"] = end_ts

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        _task_status = d.get("taskStatus", UNSET)
        task_status: list[TaskStatus] | Unset = UNSET
        if _task_status is not UNSET:
            task_status = []
            for task_status_item_data in _task_status:
                task_status_item = TaskStatus(task_status_item_data)

                task_status.append(task_status_item)

        task_name = cast(list[str], d.get("taskName", UNSET))

        scene_id = d.get("sceneID", UNSET)
        user_task_id = cast(list[str], d.get("userTaskID", UNSET))

        start_ts = d.get("startTs", UNSET)
        end_ts = d.get("endTs", UNSET)

        list_task_conditions = cls(
            task_status=task_status,
            task_name=task_name,
            scene_id=scene_id,
            user_task_id=user_task_id,
            start_ts=start_ts,
            end_ts=end_ts,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        list_task_conditions.additional_properties = additional_properties
        return list_task_conditions

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        _task_status = d.get("taskStatus", UNSET)
        task_status: list[TaskStatus] | Unset = UNSET
        if _task_status is not UNSET:
            task_status = []
            for task_status_item_data in _task_status:
                task_status_item = TaskStatus(task_status_item_data)

                task_status.append(task_status_item)

        task_name = cast(list[str], d.get("taskName", UNSET))

        scene_id = d.get("sceneID", UNSET)
        user_task_id = cast(list[str], d.get("userTaskID", UNSET))

        start_ts = d.get("startTs", UNSET)
        end_ts = d.get("endTs", UNSET)

        self.task_status = task_status
        self.task_name = task_name
        self.scene_id = scene_id
        self.user_task_id = user_task_id
        self.start_ts = start_ts
        self.end_ts = end_ts
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
