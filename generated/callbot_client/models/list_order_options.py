from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="ListOrderOptions")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "orderID",
        "intentID",
        "intentName",
        "intentTag",
        "intentLevel",
        "finish",
        "turnTime",
        "callDuration",
        "callStatus",
    }
)


@_attrs_define
class ListOrderOptions(_LazyModel):
    """Query conditions.

    Attributes:
        order_id (list[str] | None | Unset): Order IDs given at import.
        intent_id (list[str] | None | Unset): Intent-tag IDs of the script template.
        intent_name (list[str] | None | Unset): Intent-tag names.
        intent_tag (list[str] | None | Unset): User-defined intent tags.
        intent_level (list[int] | None | Unset): Only on the Chinese page.
        finish (int | None | Unset): Completed-call flag; values not documented.
        turn_time (None | RangeFilter | Unset): Dialogue-turn count filter (object or null on the page).
        call_duration (RangeFilter | Unset): A numeric range filter, applied only when `enable` is true.
        call_status (list[int] | None | Unset):
    """

    order_id: list[str] | None | Unset = UNSET
    intent_id: list[str] | None | Unset = UNSET
    intent_name: list[str] | None | Unset = UNSET
    intent_tag: list[str] | None | Unset = UNSET
    intent_level: list[int] | None | Unset = UNSET
    finish: int | None | Unset = UNSET
    turn_time: None | RangeFilter | Unset = UNSET
    call_duration: RangeFilter | Unset = UNSET
    call_status: list[int] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        order_id: list[str] | None | Unset
        if isinstance(self.order_id, Unset):
            order_id = UNSET
        elif isinstance(self.order_id, list):
            order_id = self.order_id

        else:
            order_id = self.order_id

        intent_id: list[str] | None | Unset
        if isinstance(self.intent_id, Unset):
            intent_id = UNSET
        elif isinstance(self.intent_id, list):
            intent_id = self.intent_id

        else:
            intent_id = self.intent_id

        intent_name: list[str] | None | Unset
        if isinstance(self.intent_name, Unset):
            intent_name = UNSET
        elif isinstance(self.intent_name, list):
            intent_name = self.intent_name

        else:
            intent_name = self.intent_name

        intent_tag: list[str] | None | Unset
        if isinstance(self.intent_tag, Unset):
            intent_tag = UNSET
        elif isinstance(self.intent_tag, list):
            intent_tag = self.intent_tag

        else:
            intent_tag = self.intent_tag

        intent_level: list[int] | None | Unset
        if isinstance(self.intent_level, Unset):
            intent_level = UNSET
        elif isinstance(self.intent_level, list):
            intent_level = self.intent_level

        else:
            intent_level = self.intent_level

        finish: int | None | Unset
        if isinstance(self.finish, Unset):
            finish = UNSET
        else:
            finish = self.finish

        turn_time: dict[str, Any] | None | Unset
        if isinstance(self.turn_time, Unset):
            turn_time = UNSET
        elif isinstance(self.turn_time, RangeFilter):
            turn_time = self.turn_time.to_dict()
        else:
            turn_time = self.turn_time

        call_duration: dict[str, Any] | Unset = UNSET
        if not isinstance(self.call_duration, Unset):
            call_duration = self.call_duration.to_dict()

        call_status: list[int] | None | Unset
        if isinstance(self.call_status, Unset):
            call_status = UNSET
        elif isinstance(self.call_status, list):
            call_status = self.call_status

        else:
            call_status = self.call_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if order_id is not UNSET:
            field_dict["orderID"] = order_id
        if intent_id is not UNSET:
            field_dict["intentID"] = intent_id
        if intent_name is not UNSET:
            field_dict["intentName"] = intent_name
        if intent_tag is not UNSET:
            field_dict["intentTag"] = intent_tag
        if intent_level is not UNSET:
            field_dict["intentLevel"] = intent_level
        if finish is not UNSET:
            field_dict["finish"] = finish
        if turn_time is not UNSET:
            field_dict["turnTime"] = turn_time
        if call_duration is not UNSET:
            field_dict["callDuration"] = call_duration
        if call_status is not UNSET:
            field_dict["callStatus"] = call_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict

        def _parse_order_id(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                order_id_type_0 = cast(list[str], data)

                return order_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        order_id = _parse_order_id(d.get("orderID", UNSET))

        def _parse_intent_id(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_id_type_0 = cast(list[str], data)

                return intent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_id = _parse_intent_id(d.get("intentID", UNSET))

        def _parse_intent_name(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_name_type_0 = cast(list[str], data)

                return intent_name_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_name = _parse_intent_name(d.get("intentName", UNSET))

        def _parse_intent_tag(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_tag_type_0 = cast(list[str], data)

                return intent_tag_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_tag = _parse_intent_tag(d.get("intentTag", UNSET))

        def _parse_intent_level(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_level_type_0 = cast(list[int], data)

                return intent_level_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        intent_level = _parse_intent_level(d.get("intentLevel", UNSET))

        finish = d.get("finish", UNSET)

        def _parse_turn_time(data: object) -> None | RangeFilter | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                turn_time_type_0 = RangeFilter.from_dict(data)

                return turn_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RangeFilter | Unset, data)

        turn_time = _parse_turn_time(d.get("turnTime", UNSET))

        _call_duration = d.get("callDuration", UNSET)
        call_duration: RangeFilter | Unset
        if isinstance(_call_duration, Unset):
            call_duration = UNSET
        else:
            call_duration = RangeFilter.from_dict(_call_duration)

        def _parse_call_status(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                call_status_type_0 = cast(list[int], data)

                return call_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        call_status = _parse_call_status(d.get("callStatus", UNSET))

        list_order_options = cls(
            order_id=order_id,
            intent_id=intent_id,
            intent_name=intent_name,
            intent_tag=intent_tag,
            intent_level=intent_level,
            finish=finish,
            turn_time=turn_time,
            call_duration=call_duration,
            call_status=call_status,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        list_order_options.additional_properties = additional_properties
        return list_order_options

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        def _parse_order_id(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                order_id_type_0 = cast(list[str], data)

                return order_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        order_id = _parse_order_id(d.get("orderID", UNSET))

        def _parse_intent_id(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_id_type_0 = cast(list[str], data)

                return intent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_id = _parse_intent_id(d.get("intentID", UNSET))

        def _parse_intent_name(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_name_type_0 = cast(list[str], data)

                return intent_name_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_name = _parse_intent_name(d.get("intentName", UNSET))

        def _parse_intent_tag(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_tag_type_0 = cast(list[str], data)

                return intent_tag_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        intent_tag = _parse_intent_tag(d.get("intentTag", UNSET))

        def _parse_intent_level(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                intent_level_type_0 = cast(list[int], data)

                return intent_level_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        intent_level = _parse_intent_level(d.get("intentLevel", UNSET))

        finish = d.get("finish", UNSET)

        def _parse_turn_time(data: object) -> None | RangeFilter | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                turn_time_type_0 = RangeFilter.from_dict(data)

                return turn_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RangeFilter | Unset, data)

        turn_time = _parse_turn_time(d.get("turnTime", UNSET))

        _call_duration = d.get("callDuration", UNSET)
        call_duration: RangeFilter | Unset
        if isinstance(_call_duration, Unset):
            call_duration = UNSET
        else:
            call_duration = RangeFilter.from_dict(_call_duration)

        def _parse_call_status(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                call_status_type_0 = cast(list[int], data)

                return call_status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        call_status = _parse_call_status(d.get("callStatus", UNSET))

        self.order_id = order_id
        self.intent_id = intent_id
        self.intent_name = intent_name
        self.intent_tag = intent_tag
        self.intent_level = intent_level
        self.finish = finish
        self.turn_time = turn_time
        self.call_duration = call_duration
        self.call_status = call_status
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


from ..models.range_filter import RangeFilter
