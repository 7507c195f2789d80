from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="Agent")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "agentName",
        "agentGroup",
        "agentCallStatus",
        "agentCallElapsed",
        "agentLabel",
        "manualCallStart",
        "manualCallAnswer",
        "manualCallEnd",
        "manualHangupBy",
    }
)


@_attrs_define
class Agent(_LazyModel):
    """The human agent a call was handed to, if any (all null in the example otherwise).

    Attributes:
        agent_name (None | str | Unset):
        agent_group (None | str | Unset):
        agent_call_status (int | None | Unset):
        agent_call_elapsed (int | None | Unset):
        agent_label (None | str | Unset):
        manual_call_start (int | None | Unset):
        manual_call_answer (int | None | Unset):
        manual_call_end (int | None | Unset):
        manual_hangup_by (int | None | Unset):
    """

    agent_name: None | str | Unset = UNSET
    agent_group: None | str | Unset = UNSET
    agent_call_status: int | None | Unset = UNSET
    agent_call_elapsed: int | None | Unset = UNSET
    agent_label: None | str | Unset = UNSET
    manual_call_start: int | None | Unset = UNSET
    manual_call_answer: int | None | Unset = UNSET
    manual_call_end: int | None | Unset = UNSET
    manual_hangup_by: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent_name: None | str | Unset
        if isinstance(self.agent_name, Unset):
            agent_name = UNSET
        else:
            agent_name = self.agent_name

        agent_group: None | str | Unset
        if isinstance(self.agent_group, Unset):
            agent_group = UNSET
        else:
            agent_group = self.agent_group

        agent_call_status: int | None | Unset
        if isinstance(self.agent_call_status, Unset):
            agent_call_status = UNSET
        else:
            agent_call_status = self.agent_call_status

        agent_call_elapsed: int | None | Unset
        if isinstance(self.agent_call_elapsed, Unset):
            agent_call_elapsed = UNSET
        else:
            agent_call_elapsed = self.agent_call_elapsed

        agent_label: None | str | Unset
        if isinstance(self.agent_label, Unset):
            agent_label = UNSET
        else:
            agent_label = self.agent_label

        manual_call_start: int | None | Unset
        if isinstance(self.manual_call_start, Unset):
            manual_call_start = UNSET
        else:
            manual_call_start = self.manual_call_start

        manual_call_answer: int | None | Unset
        if isinstance(self.manual_call_answer, Unset):
            manual_call_answer = UNSET
        else:
            manual_call_answer = self.manual_call_answer

        manual_call_end: int | None | Unset
        if isinstance(self.manual_call_end, Unset):
            manual_call_end = UNSET
        else:
            manual_call_end = self.manual_call_end

        manual_hangup_by: int | None | Unset
        if isinstance(self.manual_hangup_by, Unset):
            manual_hangup_by = UNSET
        else:
            manual_hangup_by = self.manual_hangup_by

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if agent_name is not UNSET:
            field_dict["agentName"] = agent_name
        if agent_group is not UNSET:
            field_dict["agentGroup"] = agent_group
        if agent_call_status is not UNSET:
            field_dict["agentCallStatus"] = agent_call_status
        if agent_call_elapsed is not UNSET:
            field_dict["agentCallElapsed"] = agent_call_elapsed
        if agent_label is not UNSET:
            field_dict["agentLabel"] = agent_label
        if manual_call_start is not UNSET:
            field_dict["manualCallStart"] = manual_call_start
        if manual_call_answer is not UNSET:
            field_dict["manualCallAnswer"] = manual_call_answer
        if manual_call_end is not UNSET:
            field_dict["manualCallEnd"] = manual_call_end
        if manual_hangup_by is not UNSET:
            field_dict["manualHangupBy"] = manual_hangup_by

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        agent_name = d.get("agentName", UNSET)

        agent_group = d.get("agentGroup", UNSET)

        agent_call_status = d.get("agentCallStatus", UNSET)

        agent_call_elapsed = d.get("agentCallElapsed", UNSET)

        agent_label = d.get("agentLabel", UNSET)

        manual_call_start = d.get("manualCallStart", UNSET)

        manual_call_answer = d.get("manualCallAnswer", UNSET)

        manual_call_end = d.get("manualCallEnd", UNSET)

        manual_hangup_by = d.get("manualHangupBy", UNSET)

        agent = cls(
            agent_name=agent_name,
            agent_group=agent_group,
            agent_call_status=agent_call_status,
            agent_call_elapsed=agent_call_elapsed,
            agent_label=agent_label,
            manual_call_start=manual_call_start,
            manual_call_answer=manual_call_answer,
            manual_call_end=manual_call_end,
            manual_hangup_by=manual_hangup_by,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        agent.additional_properties = additional_properties
        return agent

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        agent_name = d.get("agentName", UNSET)

        agent_group = d.get("agentGroup", UNSET)

        agent_call_status = d.get("agentCallStatus", UNSET)

        agent_call_elapsed = d.get("agentCallElapsed", UNSET)

        agent_label = d.get("agentLabel", UNSET)

        manual_call_start = d.get("manualCallStart", UNSET)

        manual_call_answer = d.get("manualCallAnswer", UNSET)

        manual_call_end = d.get("manualCallEnd", UNSET)

        manual_hangup_by = d.get("manualHangupBy", UNSET)

        self.agent_name = agent_name
        self.agent_group = agent_group
        self.agent_call_status = agent_call_status
        self.agent_call_elapsed = agent_call_elapsed
        self.agent_label = agent_label
        self.manual_call_start = manual_call_start
        self.manual_call_answer = manual_call_answer
        self.manual_call_end = manual_call_end
        self.manual_hangup_by = manual_hangup_by
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
