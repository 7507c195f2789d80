"""Schemathesis glue: sign requests with the project's `sign`, the Callbot-specific checks, and the links'
body fields for the stateful phase.

The service rejects a request with HTTP 200 and a non-zero retCode (Ping: code), so the HTTP-status
based checks `negative_data_rejection` and `ignored_auth` do not apply (see schemathesis.toml); the
checks below state the same rules in the service's terms.

The spec's links hold no literal ``requestBody`` with runtime expressions inside (OpenAPI evaluates none
there, and openapi-generator's validator refuses it): the fields a link sets in the target's body are in its
``x-request-body-fields`` extension. ``before_load_schema`` below hands them to schemathesis as the link's
``requestBody``, whose nested expressions schemathesis evaluates and merges into the body it generates.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import requests
import schemathesis
from callbot_signing import SignatureError, signature_headers, verify_response
from callbot_signing.wire import (
    ALGORITHM_HEADER,
    REQUEST_ID_HEADER,
    SIGN_HEADER,
    UUID_HEADER,
)
from schemathesis.generation import GenerationMode

#: The link extension holding the fields a link sets in the target's body (runtime expressions or constants).
LINK_BODY_FIELDS = "x-request-body-fields"


def links(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, link object) of every link of the document: in the operations' responses and in
    components.links."""
    for group in ("paths", "webhooks"):
        for path, item in (spec.get(group) or {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                for status, response in (operation.get("responses") or {}).items():
                    for name, link in (response.get("links") or {}).items():
                        pointer = f"/{group}/{path.replace('~', '~0').replace('/', '~1')}/{method}"
                        yield f"{pointer}/responses/{status}/links/{name}", link
    for name, link in ((spec.get("components") or {}).get("links") or {}).items():
        yield f"/components/links/{name}", link


def with_link_bodies(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` (changed in place) with each link's ``x-request-body-fields`` as its ``requestBody``, the form
    schemathesis's stateful phase reads."""
    for _, link in links(spec):
        if LINK_BODY_FIELDS in link and "requestBody" not in link:
            link["requestBody"] = link[LINK_BODY_FIELDS]
    return spec


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    """Every schema schemathesis loads in a process that imports this module (the CLI through cli_hooks)."""
    with_link_bodies(raw_schema)


#: uuid -> secret key of the accounts the checks may verify responses for.
SECRETS: dict[str, str] = {}


class RequestsCallbotAuth(requests.auth.AuthBase):
    """Signs a `requests` request (schemathesis sends with `requests`) over its final body bytes.

    A body whose ``Content-Encoding: gzip`` header schemathesis set from the spec (importBatchCall's
    parameter) is compressed first: schemathesis sets the header but cannot compress, and a body the header
    misdescribes is no schema-valid request. The sign covers the compressed bytes, as the spec assumes."""

    def __init__(self, uuid: str, secret_key: str, algorithm: str = "MD5", clock: Any = None) -> None:
        import time

        self.uuid = uuid
        self._secret_key = secret_key
        self.algorithm = algorithm
        self._clock = clock or time.time
        SECRETS[uuid] = secret_key

    def __repr__(self) -> str:
        return f"RequestsCallbotAuth(uuid={self.uuid!r}, secret_key='***', algorithm={self.algorithm!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes):
            raise TypeError("a streamed request body cannot be signed: send bytes")
        if request.headers.get("Content-Encoding", "").lower() == "gzip" and not body.startswith(b"\x1f\x8b"):
            body = gzip.compress(body, mtime=0)
            request.body = body
            request.headers["Content-Length"] = str(len(body))
        create_ts = str(int(self._clock()))
        request.headers.update(
            signature_headers(self._secret_key, body, self.uuid, self.algorithm, create_ts=create_ts)
        )
        return request


def _result_code(response: Any) -> int | None:
    """retCode (Ping: code) of a JSON response body, or None when there is none."""
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    code = data.get("retCode", data.get("code"))
    return code if isinstance(code, int) else None


def _header(response: Any, name: str) -> str | None:
    values = response.headers.get(name.lower())
    return values[0] if values else None


@schemathesis.check
def response_signature(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 200 answer to a request we signed is itself signed over its exact body bytes."""
    sent = response.request.headers
    if SIGN_HEADER not in sent or sent.get(UUID_HEADER) not in SECRETS:
        return None  # schemathesis's own unsigned probes: nothing to verify against
    if response.status_code != 200:
        return None
    headers = {name: values[0] for name, values in response.headers.items() if values}
    try:
        verify_response(
            headers,
            response.content,
            request_id=sent[REQUEST_ID_HEADER],
            uuid=sent[UUID_HEADER],
            secret_key=SECRETS[sent[UUID_HEADER]],
            algorithm=sent.get(ALGORITHM_HEADER, "MD5"),
        )
    except SignatureError as exc:
        raise AssertionError(f"response signature: {exc}") from None
    return True


@schemathesis.check
def negative_data_rejected_by_ret_code(ctx: Any, response: Any, case: Any) -> bool | None:
    """Data that breaks the schema is refused the service's way: HTTP 200 with a non-zero retCode."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.NEGATIVE:
        return None
    if response.status_code >= 500:
        raise AssertionError(f"negative data got HTTP {response.status_code}, expected 200 with a non-zero retCode")
    if response.status_code != 200:
        return None  # e.g. 405 for an undocumented method: also a rejection
    code = _result_code(response)
    if code is None or code == 0:
        raise AssertionError(f"negative data was accepted: retCode {code!r} in {response.content[:300]!r}")
    return True


#: retCodes that say a request is malformed or unsigned: never the answer to schema-valid signed data.
MALFORMED_RET_CODES = frozenset({2, 3, 4001, 6, 6001, 6002})
#: The refusals a schema-valid request may get, for the state of the account rather than its form: the one
#: place that names them. The sandbox says which refusals those are (header REFUSAL_HEADER: "state").
STATE_REFUSALS: dict[int, str] = {
    4: "invalid value in context: a task that does not exist, a userTaskID already used, a task whose status "
    "forbids the operation",
    7: "system busy: a task being changed by an earlier request, the requestID window full",
    1001: "batch import in progress",
}
#: The sandbox's header naming a refusal's kind: "state", "request" (its form or signature) or "internal".
REFUSAL_HEADER = "x-sandbox-refusal"


def refusal_of_valid_data(response: Any) -> str | None:
    """Why an answer to a signed, schema-valid request breaks the contract, or None when it does not: its
    code is 0, or (from the sandbox, which labels its refusals) a state refusal of STATE_REFUSALS, or (from
    a service, which does not) any refusal but a malformed-or-unsigned one."""
    code = _result_code(response)
    if code == 0:
        return None
    kind = _header(response, REFUSAL_HEADER)
    if kind is None:  # a live service: only the codes tell
        return None if code is not None and code not in MALFORMED_RET_CODES else f"retCode {code!r}"
    if kind == "state" and code in STATE_REFUSALS:
        return None
    return f"retCode {code!r} ({kind} refusal)"


@schemathesis.check
def positive_data_not_refused_as_malformed(ctx: Any, response: Any, case: Any) -> bool | None:
    """A signed request with a schema-valid body is never refused for its form: from the sandbox, any
    refusal but a state refusal (STATE_REFUSALS) fails; from a service, one as missing, mistyped or unsigned.

    It may still be refused for its values in context (4: no such task, a duplicate userTaskID, ...).
    """
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return None
    sent = response.request
    if SIGN_HEADER not in sent.headers or not sent.body:
        return None  # unsigned probes; an optional body left out gets retCode 2 (missing parameter)
    problem = refusal_of_valid_data(response)
    if problem is not None:
        raise AssertionError(f"schema-valid data was refused: {problem} in {response.content[:300]!r}")
    return True
