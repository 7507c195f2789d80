"""Section 9 of `make bench`: start-up. Importing the client against importing httpx, and `callbot --help`
against the --help of a bare Click group with as many commands, each a fresh process, interleaved.

Each round starts each contender once, in an order that alternates from round to round; a run is timed from
outside (wall) and read back with ``os.wait4`` (its CPU time and peak RSS); ratios are the median of the
per-round ratios (bench/compare.py). The measured processes find every module's bytecode compiled, as an
installed wheel has it (pip compiles at install): they write it to a private PYTHONPYCACHEPREFIX in a warm-up
round, whatever PYTHONDONTWRITEBYTECODE this shell has. Run alone: ``python -m bench.startup [rounds]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .compare import SAY, ratio_summary
from .report import say as report_say

PYTHON = sys.executable
CALLBOT = str(Path(PYTHON).with_name("callbot"))
#: A bare Click group with as many commands as `callbot` has (operations, call, orders, tasks, webhook), each
#: with a one-line help: what any Click program pays for --help.
BARE_CLICK = """
import click

@click.group()
def cli() -> None:
    "A bare Click group."

for name in ("operations", "call", "orders", "tasks", "webhook"):
    cli.add_command(click.Command(name, callback=lambda: None, help=f"The {name} command."))

cli(prog_name="bare")
"""
ROUNDS = 15

Run = tuple[float, float, float]  # wall s, CPU s (user + sys), peak RSS MiB


def run_once(command: Sequence[str], env: Mapping[str, str]) -> Run:
    """One fresh process of ``command``: its wall time, CPU time and peak RSS; RuntimeError when it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {error[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def interleave(a: Sequence[str], b: Sequence[str], env: Mapping[str, str], rounds: int) -> tuple[list[Run], list[Run]]:
    """``rounds`` runs of each, A B then B A alternately, after one warm-up run of each (which also writes the
    bytecode)."""
    run_once(a, env), run_once(b, env)
    runs_a, runs_b = [], []
    for number in range(rounds):
        if number % 2:
            runs_b.append(run_once(b, env))
            runs_a.append(run_once(a, env))
        else:
            runs_a.append(run_once(a, env))
            runs_b.append(run_once(b, env))
    return runs_a, runs_b


def measured_env(pycache: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=pycache, CALLBOT_LOG="", COLUMNS="100")
    return env


def row(say: SAY, what: str, baseline: str, runs: tuple[list[Run], list[Run]], goal: str) -> None:
    runs_a, runs_b = runs
    wall_a, wall_b = [run[0] for run in runs_a], [run[0] for run in runs_b]
    cpu_a, cpu_b = [run[1] for run in runs_a], [run[1] for run in runs_b]
    rss_a, rss_b = statistics.median(run[2] for run in runs_a), statistics.median(run[2] for run in runs_b)
    say(
        f"| {what} | {baseline} | {statistics.median(wall_a) * 1e3:.0f} ms | {statistics.median(wall_b) * 1e3:.0f} ms "
        f"| {ratio_summary(wall_a, wall_b)} | {ratio_summary(cpu_a, cpu_b).split(' | ')[0]} "
        f"| {rss_a:.1f} / {rss_b:.1f} MiB | {goal} |"
    )


def bench_startup(say: SAY, rounds: int = ROUNDS) -> None:
    say("## 9. Start-up: importing the client, `callbot --help`")
    say()
    say("Each command is a fresh Python process, started in turn with its baseline (A B, then B A) for")
    say(f"{rounds} rounds after a warm-up; the processes find every module compiled to bytecode, as an")
    say("installed wheel has it. Importing the client loads what a first call needs and no more: the models,")
    say("the schema validators, httpcore and the async client are imported or built on first use.")
    say("`callbot --help` imports neither httpx nor the client: a subcommand imports them when it runs. The")
    say("bare Click group has as many commands as `callbot`. Ratios: median of the per-round ratios, their")
    say("10th-90th percentile and a bootstrap 95 % interval; CPU is user + sys of the process.")
    say()
    columns = "command (A) | baseline (B) | A wall | B wall | A/B wall | 10-90 % | 95 % CI | A/B CPU | peak RSS A / B"
    say(f"| {columns} | goal |")
    say("|---|---|---|---|---|---|---|---|---|---|")
    httpx = [PYTHON, "-c", "import httpx"]
    with tempfile.TemporaryDirectory(prefix="callbot-bench-pycache-") as pycache:
        env = measured_env(pycache)
        for code, goal in (
            ("import nxcloud_callbot", "≤ 1.5×"),
            ("from nxcloud_callbot import Callbot", "≤ 1.5×"),
            ("import callbot_signing", "≤ 1.5×"),
        ):
            row(say, f"`{code}`", "`import httpx`", interleave([PYTHON, "-c", code], httpx, env, rounds), goal)
        bare = [PYTHON, "-c", BARE_CLICK, "--help"]
        row(say, "`callbot --help`", "bare Click `--help`", interleave([CALLBOT, "--help"], bare, env, rounds), "≤ 2×")
    say()


if __name__ == "__main__":
    bench_startup(report_say, int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS)
