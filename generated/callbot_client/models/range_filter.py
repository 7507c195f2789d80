from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="RangeFilter")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "gt",
        "lt",
        "enable",
    }
)


@_attrs_define
class RangeFilter(_LazyModel):
    """A numeric range filter, applied only when `enable` is true.

    Attributes:
        gt (int | Unset): Greater than.
        lt (int | Unset): Less than.
        enable (bool | Unset): Whether to apply this filter.
    """

    gt: int | Unset = UNSET
    lt: int | Unset = UNSET
    enable: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gt = self.gt

        lt = self.lt

        enable = self.enable

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if gt is not UNSET:
            field_dict["gt"] = gt
        if lt is not UNSET:
            field_dict["lt"] = lt
        if enable is not UNSET:
            field_dict["enable"] = enable

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        gt = d.get("gt", UNSET)
        lt = d.get("lt", UNSET)
        enable = d.get("enable", UNSET)

        range_filter = cls(
            gt=gt,
            lt=lt,
            enable=enable,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        range_filter.additional_properties = additional_properties
        return range_filter

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        gt = d.get("gt", UNSET)
        lt = d.get("lt", UNSET)
        enable = d.get("enable", UNSET)

        self.gt = gt
        self.lt = lt
        self.enable = enable
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
