"""Section 8 of `make bench`: `callbot orders add` against the minimal script (bench/bulk_script.py), each in a
fresh process, the same CSV, the same fixed-answer server (bench/listcall_server.py: it reads each request whole
and answers one pre-signed body, so the server costs both the same). Wall time, CPU time (user + system, from
the child's rusage) and peak RSS, in interleaved pairs whose order alternates; ratios are medians of the
per-pair ratios. ``BENCH_BULK_ROWS`` (default 1,000,000) and ``BENCH_BULK_PAIRS`` (default 3) size it;
``python -m bench.bulk_import`` runs it alone."""

from __future__ import annotations

import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .compare import SAY
from .listcall_end_to_end import listcall_server
from .report import REPO, SECRET, UUID, say

TASK = "bench-bulk"
CALLBOT = str(Path(sys.executable).parent / "callbot")


def write_contacts(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["orderID", "userPhone", "userName", "param.name"])
        writer.writerows([f"b-{n:07d}", f"86138{n:08d}", f"User {n}", f"N{n}"] for n in range(rows))


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one run of ``command`` in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        assert process.stderr is not None
        raise RuntimeError(f"{command[:3]} exited {process.returncode}: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def bench_bulk_import(say: SAY, rows: int | None = None, pairs: int | None = None) -> None:
    rows = rows or int(os.environ.get("BENCH_BULK_ROWS", "1000000"))
    pairs = pairs or int(os.environ.get("BENCH_BULK_PAIRS", "3"))
    say(f"## 8. `callbot orders add` against a minimal script, {rows:,} rows")
    say()
    answer = {"retCode": 0, "retMsg": "success", "responseID": "r", "totalCount": 0, "successCount": 0, "errList": []}
    with tempfile.TemporaryDirectory() as folder, listcall_server(json.dumps(answer).encode()) as url:
        contacts = Path(folder) / "contacts.csv"
        write_contacts(contacts, rows)
        env = {**os.environ, "CALLBOT_BASE_URL": url, "CALLBOT_UUID": UUID, "CALLBOT_SECRET_KEY": SECRET}
        env["CALLBOT_LOG"] = ""
        script = [sys.executable, "-m", "bench.bulk_script", str(contacts), TASK]
        cli = [CALLBOT, "orders", "add", "--task", TASK, "--csv", str(contacts), "--no-progress"]
        figures: dict[str, list[tuple[float, float, float]]] = {"script": [], "cli": []}
        for n in range(pairs):
            for name in ("script", "cli") if n % 2 == 0 else ("cli", "script"):
                for leftover in Path(folder).glob("contacts.*.*"):
                    leftover.unlink()  # the journal and result of the previous run
                figures[name].append(measured(script if name == "script" else cli, env))
    say("| measure | minimal script | `callbot orders add` | ratio (median of pairs) |")
    say("|---|---|---|---|")
    for index, (label, unit) in enumerate((("wall time", "s"), ("CPU time", "s"), ("peak RSS", "MB"))):
        base = [figure[index] for figure in figures["script"]]
        ours = [figure[index] for figure in figures["cli"]]
        ratios = sorted(a / b for a, b in zip(ours, base, strict=True))
        spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}"
        say(
            f"| {label} | {statistics.median(base):,.2f} {unit} | {statistics.median(ours):,.2f} {unit} | "
            f"{statistics.median(ratios):.2f}× ({spread}) |"
        )
    say()
    cli_cpu, script_cpu = (statistics.median(f[1] for f in figures[name]) / rows * 1e6 for name in ("cli", "script"))
    say(
        f"Per row: {cli_cpu:.1f} µs CPU for the command, {script_cpu:.1f} µs for the script; {pairs} pairs. The "
        "command checks every row, keeps a journal and writes a result CSV; it sends 4 batches at a time (its "
        "default), the script one, so on a loaded machine its wall time gains from overlapping the server's."
    )
    say()


if __name__ == "__main__":
    bench_bulk_import(say)
