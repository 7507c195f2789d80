from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    Self,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import _LazyModel, _unbuilt

T = TypeVar("T", bound="ListTaskRequest")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "productID",
        "page",
        "size",
        "queryConditions",
    }
)


@_attrs_define
class ListTaskRequest(_LazyModel):
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
        d = src_dict
        product_id = cast(Literal["callbot"], d["productID"])
        if product_id != "callbot":
            raise ValueError(
                f"productID must match const 'callbot', got '{product_id}'"
            )
        page = d["page"]
        size = d["size"]
        query_conditions = ListTaskConditions.from_dict(d["queryConditions"])

        list_task_request = cls(
            product_id=product_id,
            page=page,
            size=size,
            query_conditions=query_conditions,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        list_task_request.additional_properties = additional_properties
        return list_task_request

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        product_id = cast(Literal["callbot"], d["productID"])
        if product_id != "callbot":
            raise ValueError(
                f"productID must match const 'callbot', got '{product_id}'"
            )
        page = d["page"]
        size = d["size"]
        query_conditions = ListTaskConditions.from_dict(d["queryConditions"])

        self.product_id = product_id
        self.page = page
        self.size = size
        self.query_conditions = query_conditions
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


from ..models.list_task_conditions import ListTaskConditions
