"""`make contract`: the contract suite, then the schemathesis CLI against a sandbox it starts (or a live
service), with a JUnit report. Exits non-zero on any failure.

Against the embedded sandbox:  python -m contract_tests.run_contract
Against a live service:        BASE_URL=... CALLBOT_UUID=... CALLBOT_SECRET_KEY=... \
                               python -m contract_tests.run_contract
  (positive data only, and only the read-only operations unless CONTRACT_ALLOW_WRITES=1)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

from callbot_sandbox.testing import free_port, wait_until_ready

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "reports"
READ_ONLY = ["ping", "listTask", "listCall", "listOrder", "listOrderDetail", "exportBatchCall"]


def schemathesis_run(base_url: str, env: dict[str, str], *, live: bool) -> int:
    read_only = live and os.environ.get("CONTRACT_ALLOW_WRITES") != "1"
    # The stateful phase follows links between writes (createTask -> addBatchCall -> ...): none when read-only.
    phases = "examples,coverage,fuzzing" if read_only else "examples,coverage,fuzzing,stateful"
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", str(REPO / "openapi" / "callbot.yaml"),
        "--url", base_url,
        "--phases", phases,
        "--max-examples", os.environ.get("CONTRACT_MAX_EXAMPLES", "30"),
        "--seed", os.environ.get("CONTRACT_SEED", "20261126"),
        "--report", "junit", "--report-junit-path", str(REPORTS / "schemathesis-junit.xml"),
        "--request-timeout", "10",
    ]  # fmt: skip
    if live:
        command += ["--mode", "positive"]
        if read_only:
            for operation_id in READ_ONLY:
                command += ["--include-operation-id", operation_id]
    print("$", " ".join(command), flush=True)
    return subprocess.call(command, env={**env, "SCHEMATHESIS_HOOKS": "contract_tests.cli_hooks"}, cwd=REPO)


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    base_url = os.environ.get("BASE_URL", "")
    env = dict(os.environ)
    if base_url:
        for name in ("CALLBOT_UUID", "CALLBOT_SECRET_KEY"):
            if not env.get(name):
                raise SystemExit(f"{name} is needed with BASE_URL: the account's credentials (console -> Developer)")
        code = schemathesis_run(base_url, env, live=True)
        print(f"contract against {base_url}: {'passed' if code == 0 else 'FAILED'} (report in reports/)")
        return code

    suite = subprocess.call(
        [sys.executable, "-m", "pytest", "-m", "contract", "-q", "-rfE",
         "--junitxml", str(REPORTS / "contract-junit.xml")], cwd=REPO,
    )  # fmt: skip
    uuid, secret_key = f"contract-{uuid4().hex[:8]}", uuid4().hex
    env.update(CALLBOT_UUID=uuid, CALLBOT_SECRET_KEY=secret_key)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen(
        [str(Path(sys.executable).parent / "callbot-sandbox"), "--port", str(port), "--account", f"{uuid}:{secret_key}",
         "--log-level", "warning"], cwd=REPO,
    )  # fmt: skip
    try:
        wait_until_ready(base_url, uuid, secret_key, sandbox)
        cli = schemathesis_run(base_url, env, live=False)
    finally:
        sandbox.terminate()
        try:
            sandbox.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox.kill()
    summary = {"contract suite (pytest)": suite, "schemathesis CLI against the sandbox": cli}
    print("\ncontract summary:")
    for name, code in summary.items():
        print(f"  {name}: {'passed' if code == 0 else f'FAILED (exit {code})'}")
    print(f"  reports: {json.dumps(sorted(p.name for p in REPORTS.glob('*.xml')))} in reports/")
    return 0 if not any(summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
