"""What an operation answers: a payload with the service's envelope, or a generator that does the work a
chunk at a time and returns the payload (chunked.py)."""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

Payload = dict[str, Any]
#: An operation's answer, or a generator that yields between chunks of work and returns the answer.
Result = Payload | Generator[None, None, Payload]

_ids = random.Random()


def new_id() -> str:
    """A fresh responseID (Ping: reqId): 32 hex characters, like the service's. Not a secret, so drawn from
    ``random``: uuid4's os.urandom is a system call per answer."""
    return f"{_ids.getrandbits(128):032x}"


def envelope(code: int = 0, msg: str = "success") -> Payload:
    return {"retCode": code, "retMsg": msg, "responseID": new_id()}


def complete(result: Result) -> Payload:
    """An operation's answer, its chunks run one after another (tests and benchmarks; the server yields
    between them)."""
    if isinstance(result, dict):
        return result
    while True:
        try:
            next(result)
        except StopIteration as done:
            answer: Payload = done.value
            return answer
