from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RangeFilter")


@_attrs_define
class RangeFilter:
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
        d = dict(src_dict)
        gt = d.pop("gt", UNSET)

        lt = d.pop("lt", UNSET)

        enable = d.pop("enable", UNSET)

        range_filter = cls(
            gt=gt,
            lt=lt,
            enable=enable,
        )

        range_filter.additional_properties = d
        return range_filter

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
