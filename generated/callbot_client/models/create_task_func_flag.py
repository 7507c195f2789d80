from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="CreateTaskFuncFlag")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "taskKeep",
        "roundRedial",
        "wholeTTS",
        "smsEnable",
        "smsFuncFlag",
    }
)


@_attrs_define
class CreateTaskFuncFlag(_LazyModel):
    """Feature switches as the createTask example shows them (no phoneEncrypt).

    Attributes:
        task_keep (bool | Unset):
        round_redial (bool | Unset):
        whole_tts (bool | Unset):
        sms_enable (bool | Unset):
        sms_func_flag (list[CreateTaskSmsFuncFlag] | Unset):
    """

    task_keep: bool | Unset = UNSET
    round_redial: bool | Unset = UNSET
    whole_tts: bool | Unset = UNSET
    sms_enable: bool | Unset = UNSET
    sms_func_flag: list[CreateTaskSmsFuncFlag] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_keep = self.task_keep

        round_redial = self.round_redial

        whole_tts = self.whole_tts

        sms_enable = self.sms_enable

        sms_func_flag: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sms_func_flag, Unset):
            sms_func_flag = []
            for sms_func_flag_item_data in self.sms_func_flag:
                sms_func_flag_item = sms_func_flag_item_data.to_dict()
                sms_func_flag.append(sms_func_flag_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if task_keep is not UNSET:
            field_dict["taskKeep"] = task_keep
        if round_redial is not UNSET:
            field_dict["roundRedial"] = round_redial
        if whole_tts is not UNSET:
            field_dict["wholeTTS"] = whole_tts
        if sms_enable is not UNSET:
            field_dict["smsEnable"] = sms_enable
        if sms_func_flag is not UNSET:
            field_dict["smsFuncFlag"] = sms_func_flag

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        task_keep = d.get("taskKeep", UNSET)
        round_redial = d.get("roundRedial", UNSET)
        whole_tts = d.get("wholeTTS", UNSET)
        sms_enable = d.get("smsEnable", UNSET)
        _sms_func_flag = d.get("smsFuncFlag", UNSET)
        sms_func_flag: list[CreateTaskSmsFuncFlag] | Unset = UNSET
        if _sms_func_flag is not UNSET:
            sms_func_flag = [
                CreateTaskSmsFuncFlag.from_dict(sms_func_flag_item_data)
                for sms_func_flag_item_data in _sms_func_flag
            ]

        create_task_func_flag = cls(
            task_keep=task_keep,
            round_redial=round_redial,
            whole_tts=whole_tts,
            sms_enable=sms_enable,
            sms_func_flag=sms_func_flag,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        create_task_func_flag.additional_properties = additional_properties
        return create_task_func_flag

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        task_keep = d.get("taskKeep", UNSET)
        round_redial = d.get("roundRedial", UNSET)
        whole_tts = d.get("wholeTTS", UNSET)
        sms_enable = d.get("smsEnable", UNSET)
        _sms_func_flag = d.get("smsFuncFlag", UNSET)
        sms_func_flag: list[CreateTaskSmsFuncFlag] | Unset = UNSET
        if _sms_func_flag is not UNSET:
            sms_func_flag = [
                CreateTaskSmsFuncFlag.from_dict(sms_func_flag_item_data)
                for sms_func_flag_item_data in _sms_func_flag
            ]

        self.task_keep = task_keep
        self.round_redial = round_redial
        self.whole_tts = whole_tts
        self.sms_enable = sms_enable
        self.sms_func_flag = sms_func_flag
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


from ..models.create_task_sms_func_flag import CreateTaskSmsFuncFlag
