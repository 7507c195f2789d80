"""Deviation mode: the sandbox answers like a service that differs from the spec in named ways.

For testing the contract suite itself (`callbot-sandbox --deviate NAME,...`, `make contract
DEVIATE=NAME,...`): each deviation must show up in `make contract` as a contradicted assumption or a
failure, naming the operation and the field. Never for client tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import uuid4

#: name -> what the sandbox then does
DEVIATIONS: dict[str, str] = {
    "missing-field": "successful answers (but ping's) leave out responseID",
    "extra-field": "listTask's tasks carry a field the spec does not name (undocumentedField)",
    "unknown-enum": "listTask reports taskStatus 9, a value the taskList table does not list",
    "unsigned-success": "successful answers come without the sign header",
    "wrong-request-id": "successful answers echo another requestID than the request's",
    "loose-clock": "requests whose createTs is up to an hour off are accepted (instead of 300 s)",
    "pinned-algorithm": (
        "requests are verified with the account's console algorithm only (a header naming the other, or none "
        "on a SHA256 account, is refused), and answers signed with it"
    ),
}
LOOSE_CLOCK_SKEW = 3600.0


def parse_deviations(text: str | Iterable[str]) -> frozenset[str]:
    """``"missing-field,extra-field"`` (or names) -> the set; an unknown name is a ValueError."""
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in DEVIATIONS]
    if unknown:
        raise ValueError(f"unknown deviation(s) {', '.join(unknown)}; known: {', '.join(DEVIATIONS)}")
    return frozenset(names)


def _succeeded(payload: dict[str, Any]) -> bool:
    return payload.get("retCode", payload.get("code")) == 0


def deviate_payload(deviations: frozenset[str], operation: str, payload: dict[str, Any]) -> dict[str, Any]:
    if not deviations or not _succeeded(payload):
        return payload
    payload = dict(payload)
    if "missing-field" in deviations and operation != "ping":
        payload.pop("responseID", None)
    if "extra-field" in deviations and operation == "listTask":
        payload["taskData"] = [{**task, "undocumentedField": "deviation"} for task in payload.get("taskData") or []]
    if "unknown-enum" in deviations and operation == "listTask":
        payload["taskData"] = [{**task, "taskStatus": 9} for task in payload.get("taskData") or []]
    return payload


def deviate_headers(deviations: frozenset[str], payload: dict[str, Any], headers: dict[str, str]) -> dict[str, str]:
    if not deviations or not _succeeded(payload):
        return headers
    if "unsigned-success" in deviations:
        headers = {name: value for name, value in headers.items() if name.lower() != "sign"}
    if "wrong-request-id" in deviations:
        headers = {name: (uuid4().hex if name.lower() == "requestid" else value) for name, value in headers.items()}
    return headers
