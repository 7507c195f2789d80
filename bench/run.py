"""`make bench`: measures the signing layer (bench/signing.py), the per-call overhead (bench/per_call.py), the
sandbox (bench/sandbox_costs.py), `Callbot` against bare httpx (bench/callbot.py), a 1 MB and a 10 MB listCall
end to end (bench/listcall_end_to_end.py), iter_list_order's client CPU (bench/iter_pages.py), the webhook
receiver (bench/receiver.py), `callbot orders add` against a minimal script (bench/bulk_import.py), start-up
(bench/startup.py), the testing kit (bench/testing_kit.py) and the project's own loops, side by side in one
run, and rewrites bench/RESULTS.md. Not a test: nothing here asserts.

Every figure is a median of repeated runs; the comparisons are interleaved and quoted as ratios, because
this machine is shared and noisy and absolute times alone mean little.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from importlib import metadata
from pathlib import Path

from . import sandbox_costs
from .bulk_import import bench_bulk_import
from .callbot import bench_callbot_call
from .iter_pages import bench_iter_pages
from .listcall_end_to_end import bench_listcall
from .per_call import bench_per_call
from .receiver import bench_receiver
from .report import REPO, RESULTS, SECRET, UUID, lines, say
from .sandbox_process import SandboxProcess
from .signing import bench_sign, bench_verification
from .startup import bench_startup
from .testing_kit import bench_testing_kit

# --- 4. sandbox throughput and memory -------------------------------------------------------------------------


def bench_sandbox(sandbox: SandboxProcess) -> None:
    say("## 4. The sandbox: throughput, list costs, latency under a large listing, memory")
    say()
    sandbox_costs.bench_against_bare(say, sandbox.port, UUID, SECRET)
    sandbox_costs.bench_import(say)  # first: a process holding millions of objects pays for them in GC
    sandbox_costs.bench_list_costs(say)
    fresh = SandboxProcess(replays=False)
    try:
        sandbox_costs.bench_ping_while_listing(say, fresh.port, UUID, SECRET)
    finally:
        fresh.stop()
    sandbox_costs.bench_memory(say, REPO)


# --- 5. the project's own loops -----------------------------------------------------------------------------


def bench_loops() -> None:
    say("## 12. The project's own loops")
    say()
    say("| command | wall time | goal |")
    say("|---|---|---|")
    for target, goal in (("test", "< 90 s"), ("generate", "")):
        started = time.perf_counter()
        done = subprocess.run(["make", target], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outcome = "" if done.returncode == 0 else f" (FAILED, exit {done.returncode}: run it to see why)"
        say(f"| `make {target}` (with `.venv` in place) | {time.perf_counter() - started:.1f} s{outcome} | {goal} |")
    say()


def header() -> None:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("httpx", "uvicorn", "starlette", "attrs"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    say("# Benchmarks")
    say()
    say(
        f"Written by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {cpu}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}. Python {platform.python_version()}, "
        f"{versions}, OpenSSL {__import__('ssl').OPENSSL_VERSION.split()[1]}."
    )
    say()
    say("Figures are medians of repeated runs; comparisons were measured interleaved in this one run and are")
    say("quoted as ratios (the machine is shared and noisy: absolute times alone mean little).")
    say()


def main() -> None:
    started = time.perf_counter()
    header()
    bench_sign()
    bench_per_call()
    sandbox = SandboxProcess()
    try:
        bench_verification()
        bench_sandbox(sandbox)
    finally:
        sandbox.stop()
    bench_callbot_call(say)
    bench_listcall(say)
    bench_iter_pages(say)
    bench_receiver(say)
    bench_bulk_import(say)
    bench_startup(say)
    bench_testing_kit(say)
    bench_loops()
    say(
        f"`make bench` took {time.perf_counter() - started:.0f} s; peak memory of this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB."
    )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
