"""The reply envelope, read in one place: ``retCode``/``retMsg``/``responseID`` (Ping: ``code``/``msg``/``reqId``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True)
class Envelope:
    """What every reply says about itself. ``ret_code`` 0 is success."""

    ret_code: int
    ret_msg: str | None
    response_id: str | None


class EnvelopeError(ValueError):
    """The body has no readable envelope; ``field`` names the offending key."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


#: The envelope's keys: every answer's, and Ping's.
STANDARD_KEYS: Final = ("retCode", "retMsg", "responseID")
PING_KEYS: Final = ("code", "msg", "reqId")


def read_envelope(data: Mapping[str, Any], keys: tuple[str, str, str] | None = None) -> Envelope:
    """The envelope of a decoded JSON object, under ``keys`` (code, message, id) when the operation is
    known (see ``_schemas.envelope_keys``), else under whichever of the two sets the body uses;
    EnvelopeError when the code is absent or not an integer, or message/id are present but not strings."""
    if keys is None:
        keys = PING_KEYS if "code" in data and "retCode" not in data else STANDARD_KEYS
    code_key, msg_key, id_key = keys
    code = data.get(code_key)
    if type(code) is not int:  # bool is an int subclass; "6" and 6.0 are not retCodes
        what = "missing" if code_key not in data else f"{type(code).__name__} {code!r:.40}, not an integer"
        raise EnvelopeError(f"{code_key} is {what}", code_key)
    msg, response_id = data.get(msg_key), data.get(id_key)
    for key, value in ((msg_key, msg), (id_key, response_id)):
        if value is not None and not isinstance(value, str):
            raise EnvelopeError(f"{key} is {type(value).__name__}, not a string", key)
    return Envelope(code, msg, response_id)


def response_id_of(data: Any) -> str | None:
    """The responseID (Ping: reqId) of a decoded body, when it has a readable one."""
    if not isinstance(data, Mapping):
        return None
    value = data.get("responseID", data.get("reqId"))
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ErrorReply:
    """What a ``Callbot(raise_on_error=False)`` method returns for a reply with a non-zero retCode: the
    verified envelope and the whole decoded body. With ``raise_on_error=True`` (the default) the same reply
    raises the matching :class:`CallbotError` subclass instead."""

    ret_code: int
    ret_msg: str | None
    response_id: str | None
    request_id: str | None
    operation: str
    body: Mapping[str, Any] = field(repr=False)
