from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.list_task_conditions import ListTaskConditions


T = TypeVar("T", bound="ListTaskRequest")


@_attrs_define
class ListTaskRequest:
    """
    Attributes:
        product_id (Literal['callbot']): Constant value: "callbot". Default: 'callbot'.
        page (int): Page number (the example uses 1).
        size (int): Page size (the example uses 100).
        query_conditions (ListTaskConditions): Filters; every one is optional.
    """

    page: int
    size: int
    query_conditions: ListTaskConditions
    product_id: Literal["callbot"] = "callbot"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        product_id = self.product_id

        page = self.page

        size = self.size

        query_conditions = self.query_conditions.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "productID": product_id,
                "page": page,
                "size": size,
                "queryConditions": query_conditions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.list_task_conditions import ListTaskConditions

        d = dict(src_dict)
        product_id = cast(Literal["callbot"], d.pop("productID"))
        if product_id != "callbot":
            raise ValueError(
                f"productID must match const 'callbot', got '{product_id}'"
            )

        page = d.pop("page")

        size = d.pop("size")

        query_conditions = ListTaskConditions.from_dict(d.pop("queryConditions"))

        list_task_request = cls(
            product_id=product_id,
            page=page,
            size=size,
            query_conditions=query_conditions,
        )

        list_task_request.additional_properties = d
        return list_task_request

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
