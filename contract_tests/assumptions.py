"""The assumption report of `make contract`: every `x-assumption` of the spec, with what the run saw.

Each `x-assumption` gets a stable id: its element's JSON pointer in `openapi/callbot.yaml` (an alias of a
YAML anchor is its own element, with its own pointer), or the element's `x-assumption-id` when it has one.
The run feeds :class:`AssumptionLedger` with exchanges (operation, request, response) and with the results
of the security probes; each piece of evidence confirms or contradicts one assumption. The report says, for
every id: contradicted (with the first contradicting example), confirmed, or not exercised.

The rules, by the kind of element that carries the assumption:

- a schema (response side): every instance the walk reaches must validate against it (required keys,
  types, enums); an object inside an answer must carry no key the schema does not name, unless the
  assumption says unknown keys are kept; a plain-integer status whose values
  the spec lists elsewhere (`ASSUMED_ENUMS`) must take one of them;
- a schema (request side): a request the service accepted (code 0) must validate against it;
- an operation's 200 answer: the retCode / retMsg / responseID envelope is there;
- a request body marked required: a signed request with no body is refused;
- the signing headers (requestID, createTs, sign, algorithm, the response sign, Accept-Encoding) and the
  service-wide note: the evidence named in `HEADER_RULES` below, from exchanges and probes;
- links and webhooks: not observable by a contract run against the API (not exercised).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
import yaml
from callbot_signing import SignatureError
from callbot_signing.wire import CREATE_TS_HEADER, REQUEST_ID_HEADER, SIGN_HEADER, verify_signed_message

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "callbot.yaml"
PREFIX = "/callcentre/api/v3/"
SPEC_URI = "urn:callbot-spec"
CONFIRMED, CONTRADICTED, NOT_EXERCISED = "confirmed", "contradicted", "not exercised"
#: Plain-integer fields read permissively whose values the spec lists in another schema.
ASSUMED_ENUMS: dict[str, list[int]] = {"/components/schemas/TaskStatusValue": [1, 2, 3, 4, 5]}
REFUSALS = frozenset({6, 6001, 6002})
WINDOW = 300

# Pointers of the signing-related assumptions (their evidence is not a schema walk).
TOP = "/info/x-assumption"
REQUEST_ID = "/components/securitySchemes/requestID/x-assumption"
CREATE_TS = "/components/securitySchemes/createTs/x-assumption"
SIGN = "/components/securitySchemes/sign/x-assumption"
ALGORITHM = "/components/securitySchemes/algorithm/x-assumption"
RESPONSE_SIGN = "/components/headers/sign/x-assumption"
ACCEPT_ENCODING = "/components/parameters/AcceptEncoding/x-assumption"
#: The source of the run's request signed with the other algorithm than the account's, and saying so: the
#: algorithm assumption (the header names the sign's algorithm, whatever the console) holds if it is accepted.
OTHER_ALGORITHM_SOURCE = "observation: other algorithm"


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_spec(path: Path = SPEC) -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def find_assumptions(spec: Any, pointer: str = "") -> Iterator[tuple[str, str, str]]:
    """(id, pointer of the x-assumption, its text) for every x-assumption, in document order."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            here = f"{pointer}/{escape(str(key))}"
            if key == "x-assumption":
                yield str(spec.get("x-assumption-id", here)), here, str(value).strip()
            else:
                yield from find_assumptions(value, here)
    elif isinstance(spec, list):
        for n, value in enumerate(spec):
            yield from find_assumptions(value, f"{pointer}/{n}")


@dataclass
class Exchange:
    """One request and its answer, as sent and received (headers by lower-case name)."""

    operation: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    source: str = "contract run"

    def response_json(self) -> Any:
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def request_json(self) -> Any:
        try:
            return json.loads(self.request_body)
        except ValueError:
            return None

    def code(self) -> int | None:
        data = self.response_json()
        if not isinstance(data, dict):
            return None
        value = data.get("retCode", data.get("code"))
        return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class Record:
    id: str
    pointer: str
    text: str
    confirmations: int = 0
    contradiction: str | None = None
    contradiction_count: int = 0
    example: str | None = None

    @property
    def status(self) -> str:
        if self.contradiction is not None:
            return CONTRADICTED
        return CONFIRMED if self.confirmations else NOT_EXERCISED


@dataclass
class AssumptionLedger:
    spec: dict[str, Any] = field(default_factory=load_spec)
    secrets: Mapping[str, str] = field(default_factory=dict)
    now: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.records = {pointer: Record(id_, pointer, text) for id_, pointer, text in find_assumptions(self.spec)}
        resource = referencing.Resource.from_contents(
            {**self.spec, "$id": SPEC_URI}, referencing.jsonschema.DRAFT202012
        )
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}

    # --- evidence ----------------------------------------------------------------------------------

    def confirm(self, pointer: str) -> None:
        self.records[pointer].confirmations += 1

    def contradict(self, pointer: str, example: str) -> None:
        record = self.records[pointer]
        record.contradiction_count += 1
        if record.contradiction is None:
            record.contradiction = example[:600]

    def note(self, pointer: str, ok: bool, example: str) -> None:
        self.confirm(pointer) if ok else self.contradict(pointer, example)

    # --- exchanges ---------------------------------------------------------------------------------

    def observe(self, exchange: Exchange) -> None:
        """Every piece of evidence one exchange gives."""
        operation = self.spec["paths"].get(PREFIX + exchange.operation, {}).get("post")
        if operation is None or exchange.status != 200:
            return
        op_pointer = f"/paths/{escape(PREFIX + exchange.operation)}/post"
        code = exchange.code()
        sent = exchange.request_headers
        signed = all(name in sent for name in ("requestid", "createts", "sign")) and sent.get("uuid") in self.secrets
        self._observe_signing(exchange, code, signed)
        body = operation.get("requestBody", {})
        if "x-assumption" in body and signed and not exchange.request_body:
            self.note(f"{op_pointer}/requestBody/x-assumption", code not in (0, None), self._example(exchange))
        answer = operation["responses"]["200"]
        data = exchange.response_json()
        if not isinstance(data, dict):
            return
        if "x-assumption" in answer and exchange.operation != "ping":
            missing = [name for name in ("retCode", "retMsg", "responseID") if name not in data]
            self.note(
                f"{op_pointer}/responses/200/x-assumption",
                not missing,
                f"{exchange.operation}: the answer has no {', '.join(missing)}: {self._example(exchange)}",
            )
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            self._walk(schema, f"{op_pointer}/responses/200/content/application~1json/schema", data, exchange, "")
        request = exchange.request_json()
        if signed and code == 0 and request is not None:
            request_schema = body.get("content", {}).get("application/json", {}).get("schema")
            if request_schema is not None:
                self._walk(request_schema, "", request, exchange, "request ", accepted=True)

    def _observe_signing(self, exchange: Exchange, code: int | None, signed: bool) -> None:
        sent, got = exchange.request_headers, exchange.response_headers
        if code == 429 or exchange.status == 429:
            self.contradict(TOP, f"{exchange.operation}: rate limited: {self._example(exchange)}")
        if not signed:
            return
        uuid = sent["uuid"]
        if code is not None and code not in REFUSALS:
            # The service read the headers by the names we sent and accepted the current createTs.
            if REQUEST_ID_HEADER.lower() in sent:
                self.confirm(REQUEST_ID)
            self.confirm(CREATE_TS)
            self.confirm(SIGN)
            if "algorithm" in sent:
                self.confirm(ALGORITHM)
        elif exchange.source == OTHER_ALGORITHM_SOURCE and code == 6:
            self.contradict(
                ALGORITHM,
                f"{exchange.operation}: a request signed with {sent.get('algorithm')} and saying so in its algorithm "
                f"header was refused (retCode 6): the service verifies with the account's console setting only: "
                f"{self._example(exchange)}",
            )
        echoed = got.get(REQUEST_ID_HEADER.lower())
        if echoed is not None and echoed != sent.get(REQUEST_ID_HEADER.lower()):
            self.contradict(
                REQUEST_ID,
                f"{exchange.operation}: the answer echoes requestID {echoed!r}, the request sent "
                f"{sent.get(REQUEST_ID_HEADER.lower())!r}",
            )
        stamp = got.get(CREATE_TS_HEADER.lower())
        if stamp is not None and stamp.isdigit() and abs(int(stamp) - self.now) > WINDOW + 3600:
            self.contradict(CREATE_TS, f"{exchange.operation}: the answer's createTs {stamp} is far from our clock")
        if SIGN_HEADER.lower() not in got:
            ok = code in REFUSALS
            self.note(
                RESPONSE_SIGN,
                ok,
                f"{exchange.operation}: an answer with retCode {code} came without sign: {self._example(exchange)}",
            )
            return
        try:
            verify_signed_message(  # verify_response's checks, with no window: createTs is judged above
                got,
                exchange.response_body,
                expected_request_id=sent[REQUEST_ID_HEADER.lower()],
                uuid=uuid,
                secret_key=self.secrets[uuid],
                algorithm=sent.get("algorithm", "MD5"),
                max_clock_skew=float("inf"),
                now=self.now,
                what="response",
            )
        except SignatureError as exc:
            if code in REFUSALS:
                return  # a refusal of our credentials may be signed in a way we cannot check (see the assumption)
            if exc.rule == "request_id_echo":
                return  # counted above, against the requestID assumption
            self.contradict(RESPONSE_SIGN, f"{exchange.operation}: the answer's sign does not verify ({exc.rule})")
            if got.get("content-encoding") == "gzip":
                self.contradict(ACCEPT_ENCODING, f"{exchange.operation}: a gzip answer's sign does not verify")
            return
        self.confirm(RESPONSE_SIGN)
        if exchange.response_headers.get("content-encoding") == "gzip":
            self.confirm(ACCEPT_ENCODING)

    # --- schema walk -------------------------------------------------------------------------------

    def _validator(self, pointer: str) -> jsonschema.Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = jsonschema.Draft202012Validator(
                {"$ref": f"{SPEC_URI}#{pointer}"}, registry=self._registry
            )
        return self._validators[pointer]

    def _resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"][1:]
            node = self.spec
            for token in pointer.strip("/").split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def _walk(
        self,
        node: Any,
        pointer: str,
        instance: Any,
        exchange: Exchange,
        side: str,
        *,
        accepted: bool = False,
        depth: int = 0,
    ) -> None:
        node, pointer = self._resolve(node, pointer)
        if not isinstance(node, dict):
            return
        parts = [(node, pointer)] + [
            self._resolve(sub, f"{pointer}/allOf/{n}") for n, sub in enumerate(node.get("allOf", []))
        ]
        named = {key for part, _ in parts if isinstance(part, dict) for key in part.get("properties", {})}
        for part, here in parts:
            if isinstance(part, dict) and "x-assumption" in part and here + "/x-assumption" in self.records:
                self._judge(part, here, instance, named if depth else set(), exchange, side, accepted)
        for part, here in parts:
            if not isinstance(part, dict):
                continue
            if isinstance(instance, dict):
                for key, sub in part.get("properties", {}).items():
                    if key in instance:
                        self._walk(sub, f"{here}/properties/{escape(key)}", instance[key], exchange, side,
                                   accepted=accepted, depth=depth + 1)  # fmt: skip
            if isinstance(instance, list) and "items" in part:
                for item in instance[:50]:
                    self._walk(part["items"], f"{here}/items", item, exchange, side, accepted=accepted, depth=depth + 1)
            for key in ("anyOf", "oneOf"):
                for n, sub in enumerate(part.get(key, [])):
                    target, target_pointer = self._resolve(sub, f"{here}/{key}/{n}")
                    if self._validator(target_pointer).is_valid(instance):
                        self._walk(target, target_pointer, instance, exchange, side, accepted=accepted, depth=depth)

    def _judge(
        self,
        node: dict[str, Any],
        pointer: str,
        instance: Any,
        named: set[str],
        exchange: Exchange,
        side: str,
        accepted: bool,
    ) -> None:
        where = f"{exchange.operation} {side}"
        target = pointer + "/x-assumption"
        error = next(iter(self._validator(pointer).iter_errors(instance)), None)
        if error is not None:
            path = "/".join(str(p) for p in error.absolute_path) or "(top)"
            verb = "the service accepted a request in which" if accepted else "in the answer,"
            self.contradict(target, f"{where}: {verb} {path}: {error.message[:300]}")
            return
        # Extra keys: not at the top of an answer (the envelope is extended by every answer), nor where the
        # assumption itself says unknown keys are kept.
        if side == "" and isinstance(instance, dict) and named and "kept" not in str(node["x-assumption"]):
            extra = sorted(set(instance) - named)
            if extra:
                self.contradict(target, f"{where}: field(s) not in the spec: {', '.join(extra)} in {_short(instance)}")
                return
        if pointer in ASSUMED_ENUMS and instance not in ASSUMED_ENUMS[pointer]:
            self.contradict(
                target, f"{where}: value {instance!r} outside the documented {ASSUMED_ENUMS[pointer]} ({pointer})"
            )
            return
        self.confirm(target)

    @staticmethod
    def _example(exchange: Exchange) -> str:
        return f"{exchange.operation} answered {exchange.response_body[:300]!r}"

    # --- report ------------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        out = {CONFIRMED: 0, CONTRADICTED: 0, NOT_EXERCISED: 0}
        for record in self.records.values():
            out[record.status] += 1
        return out

    def write(self, directory: Path) -> dict[str, int]:
        directory.mkdir(parents=True, exist_ok=True)
        rows = [
            {
                "id": r.id,
                "pointer": r.pointer,
                "status": r.status,
                "evidence": r.confirmations + r.contradiction_count,
                "contradictions": r.contradiction_count,
                "example": r.contradiction,
                "assumption": r.text,
            }
            for r in self.records.values()
        ]
        counts = self.counts()
        (directory / "assumptions.json").write_text(
            json.dumps({"counts": counts, "assumptions": rows}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        lines = [
            "# Assumptions of openapi/callbot.yaml against this run",
            "",
            f"{counts[CONFIRMED]} confirmed, {counts[CONTRADICTED]} contradicted, "
            f"{counts[NOT_EXERCISED]} not exercised "
            "(the id is the x-assumption's JSON pointer in the spec).",
            "",
            "| status | id | evidence | contradicting example | assumption |",
            "|---|---|---|---|---|",
        ]
        order = {CONTRADICTED: 0, CONFIRMED: 1, NOT_EXERCISED: 2}
        for row in sorted(rows, key=lambda r: order[str(r["status"])]):
            text = str(row["assumption"]).replace("\n", " ").replace("|", "\\|")
            example = str(row["example"] or "").replace("\n", " ").replace("|", "\\|")
            lines.append(f"| {row['status']} | `{row['id']}` | {row['evidence']} | {example} | {text[:160]} |")
        (directory / "assumptions.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return counts


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:200]
