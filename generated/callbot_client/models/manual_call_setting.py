from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="ManualCallSetting")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "agentGroup",
        "dispatchType",
        "ratioCallRate",
        "predictCallRate",
    }
)


@_attrs_define
class ManualCallSetting(_LazyModel):
    """Settings named for a hand-over to human agents (meaning not documented, see x-assumption).

    Attributes:
        agent_group (str | Unset):
        dispatch_type (int | Unset):
        ratio_call_rate (float | Unset):
        predict_call_rate (float | Unset):
    """

    agent_group: str | Unset = UNSET
    dispatch_type: int | Unset = UNSET
    ratio_call_rate: float | Unset = UNSET
    predict_call_rate: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_group = self.agent_group

        dispatch_type = self.dispatch_type

        ratio_call_rate = self.ratio_call_rate

        predict_call_rate = self.predict_call_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if agent_group is not UNSET:
            field_dict["agentGroup"] = agent_group
        if dispatch_type is not UNSET:
            field_dict["dispatchType"] = dispatch_type
        if ratio_call_rate is not UNSET:
            field_dict["ratioCallRate"] = ratio_call_rate
        if predict_call_rate is not UNSET:
            field_dict["predictCallRate"] = predict_call_rate

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        agent_group = d.get("agentGroup", UNSET)
        dispatch_type = d.get("dispatchType", UNSET)
        ratio_call_rate = d.get("ratioCallRate", UNSET)
        predict_call_rate = d.get("predictCallRate", UNSET)

        manual_call_setting = cls(
            agent_group=agent_group,
            dispatch_type=dispatch_type,
            ratio_call_rate=ratio_call_rate,
            predict_call_rate=predict_call_rate,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        manual_call_setting.additional_properties = additional_properties
        return manual_call_setting

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        agent_group = d.get("agentGroup", UNSET)
        dispatch_type = d.get("dispatchType", UNSET)
        ratio_call_rate = d.get("ratioCallRate", UNSET)
        predict_call_rate = d.get("predictCallRate", UNSET)

        self.agent_group = agent_group
        self.dispatch_type = dispatch_type
        self.ratio_call_rate = ratio_call_rate
        self.predict_call_rate = predict_call_rate
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
