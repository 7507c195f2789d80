"""Section 8 of `make bench`: `callbot orders add` against the minimal script (bench/bulk_script.py), each in a
fresh process, the same CSV, the same fixed-answer server (bench/listcall_server.py: it reads each request whole
and answers one pre-signed body, so the server costs both the same). Wall time, CPU time (user + system) and
peak RSS of each process alone, read by bench/startup.py's launcher (a small process of its own that starts the
command and reads its rusage with ``os.wait4``: a child of this process would start from this process's peak
RSS, which Linux keeps across exec, and RUSAGE_CHILDREN is the largest of all children ever waited for), in
interleaved pairs whose order alternates; ratios are medians of the per-pair ratios. ``BENCH_BULK_ROWS``
(default 1,000,000) and ``BENCH_BULK_PAIRS`` (default 3) size it; ``python -m bench.bulk_import`` runs it alone
(from the repository's root)."""

from __future__ import annotations

import csv
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from .compare import SAY
from .listcall_end_to_end import listcall_server
from .report import REPO, SECRET, UUID, say
from .startup import run_once

TASK = "bench-bulk"
CALLBOT = str(Path(sys.executable).parent / "callbot")
#: Seconds one run may take (a million rows take about 15 s on a quiet machine).
TIMEOUT = 900


def write_contacts(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["orderID", "userPhone", "userName", "param.name"])
        writer.writerows([f"b-{n:07d}", f"86138{n:08d}", f"User {n}", f"N{n}"] for n in range(rows))


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of ``command`` in a fresh process."""
    return run_once(command, env, timeout=TIMEOUT, cwd=REPO)


def bench_bulk_import(say: SAY, rows: int | None = None, pairs: int | None = None) -> None:
    rows = rows or int(os.environ.get("BENCH_BULK_ROWS", "1000000"))
    pairs = pairs or int(os.environ.get("BENCH_BULK_PAIRS", "3"))
    say(f"## 9. `callbot orders add` against a minimal script, {rows:,} rows")
    say()
    load_before = os.getloadavg()[0]
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
    for index, (label, unit) in enumerate((("wall time", "s"), ("CPU time", "s"), ("peak RSS", "MiB"))):
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
        f"Per row: {cli_cpu:.1f} µs CPU for the command, {script_cpu:.1f} µs for the script; {pairs} pairs; load "
        f"average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} cores). Both build "
        "the same CallOrder objects and send them with `add_batch_call`, 10,000 a batch; the command also checks "
        "every row, journals each batch (synced to disk before it is sent) and writes a result CSV. It sends 4 "
        "batches at a time (its default), the script one after another, so CPU time is the like-for-like figure "
        "and wall time includes what the command gains by overlapping the server's work with its own. The script "
        "reads with the cyclic collector on, as a script does; the command reads with it off and then freezes "
        "the orders read (`gc.freeze`). Peak RSS is each process's own (see bench/bulk_import.py)."
    )
    say()


if __name__ == "__main__":
    bench_bulk_import(say)
