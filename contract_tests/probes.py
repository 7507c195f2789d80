"""The security phase of `make contract`: requests that are right in every way but one signature detail.

Each probe sends a correctly shaped body to a read-only operation (ping and the lists) with one thing wrong;
the service must refuse it with the retCode the spec documents (6 incorrect signature, 6001 missing
signature, 6002 account does not exist). Two probes per side of the createTs window check the other way:
a createTs just inside the assumed window (300 s, the spec's x-assumption on createTs) must be accepted.
The read-only operations have no visible effect to check; with CONTRACT_ALLOW_WRITES=1 createTask is probed
too, and a refused createTask must not create its task (listTask does not show it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4
from xml.sax.saxutils import escape as xml_escape

import httpx
from callbot_signing import sign
from callbot_signing.wire import ALGORITHM_HEADER, CREATE_TS_HEADER, REQUEST_ID_HEADER, SIGN_HEADER, UUID_HEADER

from .assumptions import ALGORITHM, CREATE_TS, REQUEST_ID, Exchange

PREFIX = "/callcentre/api/v3/"
WINDOW = 300
OUTSIDE, INSIDE = WINDOW + 30, WINDOW - 60
WRONG, MISSING, UNKNOWN = 6, 6001, 6002
REFUSED = frozenset({WRONG, MISSING, UNKNOWN})
ACCEPTED = "accepted"

READ_ONLY_BODIES: dict[str, dict[str, Any]] = {
    "ping": {"data": "security probe"},
    "listTask": {"productID": "callbot", "page": 1, "size": 5, "queryConditions": {}},
    "listCall": {"productID": "callbot", "userTaskID": "contract-probe-task", "options": {}},
    "listOrder": {"productID": "callbot", "userTaskID": "contract-probe-task", "options": {}},
    "listOrderDetail": {"productID": "callbot", "userTaskID": "contract-probe-task", "orderList": ["o-1"]},
    "exportBatchCall": {"productID": "callbot", "userTaskID": "contract-probe-task"},
}


@dataclass
class Account:
    uuid: str
    secret_key: str = field(repr=False)
    algorithm: str = "MD5"


@dataclass
class Message:
    """What a probe sends: headers (None drops one) and the body bytes."""

    headers: dict[str, str]
    body: bytes


def genuine(account: Account, body: bytes, *, ts: float | None = None, algorithm: str | None = None) -> Message:
    used = algorithm or account.algorithm
    request_id, create_ts = uuid4().hex, str(int(time.time() if ts is None else ts))
    headers = {
        "Content-Type": "application/json",
        REQUEST_ID_HEADER: request_id,
        UUID_HEADER: account.uuid,
        CREATE_TS_HEADER: create_ts,
        ALGORITHM_HEADER: used,
        SIGN_HEADER: sign(account.secret_key, body, create_ts, request_id, account.uuid, used),
    }
    return Message(headers, body)


def _changed(body: bytes) -> bytes:
    return body[:-1] + b', "probe": 1}' if body.endswith(b"}") else body + b" "


def _with(message: Message, **changes: str | None) -> Message:
    headers = dict(message.headers)
    for name, value in changes.items():
        real = {"request_id": REQUEST_ID_HEADER, "create_ts": CREATE_TS_HEADER}.get(name, name)
        if value is None:
            headers.pop(real, None)
        else:
            headers[real] = value
    return Message(headers, message.body)


def _other_algorithm(account: Account) -> str:
    return "SHA256" if account.algorithm.upper() == "MD5" else "MD5"


Builder = Callable[[Account, bytes], Message]

#: name -> (what is wrong, the answer the spec documents: a retCode, or ACCEPTED, and the message builder)
PROBES: dict[str, tuple[str, int | str, Builder]] = {
    "body_changed_after_signing": (
        "the body was changed after it was signed", WRONG,
        lambda a, b: Message(genuine(a, b).headers, _changed(b)),
    ),
    "sign_of_another_body": (
        "the sign is that of another body", WRONG,
        lambda a, b: Message(genuine(a, _changed(b)).headers, b),
    ),
    "sign_lower_case": (
        "the sign in lower-case hex", WRONG,
        lambda a, b: _with(m := genuine(a, b), sign=m.headers[SIGN_HEADER].lower()),
    ),
    "sign_truncated": (
        "the sign without its last character", WRONG,
        lambda a, b: _with(m := genuine(a, b), sign=m.headers[SIGN_HEADER][:-1]),
    ),
    "create_ts_stale_outside_window": (
        f"createTs {OUTSIDE} s in the past (window {WINDOW} s)", WRONG,
        lambda a, b: genuine(a, b, ts=time.time() - OUTSIDE),
    ),
    "create_ts_future_outside_window": (
        f"createTs {OUTSIDE} s in the future", WRONG,
        lambda a, b: genuine(a, b, ts=time.time() + OUTSIDE),
    ),
    "create_ts_stale_inside_window": (
        f"createTs {INSIDE} s in the past (must be accepted)", ACCEPTED,
        lambda a, b: genuine(a, b, ts=time.time() - INSIDE),
    ),
    "create_ts_future_inside_window": (
        f"createTs {INSIDE} s in the future (must be accepted)", ACCEPTED,
        lambda a, b: genuine(a, b, ts=time.time() + INSIDE),
    ),
    "other_algorithm_in_header": (
        "the algorithm header names the other algorithm than the sign's", WRONG,
        lambda a, b: _with(genuine(a, b), algorithm=_other_algorithm(a)),
    ),
    "unknown_uuid": (
        "a uuid no account has (signed with the real key)", UNKNOWN,
        lambda a, b: genuine(Account(f"unknown-{uuid4().hex}", a.secret_key, a.algorithm), b),
    ),
    "missing_requestID": ("no requestID header", MISSING, lambda a, b: _with(genuine(a, b), request_id=None)),
    "missing_uuid": ("no uuid header", MISSING, lambda a, b: _with(genuine(a, b), uuid=None)),
    "missing_createTs": ("no createTs header", MISSING, lambda a, b: _with(genuine(a, b), create_ts=None)),
    "missing_sign": ("no sign header", MISSING, lambda a, b: _with(genuine(a, b), sign=None)),
}  # fmt: skip
REPLAY = "replayed_requestID"
PROBE_NAMES = [*PROBES, REPLAY]


@dataclass
class ProbeResult:
    probe: str
    operation: str
    expected: int | str
    got: int | str | None
    detail: str
    seconds: float

    @property
    def passed(self) -> bool:
        if self.expected == ACCEPTED:
            return isinstance(self.got, int) and self.got not in REFUSED
        return self.got == self.expected


def _code(reply: httpx.Response) -> int | None:
    try:
        data = reply.json()
    except ValueError:
        return None
    value = data.get("retCode", data.get("code")) if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


class SecurityPhase:
    def __init__(self, base_url: str, account: Account, operations: list[str], *, allow_writes: bool = False) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=10)
        self.account = account
        self.operations = operations
        self.allow_writes = allow_writes
        self.exchanges: list[Exchange] = []
        self.results: list[ProbeResult] = []
        #: (assumption pointer, ok, example) for the assumption ledger.
        self.evidence: list[tuple[str, bool, str]] = []

    def send(self, operation: str, message: Message, source: str) -> tuple[int | None, httpx.Response]:
        headers = {k: v for k, v in message.headers.items()}
        reply = self.client.post(PREFIX + operation, content=message.body, headers=headers)
        self.exchanges.append(
            Exchange(
                operation,
                {k.lower(): v for k, v in headers.items()},
                message.body,
                reply.status_code,
                {k.lower(): v for k, v in reply.headers.items()},
                reply.content,
                source,
            )
        )
        return _code(reply), reply

    def run(self) -> list[ProbeResult]:
        import json

        targets = [(op, json.dumps(READ_ONLY_BODIES[op]).encode()) for op in self.operations if op in READ_ONLY_BODIES]
        if self.allow_writes:
            targets.append(("createTask", b""))
        for operation, fixed_body in targets:
            for name, (what, expected, build) in PROBES.items():
                body = fixed_body or self._create_task_body()
                started = time.monotonic()
                code, reply = self.send(operation, build(self.account, body), f"security probe {name}")
                detail = f"{what}; answered {reply.content[:200]!r}"
                if operation == "createTask" and expected != ACCEPTED and self._task_exists(body):
                    detail = f"{what}; the refused createTask created its task anyway"
                    code = -1
                self._record(name, operation, expected, code, detail, started)
            started = time.monotonic()
            body = fixed_body or self._create_task_body()
            first = genuine(self.account, body)
            code1, _ = self.send(operation, first, "security probe replay (first)")
            code2, reply = self.send(operation, first, f"security probe {REPLAY}")
            detail = f"the same signed request sent twice; first {code1}, then {reply.content[:200]!r}"
            self._record(REPLAY, operation, WRONG, code2, detail, started)
        return self.results

    def _record(self, name: str, operation: str, expected: int | str, code: int | None, detail: str, t: float) -> None:
        result = ProbeResult(name, operation, expected, code, detail, time.monotonic() - t)
        self.results.append(result)
        example = f"{operation}: {detail}"
        if name == REPLAY:
            self.evidence.append((REQUEST_ID, True, example))  # what the service does is open: any answer informs
        elif name.startswith("create_ts_") and name.endswith("inside_window"):
            self.evidence.append((CREATE_TS, result.passed, f"{operation}: {detail}"))
        elif name == "other_algorithm_in_header" and result.passed:
            self.evidence.append((ALGORITHM, True, example))

    def _create_task_body(self) -> bytes:
        import json

        return json.dumps({"productID": "callbot", "userTaskID": f"probe-{uuid4().hex}", "sceneID": "probe"}).encode()

    def _task_exists(self, body: bytes) -> bool:
        import json

        wanted = json.loads(body)["userTaskID"]
        listing = json.dumps({"productID": "callbot", "page": 1, "size": 100, "queryConditions": {}}).encode()
        _, reply = self.send("listTask", genuine(self.account, listing), "security probe effect check")
        return wanted in reply.text


def table(results: list[ProbeResult]) -> str:
    """probe | expected | one column per operation (the code it got, and ok / FAIL)."""
    operations = list(dict.fromkeys(r.operation for r in results))
    by = {(r.probe, r.operation): r for r in results}
    names = list(dict.fromkeys(r.probe for r in results))
    width = max(len(n) for n in names)
    lines = [f"    {'probe'.ljust(width)}  {'expected':>8}  " + "  ".join(op.ljust(15) for op in operations)]
    for name in names:
        cells = []
        for op in operations:
            r = by.get((name, op))
            cells.append("-".ljust(15) if r is None else f"{'ok' if r.passed else 'FAIL'} {r.got}".ljust(15))
        expected = next(r.expected for r in results if r.probe == name)
        lines.append(f"    {name.ljust(width)}  {expected!s:>8}  " + "  ".join(cells))
    return "\n".join(lines)


def write_junit(results: list[ProbeResult], path: Path) -> None:
    failures = sum(not r.passed for r in results)
    cases = []
    for r in results:
        name = xml_escape(f"{r.probe}[{r.operation}]", {'"': "&quot;"})
        case = f'  <testcase classname="security_probes" name="{name}" time="{r.seconds:.3f}"'
        if r.passed:
            cases.append(case + "/>")
        else:
            message = xml_escape(f"expected {r.expected}, got {r.got}: {r.detail}", {'"': "&quot;"})
            cases.append(case + f'>\n    <failure message="{message}"/>\n  </testcase>')
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="security probes" tests="{len(results)}" failures="{failures}" errors="0">\n'
        + "\n".join(cases)
        + "\n</testsuite>\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(xml, encoding="utf-8")
