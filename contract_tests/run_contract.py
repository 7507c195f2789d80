"""`make contract`: the contract suite and the slow tests (``-m 'contract or slow'``), then the schemathesis CLI
against a sandbox it starts (or a live service), with a JUnit report. Exits non-zero on any failure.

Against the embedded sandbox:  python -m contract_tests.run_contract
Against a live service:        BASE_URL=... CALLBOT_UUID=... CALLBOT_SECRET_KEY=... \
                               python -m contract_tests.run_contract
  (positive data only, and only the read-only operations unless CONTRACT_ALLOW_WRITES=1)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import httpx
from callbot_sandbox.testing import READY_TIMEOUT, free_port

from .assumptions import CONFIRMED, CONTRADICTED, NOT_EXERCISED, OTHER_ALGORITHM_SOURCE, AssumptionLedger, Exchange
from .cassettes import Redactor, read_har, write_redacted_har, write_redacted_text
from .probes import READ_ONLY_BODIES, Account, SecurityPhase, genuine, table, write_junit

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "reports"
#: Exit codes: 0 the contract holds; 1 it is broken (a failed test, probe or check, a contradicted
#: assumption); 2 the tool could not run (missing credentials, the sandbox did not start, a usage error).
CONTRACT_BROKEN, TOOL_ERROR = 1, 2
ACCOUNTS_ENV = "CALLBOT_SANDBOX_ACCOUNTS"
READ_ONLY = ["ping", "listTask", "listCall", "listOrder", "listOrderDetail", "exportBatchCall"]


def schemathesis_run(base_url: str, env: dict[str, str], *, live: bool, har_path: Path, junit_path: Path) -> int:
    read_only = live and os.environ.get("CONTRACT_ALLOW_WRITES") != "1"
    # The stateful phase follows links between writes (createTask -> addBatchCall -> ...; the fields they set come
    # from each link's x-request-body-fields, through cli_hooks -> schemathesis_hooks): none when read-only.
    phases = "examples,coverage,fuzzing" if read_only else "examples,coverage,fuzzing,stateful"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", str(REPO / "openapi" / "callbot.yaml"),
        "--url", base_url,
        "--phases", phases,
        "--max-examples", os.environ.get("CONTRACT_MAX_EXAMPLES", "30"),
        "--seed", os.environ.get("CONTRACT_SEED", "20261126"),
        "--report", "junit,har", "--report-junit-path", str(junit_path),
        "--report-har-path", str(har_path),
        "--request-timeout", "10",
    ]  # fmt: skip
    if live:
        command += ["--mode", "positive"]
        if read_only:
            for operation_id in READ_ONLY:
                command += ["--include-operation-id", operation_id]
    print("$", " ".join(command), flush=True)
    return subprocess.call(command, env={**env, "SCHEMATHESIS_HOOKS": "contract_tests.cli_hooks"}, cwd=REPO)


def observe(base_url: str, account: Account, *, allow_writes: bool) -> list[Exchange]:
    """Genuine requests that exercise what schemathesis does not: an empty body, a body serialized unlike
    json.dumps, a gzip answer, the SHA-256 algorithm, and (writes allowed) a task for listTask to report."""
    phase = SecurityPhase(base_url, account, [])
    for operation in READ_ONLY:
        phase.send(operation, genuine(account, b""), "observation: no body")
    ping = b'{ "data" :  "spaced, not json.dumps"  }'
    phase.send("ping", genuine(account, ping), "observation: body as sent")
    big = json.dumps({"data": "x" * 2000}).encode()
    message = genuine(account, big)
    message.headers["Accept-Encoding"] = "gzip"
    phase.send("ping", message, "observation: gzip answer")
    other = "SHA256" if account.algorithm.upper() == "MD5" else "MD5"
    phase.send("ping", genuine(account, b'{"data": "algorithm"}', algorithm=other), OTHER_ALGORITHM_SOURCE)
    if allow_writes:
        task = json.dumps({"productID": "callbot", "userTaskID": f"observe-{uuid4().hex}", "sceneID": "s"}).encode()
        phase.send("createTask", genuine(account, task), "observation: a task")
    for operation in READ_ONLY:
        body = json.dumps(READ_ONLY_BODIES[operation]).encode()
        phase.send(operation, genuine(account, body), "observation: read")
    return phase.exchanges


def contract_run(base_url: str, account: Account, env: dict[str, str], *, live: bool) -> dict[str, int]:
    """Security phase, observations, schemathesis; then the assumption report and the recordings.
    Returns {step: exit code} for the summary."""
    allow_writes = not live or os.environ.get("CONTRACT_ALLOW_WRITES") == "1"
    started = time.monotonic()
    probes = SecurityPhase(base_url, account, READ_ONLY, allow_writes=allow_writes)
    results = probes.run()
    write_junit(results, REPORTS / "security-junit.xml")
    exchanges = probes.exchanges + observe(base_url, account, allow_writes=allow_writes)
    with tempfile.TemporaryDirectory(prefix="contract-") as private:  # raw exchanges: signs, phone numbers
        har, junit = Path(private) / "schemathesis.har", Path(private) / "schemathesis-junit.xml"
        cli = schemathesis_run(base_url, env, live=live, har_path=har, junit_path=junit)
        recorded = read_har(har) if har.exists() else []
        exchanges += recorded
        redactor = Redactor([account.secret_key])
        redactor.learn(exchanges)
        if junit.exists():  # it quotes requests (bodies, headers): redacted like the recording
            write_redacted_text(junit, redactor, REPORTS / "schemathesis-junit.xml")
    ledger = AssumptionLedger(secrets={account.uuid: account.secret_key})
    for exchange in exchanges:
        ledger.observe(exchange)
    for pointer, ok, example in probes.evidence:
        ledger.note(pointer, ok, example)
    counts = ledger.write(REPORTS)
    recording = REPORTS / "recordings" / "contract.har"
    write_redacted_har(exchanges, redactor, recording, base_url)
    leaks = []
    for shared in (recording, REPORTS / "schemathesis-junit.xml"):
        text = shared.read_text(encoding="utf-8") if shared.exists() else ""
        if redactor.text(text) != text:  # a value survived, in any form the redactor knows (raw, XML, JSON)
            shared.unlink()
            leaks.append(str(shared.relative_to(REPO)))
            print(f"tool error: {leaks[-1]} still held a secret key, sign or phone number: deleted")
    failed = [r for r in results if not r.passed]
    print(f"\nsecurity probes ({len(results)}, {len(failed)} failed; reports/security-junit.xml):")
    print(table(results))
    for result in failed:
        print(
            f"  FAILED {result.probe}[{result.operation}]: expected {result.expected}, got {result.got}: "
            f"{result.detail}"
        )
    print(
        f"\nassumptions ({len(ledger.records)}; reports/assumptions.md): {counts[CONFIRMED]} confirmed, "
        f"{counts[CONTRADICTED]} contradicted, {counts[NOT_EXERCISED]} not exercised"
    )
    for record in ledger.records.values():
        if record.status == CONTRADICTED:
            print(f"  CONTRADICTED {record.id}: {record.contradiction}")
    print(
        f"recordings: reports/recordings/contract.har ({len(exchanges)} exchanges; "
        "secret, sign and phone numbers redacted)"
    )
    print(f"security, observations, schemathesis and reports took {time.monotonic() - started:.1f} s")
    return {
        "security probes": 1 if failed else 0,
        "assumptions (none contradicted)": 1 if counts[CONTRADICTED] else 0,
        f"schemathesis CLI against {'the service' if live else 'the sandbox'}": cli,
        "recordings redacted": TOOL_ERROR if leaks else 0,
    }


def summarize(summary: dict[str, int]) -> int:
    print("\ncontract summary:")
    for name, code in summary.items():
        print(f"  {name}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    print(f"  reports: {json.dumps(sorted(p.name for p in REPORTS.glob('*.*')))} and recordings/ in reports/")
    if any(code not in (0, 1) for code in summary.values()):
        return TOOL_ERROR
    return CONTRACT_BROKEN if any(summary.values()) else 0


def sandbox_ready(base_url: str, account: Account, process: subprocess.Popen[bytes]) -> bool:
    """Poll a signed ping, with a bound; any JSON answer will do (a deviating sandbox may not sign it)."""
    deadline = time.monotonic() + READY_TIMEOUT
    body = b'{"data": "ready?"}'
    while time.monotonic() < deadline and process.poll() is None:
        try:
            message = genuine(account, body)
            reply = httpx.post(f"{base_url}/callcentre/api/v3/ping", content=body, headers=message.headers, timeout=1)
            if reply.json().get("code") == 0:
                return True
        except (httpx.HTTPError, ValueError, AttributeError):
            pass
        time.sleep(0.1)
    return False


#: What a run writes in reports/: removed first, so that no report of an earlier run is read as this one's.
OUTPUTS = (
    "contract-junit.xml",
    "schemathesis-junit.xml",
    "security-junit.xml",
    "assumptions.md",
    "assumptions.json",
    "recordings",
)


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    for name in OUTPUTS:
        stale = REPORTS / name
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    base_url = os.environ.get("BASE_URL", "")
    env = dict(os.environ)
    if base_url:
        for name in ("CALLBOT_UUID", "CALLBOT_SECRET_KEY"):
            if not env.get(name):
                print(f"{name} is needed with BASE_URL: the account's credentials (console -> Developer)")
                return TOOL_ERROR
        account = Account(env["CALLBOT_UUID"], env["CALLBOT_SECRET_KEY"], env.get("CALLBOT_ALGORITHM", "MD5"))
        return summarize(contract_run(base_url, account, env, live=True))

    deviate = os.environ.get("CONTRACT_DEVIATE", "")
    summary: dict[str, int] = {}
    if deviate:
        print(f"deviation mode ({deviate}): the sandbox answers unlike the spec on purpose; the suite is skipped")
    else:
        summary["contract suite (pytest)"] = subprocess.call(
            [sys.executable, "-m", "pytest", "-m", "contract or slow", "-n", "auto", "-q", "-rfE",
             "--junitxml", str(REPORTS / "contract-junit.xml")], cwd=REPO,
        )  # fmt: skip
    account = Account(f"contract-{uuid4().hex[:8]}", uuid4().hex)
    env.update(CALLBOT_UUID=account.uuid, CALLBOT_SECRET_KEY=account.secret_key)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "callbot-sandbox"), "--port", str(port), "--log-level", "warning"]
    if deviate:
        command += ["--deviate", deviate]
    # The account goes in through the environment, not the process list.
    sandbox_env = {**env, ACCOUNTS_ENV: f"{account.uuid}:{account.secret_key}"}
    sandbox = subprocess.Popen(command, cwd=REPO, env=sandbox_env, stdout=subprocess.DEVNULL)
    try:
        if not sandbox_ready(base_url, account, sandbox):
            print(f"tool error: the sandbox at {base_url} did not answer a ping within {READY_TIMEOUT} s")
            return TOOL_ERROR
        summary.update(contract_run(base_url, account, env, live=False))
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
    return summarize(summary)


if __name__ == "__main__":
    sys.exit(main())
