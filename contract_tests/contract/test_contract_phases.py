"""`make contract`'s security phase, assumption report, deviation mode and recordings, in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import httpx
import pytest
from callbot_sandbox import Account as SandboxAccount
from callbot_sandbox import Sandbox, serve_in_thread

from ..assumptions import CONFIRMED, CONTRADICTED, SPEC, AssumptionLedger, Exchange, find_assumptions, load_spec
from ..cassettes import REDACTED_PHONE, REDACTED_SIGN, Redactor, write_redacted_har, write_redacted_text
from ..probes import PROBE_NAMES, READ_ONLY_BODIES, Account, SecurityPhase, genuine
from ..run_contract import observe

pytestmark = pytest.mark.contract

ACCOUNT = Account("phase-uuid", "phase-secret-key-0123456789")
PHONES = ["8613800000001", "+8613912345678"]


def run_against(deviations: frozenset[str] = frozenset()) -> tuple[SecurityPhase, list[Exchange]]:
    sandbox = Sandbox([SandboxAccount(ACCOUNT.uuid, ACCOUNT.secret_key)], deviations=deviations)
    with serve_in_thread(sandbox.asgi_app()) as url:
        phase = SecurityPhase(url, ACCOUNT, list(READ_ONLY_BODIES), allow_writes=True)
        phase.run()
        exchanges = phase.exchanges + observe(url, ACCOUNT, allow_writes=True)
        task = json.dumps({"productID": "callbot", "userTaskID": "phones", "sceneID": "s"}).encode()
        calls = json.dumps(
            {
                "productID": "callbot",
                "userTaskID": "phones",
                "callInfoList": {"callList": [{"orderID": f"o{n}", "userPhone": p} for n, p in enumerate(PHONES)]},
            }
        ).encode()
        extra = SecurityPhase(url, ACCOUNT, [])
        extra.send("createTask", genuine(ACCOUNT, task), "test")
        extra.send("addBatchCall", genuine(ACCOUNT, calls), "test")
        listing = json.dumps({"productID": "callbot", "userTaskID": "phones", "options": {}}).encode()
        extra.send("listOrder", genuine(ACCOUNT, listing), "test")
    return phase, exchanges + extra.exchanges


def ledger_of(phase: SecurityPhase, exchanges: list[Exchange]) -> AssumptionLedger:
    ledger = AssumptionLedger(secrets={ACCOUNT.uuid: ACCOUNT.secret_key})
    for exchange in exchanges:
        ledger.observe(exchange)
    for pointer, ok, example in phase.evidence:
        ledger.note(pointer, ok, example)
    return ledger


@pytest.fixture(scope="module")
def faithful() -> tuple[SecurityPhase, list[Exchange]]:
    return run_against()


def _resolve(document: Any, pointer: str) -> Any:
    for token in pointer.strip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def test_every_x_assumption_has_a_stable_id_that_points_at_it() -> None:
    spec = load_spec()
    first = list(find_assumptions(spec))
    assert first == list(find_assumptions(load_spec()))
    ids = [id_ for id_, _, _ in first]
    assert len(ids) == len(set(ids))
    assert all(_resolve(spec, pointer) for _, pointer, _ in first)
    keys = len(re.findall(r"^\s*(?:- )?x-assumption:|[{,]\s*x-assumption:", SPEC.read_text(), re.MULTILINE))
    assert len(first) >= keys  # aliases of anchors count once more each


def test_every_probe_is_refused_by_the_sandbox_and_inside_window_is_accepted(
    faithful: tuple[SecurityPhase, list[Exchange]],
) -> None:
    phase, _ = faithful
    assert {r.probe for r in phase.results} == set(PROBE_NAMES)
    assert {r.operation for r in phase.results} == {*READ_ONLY_BODIES, "createTask"}
    assert [r for r in phase.results if not r.passed] == []


def test_the_faithful_sandbox_contradicts_no_assumption(faithful: tuple[SecurityPhase, list[Exchange]]) -> None:
    ledger = ledger_of(*faithful)
    assert {r.id: r.contradiction for r in ledger.records.values() if r.status == CONTRADICTED} == {}
    assert ledger.counts()[CONFIRMED] >= 20


@pytest.mark.parametrize(
    ("deviation", "assumption", "named"),
    [
        ("missing-field", "/components/schemas/RetEnvelope/x-assumption", "responseID"),
        ("extra-field", "/components/schemas/TaskInfo/x-assumption", "undocumentedField"),
        ("unknown-enum", "/components/schemas/TaskStatusValue/x-assumption", "value 9"),
        ("unsigned-success", "/components/headers/sign/x-assumption", "without sign"),
        ("wrong-request-id", "/components/securitySchemes/requestID/x-assumption", "echoes requestID"),
        ("pinned-algorithm", "/components/securitySchemes/algorithm/x-assumption", "console setting only"),
    ],
)
def test_each_deviation_is_reported_as_contradicted(deviation: str, assumption: str, named: str) -> None:
    record = ledger_of(*run_against(frozenset({deviation}))).records[assumption]
    assert record.status == CONTRADICTED
    assert named in (record.contradiction or "")
    assert re.match(r"[a-zA-Z]+", record.contradiction or "")  # starts with the operation


def test_a_loose_clock_fails_the_outside_window_probes() -> None:
    phase, _ = run_against(frozenset({"loose-clock"}))
    failed = {r.probe for r in phase.results if not r.passed}
    assert failed == {"create_ts_stale_outside_window", "create_ts_future_outside_window"}


def test_recordings_hold_no_secret_sign_or_phone_number(
    faithful: tuple[SecurityPhase, list[Exchange]], tmp_path: Path
) -> None:
    _, exchanges = faithful
    signs = {e.request_headers.get("sign") for e in exchanges} | {e.response_headers.get("sign") for e in exchanges}
    signs.discard(None)
    raw = b"".join(e.request_body + e.response_body for e in exchanges)
    assert len(signs) > 50 and all(phone.encode() in raw for phone in PHONES)  # the run did carry them
    redactor = Redactor([ACCOUNT.secret_key])
    redactor.learn(exchanges)
    path = tmp_path / "contract.har"
    write_redacted_har(exchanges, redactor, path, "http://127.0.0.1:1")
    text = path.read_text(encoding="utf-8")
    assert ACCOUNT.secret_key not in text
    assert not [s for s in signs if s and s in text]
    assert not [p for p in PHONES if p in text]
    assert REDACTED_PHONE in text and REDACTED_SIGN in text
    har = json.loads(text)
    assert len(har["log"]["entries"]) == len(exchanges)


def test_a_junit_report_quoting_requests_is_redacted_like_the_recording(
    faithful: tuple[SecurityPhase, list[Exchange]], tmp_path: Path
) -> None:
    _, exchanges = faithful
    sign = next(e.request_headers["sign"] for e in exchanges if e.request_headers.get("sign"))
    secret = 'k&y<"odd>' + ACCOUNT.secret_key  # a key with XML's special characters
    quoted = (
        f'<testcase><failure message="sign: {sign}">curl -H "sign: {sign}" -d \'{{"userPhone": "{PHONES[0]}"}}\' '
        f"key {secret} / {xml_escape(secret)}</failure></testcase>"
    )
    source, target = tmp_path / "raw.xml", tmp_path / "shared" / "junit.xml"
    source.write_text(quoted, encoding="utf-8")
    redactor = Redactor([secret])
    redactor.learn(exchanges)
    write_redacted_text(source, redactor, target)
    text = target.read_text(encoding="utf-8")
    assert sign not in text and PHONES[0] not in text and ACCOUNT.secret_key not in text
    assert text.count(REDACTED_SIGN) == 2 and REDACTED_PHONE in text


def test_unknown_deviation_is_refused_by_the_command_line() -> None:
    from callbot_sandbox.server import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--deviate", "no-such-thing"])
    assert build_parser().parse_args(["--deviate", "missing-field,loose-clock"]).deviate == {
        "missing-field",
        "loose-clock",
    }


def test_probe_exchange_headers_reach_the_server_as_built() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": 6001})

    phase = SecurityPhase("http://127.0.0.1:1", ACCOUNT, ["ping"])
    phase.client = httpx.Client(base_url="http://127.0.0.1:1", transport=httpx.MockTransport(handler))
    phase.run()
    missing = [r for r in seen if "sign" not in r.headers]
    assert missing and all(
        r.headers.get("uuid") in (ACCOUNT.uuid, None) or "unknown" in r.headers["uuid"] for r in seen
    )
