"""`make bench`, section 4: the sandbox against a bare Starlette app, its list costs as the state grows,
ping latency while another client lists a 1M-order task, bytes per order and a 10,000-order import."""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.door import encode_json
from callbot_sandbox.operations import Operations, Payload, Result, complete
from callbot_sandbox.state import Call, SandboxState
from callbot_sandbox.testing import call, free_port

from .loadgen import read_response, run_load, signed_request

SAY = Callable[[str], None]
SIZES = (1_000, 100_000, 1_000_000)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def batch(start: int, count: int, prefix: str = "o") -> dict[str, Any]:
    orders = [{"orderID": f"{prefix}-{n}", "userPhone": f"86138{n:08}"} for n in range(start, start + count)]
    return {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": orders}


class Process:
    def __init__(self, command: list[str], port: int) -> None:
        self.port = port
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{command[0]} did not listen on {port}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def bare_app(*flags: str) -> Process:
    port = free_port()
    return Process([sys.executable, "-m", "bench.bare_app", str(port), *flags], port)


# --- throughput against the bare app ---------------------------------------------------------------------


def bench_against_bare(say: SAY, sandbox_port: int, uuid: str, secret: str) -> None:
    say("50 concurrent keep-alive connections from `bench/loadgen.py` (raw asyncio streams, every request")
    say("signed afresh with `sign`) in this process, against the sandbox and against a bare Starlette app that")
    say("answers every POST with one fixed body (`bench/bare_app.py`), each one uvicorn process with the same")
    say("settings. The three are measured in turn in 3 s rounds (3 each); the machine's 2 cores are shared with")
    say("the load generator, so absolute figures are a floor; the ratio is the goal. The third, for context only,")
    say("is the bare app answering with five fixed signing headers as well (what the wire format alone costs in")
    say("uvicorn's HTTP/1.1 writer); the goal is against the bare app.")
    say("")
    stop_body = {"productID": "callbot", "userTaskID": "bench-task", "orderIDs": ["o-1"]}
    bare, headed = bare_app(), bare_app("--signing-headers")
    contenders = (("sandbox", sandbox_port), ("bare", bare.port), ("headed", headed.port))
    try:
        say(
            "| operation | sandbox requests/s | bare Starlette requests/s | ratio | goal | bare + signing headers "
            "requests/s | sandbox against that | sandbox p99 | bare p99 |"
        )
        say("|---|---|---|---|---|---|---|---|---|")
        for operation, body in (("ping", {"productID": "callbot", "data": "x"}), ("stopOrder", stop_body)):
            path = f"/callcentre/api/v3/{operation}"
            rates: dict[str, list[float]] = {name: [] for name, _ in contenders}
            latencies: dict[str, list[float]] = {name: [] for name, _ in contenders}
            for _, port in contenders:  # warm-up
                asyncio.run(run_load("127.0.0.1", port, path, body, uuid, secret, seconds=1.0))
            for _ in range(3):
                for name, port in contenders:
                    got = asyncio.run(run_load("127.0.0.1", port, path, body, uuid, secret, seconds=3.0))
                    rates[name].append(len(got) / 3.0)
                    latencies[name].extend(got)
            s, b, h = (statistics.median(rates[name]) for name, _ in contenders)
            say(
                f"| {operation} | {s:,.0f} | {b:,.0f} | {s / b:.2f}× | ≥ 0.7× | {h:,.0f} | {s / h:.2f}× | "
                f"{fmt(quantile(latencies['sandbox'], 0.99))} | {fmt(quantile(latencies['bare'], 0.99))} |"
            )
    finally:
        bare.stop()
        headed.stop()
    say("")


# --- list costs as the state grows ----------------------------------------------------------------------


def _timed(operation: Callable[[], Result], number: int) -> float:
    """Median seconds of the operation (a generator is driven to its end) plus encoding its answer."""
    times = []
    for _ in range(number):
        started = time.perf_counter()
        encode_json(complete(operation()))
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_list_costs(say: SAY) -> None:
    say("Page 1 (size 100) of each list operation, in process (the operation and encoding its answer, the")
    say("server's whole work after the checks at the door), on one task holding 1k, 100k and 1M orders, every")
    say("order with one call; the task grows in place between the measurements. With a filter that no index")
    say("serves (listOrder by callStatus) the task is scanned in chunks of 5,000 with the event loop free")
    say("between chunks: that cost grows with the task, and is shown for comparison.")
    say("")
    account = Account("costs", "costs-secret")
    state = SandboxState()
    operations = Operations(state, time.time)
    task = state.create_task("big", "s", 0, account.uuid)
    for n in range(9):  # a few other tasks, so that listTask pages over more than one
        state.create_task(f"other-{n}", "s", 0, account.uuid)
    intents = [{"intentID": "intent-interested", "intentTag": "A", "intentName": "interested", "intentLevel": 1}]
    page: Payload = {"userTaskID": "big", "options": {}, "page": 1, "size": 100}
    scans: Payload = {"userTaskID": "big", "options": {"callStatus": [1]}, "page": 1, "size": 100}
    lists: dict[str, Callable[[], Result]] = {
        "listOrder": lambda: operations.list_order(page, account),
        "listCall": lambda: operations.list_call(page, account),
        "listTask": lambda: operations.list_task({"page": 1, "size": 100, "queryConditions": {}}, account),
        "listOrder, filtered by callStatus (scan)": lambda: operations.list_order(scans, account),
    }
    results: dict[str, list[float]] = {name: [] for name in lists}
    loaded = 0
    for size in SIZES:
        while loaded < size:
            count = min(10_000, size - loaded)
            state.import_orders(task, batch(loaded, count), new_batch=False)
            for n in range(loaded, loaded + count):
                order = task.orders[f"o-{n}"]
                call = Call(f"C-{n}", 1 + n % 3, 1_700_000_000, 1_700_000_005, 1_700_000_065, intents)
                state.record_call(task, order, call, finished=True)
            loaded += count
        for name, operation in lists.items():
            results[name].append(_timed(operation, 3 if "scan" in name else 30))
    say("| page 1 of | 1k orders | 100k orders | 1M orders | 1M / 1k | goal |")
    say("|---|---|---|---|---|---|")
    for name, times in results.items():
        goal = "" if "scan" in name else "≤ 3×"
        say(f"| {name} | {' | '.join(fmt(t) for t in times)} | {times[-1] / times[0]:.2f}× | {goal} |")
    say("")


# --- a 10,000-order import, in the server ------------------------------------------------------------------


def bench_import(say: SAY) -> None:
    account = Account("import", "import-secret")
    sandbox = Sandbox([account], virtual_clock=VirtualClock(1_700_000_000))
    app = sandbox.asgi_app()
    times: list[float] = []

    async def run() -> None:
        for n in range(12):
            sandbox.state.create_task(f"t-{n}", "s", 0, account.uuid)
            body = json.dumps(
                {"productID": "callbot", "userTaskID": f"t-{n}", "callInfoList": batch(n * 10_000, 10_000)}
            )
            started = time.perf_counter()
            reply = await call(app, account, "addBatchCall", body.encode())
            times.append(time.perf_counter() - started)
            assert reply.code == 0 and reply.json()["successCount"] == 10_000, reply.body[:200]

    asyncio.run(run())
    size = len(json.dumps({"callInfoList": batch(0, 10_000)}))
    say(
        f"A 10,000-order addBatchCall ({size / 1e6:.1f} MB of JSON) through the sandbox's ASGI app, in process "
        f"(signature check, JSON, the spec's schema with jsonschema-rs, the import, the signed answer): median "
        f"{fmt(statistics.median(times[2:]))}, slowest {fmt(max(times[2:]))} over 10 (goal ≤ 50 ms)."
    )
    say("")


# --- ping while another client lists a 1M-order task ---------------------------------------------------------


async def _ping_latencies(port: int, uuid: str, secret: str, seconds: float) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = b'{"productID":"callbot","data":"x"}'
    path = "/callcentre/api/v3/ping"
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(signed_request("127.0.0.1", port, path, body, uuid, secret))
            await read_response(reader)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.002)
    finally:
        writer.close()
    return latencies


async def _lister(port: int, uuid: str, secret: str, body: Payload, seconds: float) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    raw = json.dumps(body).encode()
    done = 0
    deadline = time.perf_counter() + seconds
    try:
        while time.perf_counter() < deadline:
            writer.write(signed_request("127.0.0.1", port, "/callcentre/api/v3/listOrder", raw, uuid, secret))
            answer = json.loads(await read_response(reader))
            assert answer["retCode"] == 0, answer
            done += 1
    finally:
        writer.close()
    return done


def bench_ping_while_listing(say: SAY, sandbox_port: int, uuid: str, secret: str) -> None:
    started = time.perf_counter()

    async def load() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", sandbox_port)
        try:
            created = json.dumps({"productID": "callbot", "userTaskID": "huge", "sceneID": "s"}).encode()
            writer.write(
                signed_request("127.0.0.1", sandbox_port, "/callcentre/api/v3/createTask", created, uuid, secret)
            )
            await read_response(reader)
            for start in range(0, 1_000_000, 10_000):
                body = {"productID": "callbot", "userTaskID": "huge", "callInfoList": batch(start, 10_000, "h")}
                raw = json.dumps(body).encode()
                writer.write(
                    signed_request("127.0.0.1", sandbox_port, "/callcentre/api/v3/addBatchCall", raw, uuid, secret)
                )
                answer = json.loads(await read_response(reader))
                assert answer["retCode"] == 0 and answer["successCount"] == 10_000, answer
        finally:
            writer.close()

    asyncio.run(load())
    loading = time.perf_counter() - started
    say(
        f"Ping latency, one client pinging every 2 ms for 5 s, alone and while another client lists a "
        f"1,000,000-order task back to back over its own connection (the task loaded first with 100 "
        f"addBatchCall requests of 10,000 orders: {loading:.1f} s over HTTP)."
    )
    say("")
    say("| while the other client runs | listOrder calls | ping median | ping p99 | goal |")
    say("|---|---|---|---|---|")
    alone = asyncio.run(_ping_latencies(sandbox_port, uuid, secret, 5.0))
    say(f"| nothing | | {fmt(statistics.median(alone))} | {fmt(quantile(alone, 0.99))} | |")
    for label, options in (
        ("listOrder page 1", {}),
        ("listOrder filtered by callStatus (a scan)", {"callStatus": [1]}),
    ):
        body = {"productID": "callbot", "userTaskID": "huge", "options": options, "page": 1, "size": 100}

        async def both(body: Payload = body) -> tuple[list[float], int]:
            lister = asyncio.create_task(_lister(sandbox_port, uuid, secret, body, 5.5))
            await asyncio.sleep(0.2)
            pings = await _ping_latencies(sandbox_port, uuid, secret, 5.0)
            return pings, await lister

        pings, listed = asyncio.run(both())
        say(f"| {label} | {listed:,} | {fmt(statistics.median(pings))} | {fmt(quantile(pings, 0.99))} | ≤ 50 ms |")
    say("")


MEMORY_PROBE = """
import json, time
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096
from callbot_sandbox.state import SandboxState
state = SandboxState()
task = state.create_task('big', 's', 0, 'u')
before, started = rss(), time.perf_counter()
for start in range(0, 1_000_000, 10_000):
    batch = [{'orderID': f'o-{n}', 'userPhone': f'86138{n:08}'} for n in range(start, start + 10_000)]
    state.import_orders(task, {'orderCallbackUrl': '', 'callCallbackUrl': '', 'callList': batch}, new_batch=False)
grown = rss() - before
print(json.dumps({'mb': grown / 1e6, 'bytes_per_order': grown / 1_000_000, 'seconds': time.perf_counter() - started}))
"""


def bench_memory(say: SAY, repo: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, check=True, cwd=repo)
    result = json.loads(probe.stdout)
    say(
        f"Memory with 1,000,000 orders loaded (a fresh process, importBatch-style in batches of 10,000, with the "
        f"indexes kept per task): {result['mb']:,.0f} MB more resident memory, "
        f"{result['bytes_per_order']:,.0f} bytes per order; loading took {result['seconds']:.1f} s."
    )
    say("")
