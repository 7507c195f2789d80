from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="TaskCreateSetting")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "strategyName",
        "startupType",
        "startupAt",
        "zoneSecond",
        "dialAtWeekDay",
        "dialAtUpHour",
        "dialAtDownHour",
        "maxCall",
        "taskName",
        "taskCallbackUrl",
        "maxRingTime",
        "routeID",
        "manualCallSetting",
    }
)


@_attrs_define
class TaskCreateSetting(_LazyModel):
    """Dialing settings of a task.

    Attributes:
        strategy_name (str | Unset): Dialing strategy name (the Chinese example uses "默认策略", default strategy).
        startup_type (int | Unset):
        startup_at (int | Unset):
        zone_second (int | Unset):
        dial_at_week_day (str | Unset):
        dial_at_up_hour (str | Unset):
        dial_at_down_hour (str | Unset):
        max_call (int | Unset):
        task_name (str | Unset):
        task_callback_url (str | Unset): Where task status callbacks are sent (Webhook - Task Status).
        max_ring_time (int | Unset):
        route_id (str | Unset):
        manual_call_setting (ManualCallSetting | Unset): Settings named for a hand-over to human agents (meaning not
            documented, see x-assumption).
    """

    strategy_name: str | Unset = UNSET
    startup_type: int | Unset = UNSET
    startup_at: int | Unset = UNSET
    zone_second: int | Unset = UNSET
    dial_at_week_day: str | Unset = UNSET
    dial_at_up_hour: str | Unset = UNSET
    dial_at_down_hour: str | Unset = UNSET
    max_call: int | Unset = UNSET
    task_name: str | Unset = UNSET
    task_callback_url: str | Unset = UNSET
    max_ring_time: int | Unset = UNSET
    route_id: str | Unset = UNSET
    manual_call_setting: ManualCallSetting | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        strategy_name = self.strategy_name

        startup_type = self.startup_type

        startup_at = self.startup_at

        zone_second = self.zone_second

        dial_at_week_day = self.dial_at_week_day

        dial_at_up_hour = self.dial_at_up_hour

        dial_at_down_hour = self.dial_at_down_hour

        max_call = self.max_call

        task_name = self.task_name

        task_callback_url = self.task_callback_url

        max_ring_time = self.max_ring_time

        route_id = self.route_id

        manual_call_setting: dict[str, Any] | Unset = UNSET
        if not isinstance(self.manual_call_setting, Unset):
            manual_call_setting = self.manual_call_setting.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if strategy_name is not UNSET:
            field_dict["strategyName"] = strategy_name
        if startup_type is not UNSET:
            field_dict["startupType"] = startup_type
        if startup_at is not UNSET:
            field_dict["startupAt"] = startup_at
        if zone_second is not UNSET:
            field_dict["zoneSecond"] = zone_second
        if dial_at_week_day is not UNSET:
            field_dict["dialAtWeekDay"] = dial_at_week_day
        if dial_at_up_hour is not UNSET:
            field_dict["dialAtUpHour"] = dial_at_up_hour
        if dial_at_down_hour is not UNSET:
            field_dict["dialAtDownHour"] = dial_at_down_hour
        if max_call is not UNSET:
            field_dict["maxCall"] = max_call
        if task_name is not UNSET:
            field_dict["taskName"] = task_name
        if task_callback_url is not UNSET:
            field_dict["taskCallbackUrl"] = task_callback_url
        if max_ring_time is not UNSET:
            field_dict["maxRingTime"] = max_ring_time
        if route_id is not UNSET:
            field_dict["routeID"] = route_id
        if manual_call_setting is not UNSET:
            field_dict["manualCallSetting"] = manual_call_setting

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        strategy_name = d.get("strategyName", UNSET)
        startup_type = d.get("startupType", UNSET)
        startup_at = d.get("startupAt", UNSET)
        zone_second = d.get("zoneSecond", UNSET)
        dial_at_week_day = d.get("dialAtWeekDay", UNSET)
        dial_at_up_hour = d.get("dialAtUpHour", UNSET)
        dial_at_down_hour = d.get("dialAtDownHour", UNSET)
        max_call = d.get("maxCall", UNSET)
        task_name = d.get("taskName", UNSET)
        task_callback_url = d.get("taskCallbackUrl", UNSET)
        max_ring_time = d.get("maxRingTime", UNSET)
        route_id = d.get("routeID", UNSET)
        _manual_call_setting = d.get("manualCallSetting", UNSET)
        manual_call_setting: ManualCallSetting | Unset
        if isinstance(_manual_call_setting, Unset):
            manual_call_setting = UNSET
        else:
            manual_call_setting = ManualCallSetting.from_dict(_manual_call_setting)

        task_create_setting = cls(
            strategy_name=strategy_name,
            startup_type=startup_type,
            startup_at=startup_at,
            zone_second=zone_second,
            dial_at_week_day=dial_at_week_day,
            dial_at_up_hour=dial_at_up_hour,
            dial_at_down_hour=dial_at_down_hour,
            max_call=max_call,
            task_name=task_name,
            task_callback_url=task_callback_url,
            max_ring_time=max_ring_time,
            route_id=route_id,
            manual_call_setting=manual_call_setting,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        task_create_setting.additional_properties = additional_properties
        return task_create_setting

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        strategy_name = d.get("strategyName", UNSET)
        startup_type = d.get("startupType", UNSET)
        startup_at = d.get("startupAt", UNSET)
        zone_second = d.get("zoneSecond", UNSET)
        dial_at_week_day = d.get("dialAtWeekDay", UNSET)
        dial_at_up_hour = d.get("dialAtUpHour", UNSET)
        dial_at_down_hour = d.get("dialAtDownHour", UNSET)
        max_call = d.get("maxCall", UNSET)
        task_name = d.get("taskName", UNSET)
        task_callback_url = d.get("taskCallbackUrl", UNSET)
        max_ring_time = d.get("maxRingTime", UNSET)
        route_id = d.get("routeID", UNSET)
        _manual_call_setting = d.get("manualCallSetting", UNSET)
        manual_call_setting: ManualCallSetting | Unset
        if isinstance(_manual_call_setting, Unset):
            manual_call_setting = UNSET
        else:
            manual_call_setting = ManualCallSetting.from_dict(_manual_call_setting)

        self.strategy_name = strategy_name
        self.startup_type = startup_type
        self.startup_at = startup_at
        self.zone_second = zone_second
        self.dial_at_week_day = dial_at_week_day
        self.dial_at_up_hour = dial_at_up_hour
        self.dial_at_down_hour = dial_at_down_hour
        self.max_call = max_call
        self.task_name = task_name
        self.task_callback_url = task_callback_url
        self.max_ring_time = max_ring_time
        self.route_id = route_id
        self.manual_call_setting = manual_call_setting
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


from ..models.manual_call_setting import ManualCallSetting
