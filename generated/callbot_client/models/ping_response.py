from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PingResponse")


@_attrs_define
class PingResponse:
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
        d = dict(src_dict)
        data = d.pop("data")

        timestamp = d.pop("timestamp")

        code = d.pop("code")

        msg = d.pop("msg")

        req_id = d.pop("reqId")

        ping_response = cls(
            data=data,
            timestamp=timestamp,
            code=code,
            msg=msg,
            req_id=req_id,
        )

        ping_response.additional_properties = d
        return ping_response

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
