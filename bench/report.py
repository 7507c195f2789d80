"""What every section of `make bench` shares: the report it writes (``say`` prints a line and keeps it for
bench/RESULTS.md) and the benchmark account."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
UUID, SECRET = "bench-uuid", "bench-secret-key-0123456789abcdef"
lines: list[str] = []


def say(text: str = "") -> None:
    print(text, flush=True)
    lines.append(text)
