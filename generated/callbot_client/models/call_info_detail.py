from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, _LazyModel, _unbuilt

T = TypeVar("T", bound="CallInfoDetail")


#: The JSON keys of the fields: any other key of an object goes to additional_properties.
_KEYS = frozenset(
    {
        "callID",
        "callingNumber",
        "lineAddress",
        "callStatus",
        "callStartTs",
        "callAnswerTs",
        "callEndTs",
        "callDuration",
        "callAudioUrl",
        "hangupCause",
        "termSipCode",
        "intents",
        "sms",
        "agent",
        "params",
        "recordDetail",
    }
)


@_attrs_define
class CallInfoDetail(_LazyModel):
    """One call.

    Attributes:
        call_id (str | Unset):
        calling_number (str | Unset): Calling number.
        line_address (str | Unset): Line IP.
        call_status (int | Unset):
        call_start_ts (int | Unset):
        call_answer_ts (int | Unset):
        call_end_ts (int | Unset):
        call_duration (int | Unset):
        call_audio_url (str | Unset):
        hangup_cause (str | Unset):
        term_sip_code (str | Unset):
        intents (list[Intent] | Unset):
        sms (list[Sms] | Unset):
        agent (Agent | Unset): The human agent a call was handed to, if any (all null in the example otherwise).
        params (list[Param] | Unset):
        record_detail (list[CallInfoDetailRecordDetailItem] | Unset):
    """

    call_id: str | Unset = UNSET
    calling_number: str | Unset = UNSET
    line_address: str | Unset = UNSET
    call_status: int | Unset = UNSET
    call_start_ts: int | Unset = UNSET
    call_answer_ts: int | Unset = UNSET
    call_end_ts: int | Unset = UNSET
    call_duration: int | Unset = UNSET
    call_audio_url: str | Unset = UNSET
    hangup_cause: str | Unset = UNSET
    term_sip_code: str | Unset = UNSET
    intents: list[Intent] | Unset = UNSET
    sms: list[Sms] | Unset = UNSET
    agent: Agent | Unset = UNSET
    params: list[Param] | Unset = UNSET
    record_detail: list[CallInfoDetailRecordDetailItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        call_id = self.call_id

        calling_number = self.calling_number

        line_address = self.line_address

        call_status = self.call_status

        call_start_ts = self.call_start_ts

        call_answer_ts = self.call_answer_ts

        call_end_ts = self.call_end_ts

        call_duration = self.call_duration

        call_audio_url = self.call_audio_url

        hangup_cause = self.hangup_cause

        term_sip_code = self.term_sip_code

        intents: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.intents, Unset):
            intents = []
            for intents_item_data in self.intents:
                intents_item = intents_item_data.to_dict()
                intents.append(intents_item)

        sms: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.sms, Unset):
            sms = []
            for sms_item_data in self.sms:
                sms_item = sms_item_data.to_dict()
                sms.append(sms_item)

        agent: dict[str, Any] | Unset = UNSET
        if not isinstance(self.agent, Unset):
            agent = self.agent.to_dict()

        params: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.params, Unset):
            params = []
            for params_item_data in self.params:
                params_item = params_item_data.to_dict()
                params.append(params_item)

        record_detail: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.record_detail, Unset):
            record_detail = []
            for record_detail_item_data in self.record_detail:
                record_detail_item = record_detail_item_data.to_dict()
                record_detail.append(record_detail_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if call_id is not UNSET:
            field_dict["callID"] = call_id
        if calling_number is not UNSET:
            field_dict["callingNumber"] = calling_number
        if line_address is not UNSET:
            field_dict["lineAddress"] = line_address
        if call_status is not UNSET:
            field_dict["callStatus"] = call_status
        if call_start_ts is not UNSET:
            field_dict["callStartTs"] = call_start_ts
        if call_answer_ts is not UNSET:
            field_dict["callAnswerTs"] = call_answer_ts
        if call_end_ts is not UNSET:
            field_dict["callEndTs"] = call_end_ts
        if call_duration is not UNSET:
            field_dict["callDuration"] = call_duration
        if call_audio_url is not UNSET:
            field_dict["callAudioUrl"] = call_audio_url
        if hangup_cause is not UNSET:
            field_dict["hangupCause"] = hangup_cause
        if term_sip_code is not UNSET:
            field_dict["termSipCode"] = term_sip_code
        if intents is not UNSET:
            field_dict["intents"] = intents
        if sms is not UNSET:
            field_dict["sms"] = sms
        if agent is not UNSET:
            field_dict["agent"] = agent
        if params is not UNSET:
            field_dict["params"] = params
        if record_detail is not UNSET:
            field_dict["recordDetail"] = record_detail

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        call_id = d.get("callID", UNSET)
        calling_number = d.get("callingNumber", UNSET)
        line_address = d.get("lineAddress", UNSET)
        call_status = d.get("callStatus", UNSET)
        call_start_ts = d.get("callStartTs", UNSET)
        call_answer_ts = d.get("callAnswerTs", UNSET)
        call_end_ts = d.get("callEndTs", UNSET)
        call_duration = d.get("callDuration", UNSET)
        call_audio_url = d.get("callAudioUrl", UNSET)
        hangup_cause = d.get("hangupCause", UNSET)
        term_sip_code = d.get("termSipCode", UNSET)
        _intents = d.get("intents", UNSET)
        intents: list[Intent] | Unset = UNSET
        if _intents is not UNSET:
            intents = [
                Intent.from_dict(intents_item_data) for intents_item_data in _intents
            ]

        _sms = d.get("sms", UNSET)
        sms: list[Sms] | Unset = UNSET
        if _sms is not UNSET:
            sms = [Sms.from_dict(sms_item_data) for sms_item_data in _sms]

        _agent = d.get("agent", UNSET)
        agent: Agent | Unset
        if isinstance(_agent, Unset):
            agent = UNSET
        else:
            agent = Agent.from_dict(_agent)

        _params = d.get("params", UNSET)
        params: list[Param] | Unset = UNSET
        if _params is not UNSET:
            params = [Param.from_dict(params_item_data) for params_item_data in _params]

        _record_detail = d.get("recordDetail", UNSET)
        record_detail: list[CallInfoDetailRecordDetailItem] | Unset = UNSET
        if _record_detail is not UNSET:
            record_detail = [
                CallInfoDetailRecordDetailItem.from_dict(record_detail_item_data)
                for record_detail_item_data in _record_detail
            ]

        call_info_detail = cls(
            call_id=call_id,
            calling_number=calling_number,
            line_address=line_address,
            call_status=call_status,
            call_start_ts=call_start_ts,
            call_answer_ts=call_answer_ts,
            call_end_ts=call_end_ts,
            call_duration=call_duration,
            call_audio_url=call_audio_url,
            hangup_cause=hangup_cause,
            term_sip_code=term_sip_code,
            intents=intents,
            sms=sms,
            agent=agent,
            params=params,
            record_detail=record_detail,
        )

        additional_properties = (
            {}
            if d.keys() <= _KEYS
            else {key: value for key, value in d.items() if key not in _KEYS}
        )

        call_info_detail.additional_properties = additional_properties
        return call_info_detail

    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """The model of ``src_dict``, a JSON object already checked against the spec (as the client does with
        every answer): its fields are set from ``src_dict`` when the first of them is read, and nested models
        likewise. Use ``from_dict`` for data not checked: it raises at once on what does not fit."""
        return _unbuilt(cls, src_dict)  # type: ignore[no-any-return]

    def _fill(self, d: Mapping[str, Any]) -> None:
        call_id = d.get("callID", UNSET)
        calling_number = d.get("callingNumber", UNSET)
        line_address = d.get("lineAddress", UNSET)
        call_status = d.get("callStatus", UNSET)
        call_start_ts = d.get("callStartTs", UNSET)
        call_answer_ts = d.get("callAnswerTs", UNSET)
        call_end_ts = d.get("callEndTs", UNSET)
        call_duration = d.get("callDuration", UNSET)
        call_audio_url = d.get("callAudioUrl", UNSET)
        hangup_cause = d.get("hangupCause", UNSET)
        term_sip_code = d.get("termSipCode", UNSET)
        _intents = d.get("intents", UNSET)
        intents: list[Intent] | Unset = UNSET
        if _intents is not UNSET:
            intents = [
                Intent.from_dict(intents_item_data) for intents_item_data in _intents
            ]

        _sms = d.get("sms", UNSET)
        sms: list[Sms] | Unset = UNSET
        if _sms is not UNSET:
            sms = [Sms.from_dict(sms_item_data) for sms_item_data in _sms]

        _agent = d.get("agent", UNSET)
        agent: Agent | Unset
        if isinstance(_agent, Unset):
            agent = UNSET
        else:
            agent = Agent.from_dict(_agent)

        _params = d.get("params", UNSET)
        params: list[Param] | Unset = UNSET
        if _params is not UNSET:
            params = [Param.from_dict(params_item_data) for params_item_data in _params]

        _record_detail = d.get("recordDetail", UNSET)
        record_detail: list[CallInfoDetailRecordDetailItem] | Unset = UNSET
        if _record_detail is not UNSET:
            record_detail = [
                CallInfoDetailRecordDetailItem.from_dict(record_detail_item_data)
                for record_detail_item_data in _record_detail
            ]

        self.call_id = call_id
        self.calling_number = calling_number
        self.line_address = line_address
        self.call_status = call_status
        self.call_start_ts = call_start_ts
        self.call_answer_ts = call_answer_ts
        self.call_end_ts = call_end_ts
        self.call_duration = call_duration
        self.call_audio_url = call_audio_url
        self.hangup_cause = hangup_cause
        self.term_sip_code = term_sip_code
        self.intents = intents
        self.sms = sms
        self.agent = agent
        self.params = params
        self.record_detail = record_detail
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


from ..models.agent import Agent
from ..models.call_info_detail_record_detail_item import CallInfoDetailRecordDetailItem
from ..models.intent import Intent
from ..models.param import Param
from ..models.sms import Sms
