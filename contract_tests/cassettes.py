"""Recordings of a contract run, safe to share: every exchange with the secret key, every `sign` and every
phone number taken out.

Schemathesis writes its exchanges as a HAR file (HTTP Archive 1.2, JSON) into a private temporary
directory; :func:`read_har` turns it into :class:`~contract_tests.assumptions.Exchange` objects and
:func:`write_redacted_har` writes the shareable copy. The security probes' exchanges are written the same
way. What is redacted:

- the value of every `sign` header (request and response), whatever its case;
- the secret key, wherever it occurs (it is never sent, so this is a belt-and-braces replacement);
- the value of every JSON field whose name says it holds a phone number (`PHONE_FIELD`: userPhone,
  callingNumber, lineAddress, phoneEncrypt, ...), and that same value wherever else it occurs;

Bodies are therefore no longer the bytes that were signed: a recording shows what was exchanged, it cannot
be replayed or re-verified.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape as xml_escape

from callbot_signing.wire import SIGN_HEADER

from .assumptions import Exchange

PHONE_FIELD = re.compile(r"phone|mobile|callingnumber|lineaddress|callee|msisdn", re.IGNORECASE)
REDACTED_SIGN = "[redacted sign]"
REDACTED_SECRET = "[redacted secret]"
REDACTED_PHONE = "[redacted phone]"
#: A phone field's value is also redacted wherever else it occurs when it looks like a number (6 digits or
#: more once spaces, dashes and brackets are dropped); other values (a "0", a generated "content") only in
#: their own field, so that they do not blank unrelated text.
PHONE_LIKE = re.compile(r"\+?\d{6,}")


def phone_like(value: str) -> bool:
    return PHONE_LIKE.search(re.sub(r"[\s().-]", "", value)) is not None


def _headers(items: Iterable[dict[str, Any]]) -> dict[str, str]:
    return {str(h["name"]).lower(): str(h["value"]) for h in items}


def _text(content: dict[str, Any] | None) -> bytes:
    if not content:
        return b""
    text = content.get("text") or ""
    if content.get("encoding") == "base64":
        import base64

        return base64.b64decode(text)
    return str(text).encode("utf-8", "surrogatepass")


def read_har(path: Path, source: str = "schemathesis") -> list[Exchange]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("log", {}).get("entries", []):
        request, response = entry.get("request", {}), entry.get("response", {})
        operation = urlsplit(request.get("url", "")).path.rsplit("/", 1)[-1]
        out.append(
            Exchange(
                operation=operation,
                request_headers=_headers(request.get("headers", [])),
                request_body=_text(request.get("postData")),
                status=int(response.get("status") or 0),
                response_headers=_headers(response.get("headers", [])),
                response_body=_text(response.get("content")),
                source=source,
            )
        )
    return out


def phone_values(value: Any, found: set[str] | None = None) -> set[str]:
    """The values of the phone fields anywhere in a JSON value."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, sub in value.items():
            if PHONE_FIELD.search(str(key)) and isinstance(sub, str | int) and not isinstance(sub, bool):
                found.add(str(sub))
            else:
                phone_values(sub, found)
    elif isinstance(value, list):
        for sub in value:
            phone_values(sub, found)
    return found


def _blank_phones(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED_PHONE if PHONE_FIELD.search(str(key)) and not isinstance(sub, dict | list) and sub is not None
            else _blank_phones(sub)
            for key, sub in value.items()
        }  # fmt: skip
    if isinstance(value, list):
        return [_blank_phones(sub) for sub in value]
    return value


class Redactor:
    """Collects what must not be shared (from every exchange first), then redacts text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = {s for s in secrets if s}
        self.signs: set[str] = set()
        self.phones: set[str] = set()

    def learn(self, exchanges: Iterable[Exchange]) -> None:
        for exchange in exchanges:
            for headers in (exchange.request_headers, exchange.response_headers):
                if headers.get(SIGN_HEADER.lower()):
                    self.signs.add(headers[SIGN_HEADER.lower()])
            for body in (exchange.request_body, exchange.response_body):
                with contextlib.suppress(ValueError):
                    self.phones |= phone_values(json.loads(body))

    @property
    def phone_numbers(self) -> set[str]:
        """The phone fields' values that are redacted everywhere (and must appear nowhere)."""
        return {phone for phone in self.phones if phone_like(phone)}

    def text(self, text: str) -> str:
        """``text`` with the secrets (also as escaped in XML or JSON), signs and phone numbers redacted."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            escaped = (xml_escape(secret, {'"': "&quot;"}), xml_escape(secret), json.dumps(secret)[1:-1])
            for form in (secret, *escaped):
                text = text.replace(form, REDACTED_SECRET)
        for sign in self.signs:
            text = text.replace(sign, REDACTED_SIGN)
        for phone in sorted(self.phone_numbers, key=len, reverse=True):
            text = text.replace(phone, REDACTED_PHONE)
        return text

    def body(self, raw: bytes) -> str:
        text = raw.decode("utf-8", "replace")
        with contextlib.suppress(ValueError):
            text = json.dumps(_blank_phones(json.loads(raw)), ensure_ascii=False)
        return self.text(text)

    def headers(self, headers: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"name": name, "value": REDACTED_SIGN if name.lower() == SIGN_HEADER.lower() else self.text(value)}
            for name, value in headers.items()
        ]


def write_redacted_text(source: Path, redactor: Redactor, target: Path) -> None:
    """A tool's own report (schemathesis's JUnit XML quotes requests) with the same values redacted."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(redactor.text(source.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")


def write_redacted_har(exchanges: list[Exchange], redactor: Redactor, path: Path, base_url: str) -> None:
    """A HAR 1.2 file of ``exchanges`` with the secret, signs and phone numbers redacted."""
    entries = []
    for exchange in exchanges:
        entries.append(
            {
                "comment": exchange.source,
                "request": {
                    "method": "POST",
                    "url": redactor.text(f"{base_url}/callcentre/api/v3/{exchange.operation}"),
                    "headers": redactor.headers(exchange.request_headers),
                    "postData": {"mimeType": "application/json", "text": redactor.body(exchange.request_body)},
                },
                "response": {
                    "status": exchange.status,
                    "headers": redactor.headers(exchange.response_headers),
                    "content": {"mimeType": "application/json", "text": redactor.body(exchange.response_body)},
                },
            }
        )
    har = {
        "log": {"version": "1.2", "creator": {"name": "nxcloud-callbot contract", "version": "1"}, "entries": entries}
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(har, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
