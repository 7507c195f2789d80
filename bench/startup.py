"""Section 9 of `make bench`: start-up. Importing the client against importing httpx, and `callbot --help`
against the --help of a bare Click group with as many commands, each a fresh process, interleaved.

Each round starts each contender once, in an order that alternates from round to round; a small launcher
starts each run and reads it back with ``os.wait4`` (wall time, CPU time and peak RSS); ratios are the
median of the per-round ratios (bench/compare.py). The measured processes find every module's bytecode compiled, as an
installed wheel has it (pip compiles at install): they write it to a private PYTHONPYCACHEPREFIX in a warm-up
round, whatever PYTHONDONTWRITEBYTECODE this shell has. Run alone: ``python -m bench.startup [rounds]``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .compare import SAY, ratio_summary
from .report import SECRET, UUID
from .report import say as report_say
from .sandbox_process import SandboxProcess

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
#: A first call without this package: httpx posts a ping signed by hand (hashlib) and reads the JSON answer,
#: without checking the answer's signature or schema (a lower bound for a careful script).
BARE_PING = """
import hashlib, json, sys, time, uuid
import httpx

base_url, account, secret = sys.argv[1:4]
body = json.dumps({"productID": "callbot", "data": "hello"}, separators=(",", ":")).encode()
request_id, created = uuid.uuid4().hex, str(int(time.time()))
tail = f"&createTs={created}&requestID={request_id}&uuid={account}".encode()
sign = hashlib.md5(secret.encode() + b"&body=" + body + tail).hexdigest().upper()
headers = {"Content-Type": "application/json", "requestID": request_id, "uuid": account, "createTs": created,
           "algorithm": "MD5", "sign": sign}
answer = json.loads(httpx.post(base_url + "/callcentre/api/v3/ping", content=body, headers=headers).content)
assert answer.get("code") == 0, answer
"""
#: The same first call with the client: import, construct, ping (signed, answer verified and checked).
CALLBOT_PING = """
import sys
from nxcloud_callbot import Callbot

base_url, account, secret = sys.argv[1:4]
with Callbot(base_url, account, secret, max_retries=0) as bot:
    bot.ping(data="hello")
"""
ROUNDS = 15

Run = tuple[float, float, float]  # wall s, CPU s (user + sys), peak RSS MiB


#: Starts the measured command and reports it: a process of its own, so that the command's peak RSS is its own
#: (a child forked from this process would start from this process's peak, which Linux keeps across exec).
SPAWN = """
import json, os, sys, time
actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps([os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss / 1024]))
"""


def run_once(command: Sequence[str], env: Mapping[str, str], timeout: float = 120, cwd: Path | None = None) -> Run:
    """One fresh process of ``command`` (in ``cwd``, default this process's): its wall time, CPU time and peak
    RSS; RuntimeError when it fails, subprocess.TimeoutExpired after ``timeout`` seconds."""
    launcher = [PYTHON, "-c", SPAWN, *command]
    done = subprocess.run(launcher, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{' '.join(command)} could not be measured: {done.stderr[-2000:]}")
    code, wall, cpu, rss = json.loads(done.stdout)
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} exited {code}: {done.stderr[-2000:]}")
    return wall, cpu, rss


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
    say("## 10. Start-up: importing the client, `callbot --help`")
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
        sandbox = SandboxProcess()
        try:
            account = [sandbox.url, UUID, SECRET]
            first = interleave([PYTHON, "-c", CALLBOT_PING, *account], [PYTHON, "-c", BARE_PING, *account], env, rounds)
            row(say, "import + `Callbot(...).ping()`", "httpx + a ping signed by hand", first, "")
        finally:
            sandbox.stop()
    say()
    say("The last row is a whole first call against the sandbox (its own process, on 127.0.0.1): what the lazy")
    say("imports leave to the first call is paid there, against a script that signs with hashlib and does not")
    say("check the answer.")
    say()


if __name__ == "__main__":
    bench_startup(report_say, int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS)
