"""Interleaved comparisons for `make bench`: timing helpers, rounds whose contenders rotate, ratios quoted as the
median of per-round ratios with their spread and a bootstrap 95 % interval, tables of them, and cProfile's
top functions.

Every comparison is interleaved: each round runs every contender once (a block of calls each, in an order
that rotates from round to round), and the ratio is quoted as the median of the per-round ratios of
medians, with the spread of those ratios (10th-90th percentile) and a bootstrap 95 % interval of their
median. The machine has two shared, noisy cores: only ratios measured this way mean much.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol


class SAY(Protocol):
    def __call__(self, text: str = "", /) -> None: ...


# --- statistics ------------------------------------------------------------------------------------------


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio_summary(a: list[float], b: list[float]) -> str:
    """``a`` and ``b`` are per-round medians of the same rounds: the median of the per-round ratios, their
    10th-90th percentile and a bootstrap 95 % interval of that median."""
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    rng = random.Random(0)
    boot = sorted(statistics.median(rng.choices(ratios, k=len(ratios))) for _ in range(2000))
    return (
        f"{statistics.median(ratios):.3f}× | {quantile(ratios, 0.1):.2f}-{quantile(ratios, 0.9):.2f} | "
        f"{quantile(boot, 0.025):.3f}-{quantile(boot, 0.975):.3f}"
    )


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:,.2f} ms"


def run_rounds(calls: dict[str, Callable[[], Any]], rounds: int, block: int) -> dict[str, list[list[float]]]:
    """Per contender, per round, the latency of each call; contenders alternate in a rotating order."""
    names = list(calls)
    out: dict[str, list[list[float]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, times = calls[name], []
            for _ in range(block):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            out[name].append(times)
    return out


async def arun_rounds(
    calls: dict[str, Callable[[], Awaitable[Any]]], rounds: int, block: int
) -> dict[str, list[list[float]]]:
    names = list(calls)
    out: dict[str, list[list[float]]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call, times = calls[name], []
            for _ in range(block):
                started = time.perf_counter()
                await call()
                times.append(time.perf_counter() - started)
            out[name].append(times)
    return out


def comparison_table(
    say: SAY, results: dict[str, list[list[float]]], pairs: list[tuple[str, str, str]], first_column: str
) -> None:
    medians = {name: [statistics.median(times) for times in rounds] for name, rounds in results.items()}
    say(f"| {first_column} | median (all calls) | p90 | per-round median |")
    say("|---|---|---|---|")
    for name, rounds in results.items():
        every = [t for times in rounds for t in times]
        say(
            f"| {name} | {fmt(statistics.median(every))} | {fmt(quantile(every, 0.9))} | "
            f"{fmt(statistics.median(medians[name]))} |"
        )
    say()
    say("| ratio | median of per-round ratios | 10th-90th pct of rounds | bootstrap 95 % CI | goal |")
    say("|---|---|---|---|---|")
    for a, b, goal in pairs:
        say(f"| {a} / {b} | {ratio_summary(medians[a], medians[b])} | {goal} |")
    say()


def cpu_rounds(calls: dict[str, Callable[[], Any]], rounds: int, block: int) -> dict[str, list[float]]:
    """Per contender, per round, the CPU time of this thread per call (``time.thread_time``): the client's own
    work, which the server's process and the other processes of a loaded machine do not count in; contenders
    rotate as in :func:`run_rounds`."""
    names = list(calls)
    out: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            call = calls[name]
            started = time.thread_time()
            for _ in range(block):
                call()
            out[name].append((time.thread_time() - started) / block)
    return out


def cpu_table(say: SAY, results: dict[str, list[float]], pairs: list[tuple[str, str, str]]) -> None:
    """The client CPU per call of each contender and the ratios of ``pairs``, from :func:`cpu_rounds`."""
    say("| client CPU per call (thread time) | median of rounds |")
    say("|---|---|")
    for name, values in results.items():
        say(f"| {name} | {fmt(statistics.median(values))} |")
    say()
    say("| CPU ratio | median of per-round ratios | 10th-90th pct of rounds | bootstrap 95 % CI | goal |")
    say("|---|---|---|---|---|")
    for a, b, goal in pairs:
        say(f"| {a} / {b} | {ratio_summary(results[a], results[b])} | {goal} |")
    say()


def per_op(fn: Callable[[], Any], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - started) / number


def interleaved(a: Callable[[], Any], b: Callable[[], Any], number: int, rounds: int) -> tuple[float, float]:
    """Median seconds per call of a and of b, measured in alternating rounds."""
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(per_op(a, number))
        times_b.append(per_op(b, number))
    return statistics.median(times_a), statistics.median(times_b)


# --- profiling --------------------------------------------------------------------------------------------


@contextmanager
def profiled() -> Iterator[cProfile.Profile]:
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield profile
    finally:
        profile.disable()


def top_functions(say: SAY, profile: cProfile.Profile, calls: int, count: int) -> None:
    stats = pstats.Stats(profile, stream=io.StringIO())
    entries: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(value[2] for value in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:count]
    say("| function | own time per call | share | calls per call | cumulative per call |")
    say("|---|---|---|---|---|")
    for (filename, line, function), (_, ncalls, tottime, cumtime, _) in ranked:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "built-in"
        say(
            f"| `{function}` ({where}:{line}) | {fmt(tottime / calls)} | {tottime / total:.0%} | "
            f"{ncalls / calls:,.0f} | {fmt(cumtime / calls)} |"
        )
    say()
