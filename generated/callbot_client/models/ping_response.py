from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import _LazyModel, _unbuilt

T = TypeVar("T", bound="PingResponse")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "data",
        "timestamp",
        "code",
        "msg",
        "reqId",
    }
)


@_attrs_define
class PingResponse(_LazyModel):
    """
    Attributes:
        data (str): The `data` sent in the request.
        timestamp (int): Current Unix time in seconds (time of the check).
        code (int): 0 for success, anything else a failure.
        msg (str): Message.
        req_id (str): Random unique ID for tracing and troubleshooting.
    """

    data: str
    timestamp: int
    code: int
    msg: str
    req_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = self.data

        timestamp = self.timestamp

        code = self.code

        msg = self.msg

        req_id = self.req_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
                "timestamp": timestamp,
                "code": code,
                "msg": msg,
                "reqId": req_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        data = d["data"]
        timestamp = d["timestamp"]
        code = d["code"]
        msg = d["msg"]
        req_id = d["reqId"]

        ping_response = cls(
            data=data,
            timestamp=timestamp,
            code=code,
            msg=msg,
            req_id=req_id,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        ping_response.additional_properties = additional_properties
        return ping_response

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        data = d["data"]
        timestamp = d["timestamp"]
        code = d["code"]
        msg = d["msg"]
        req_id = d["reqId"]

        self.data = data
        self.timestamp = timestamp
        self.code = code
        self.msg = msg
        self.req_id = req_id
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
