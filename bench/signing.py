"""Sections 1 and 3 of `make bench`: `sign()` against hashlib alone, and verifying a large listCall answer
against hashing it."""

from __future__ import annotations

import hashlib
import json
import os
import time
from uuid import uuid4

from callbot_signing import sign, verify_response

from .compare import fmt, interleaved
from .report import SECRET, UUID, say

# --- 1. sign() against hashlib --------------------------------------------------------------------------


def bench_sign() -> None:
    say("## 1. sign() against hashlib alone")
    say()
    say("hashlib alone hashes the same bytes sign() hashes (the whole canonical string, built beforehand);")
    say("the ratio is what building the string, choosing the hash and upper-casing the digest add.")
    say()
    say("At 100 B the fixed cost of building the string (two small encodes and a copy) is of the order of the")
    say("hash itself, so that ratio moves between about 1.7× and 2.2× from run to run on this machine; from")
    say("10 KB on, the hash dominates and large bodies are never copied.")
    say()
    say("| body | algorithm | sign() | hashlib | ratio | goal |")
    say("|---|---|---|---|---|---|")
    ts, request_id = "1700000000", uuid4().hex
    for size, label, number in (
        (100, "100 B", 20000),
        (10_000, "10 KB", 2000),
        (1_000_000, "1 MB", 30),
        (10_000_000, "10 MB", 3),
    ):
        body = os.urandom(size)
        for algorithm, new in (("MD5", hashlib.md5), ("SHA256", hashlib.sha256)):
            raw = f"{SECRET}&body=".encode() + body + f"&createTs={ts}&requestID={request_id}&uuid={UUID}".encode()
            signed, hashed = interleaved(
                lambda body=body, algorithm=algorithm: sign(SECRET, body, ts, request_id, UUID, algorithm),  # type: ignore[misc]
                lambda new=new, raw=raw: new(raw).hexdigest(),  # type: ignore[misc]
                number,
                rounds=15 if size <= 1_000_000 else 7,
            )
            goal = "≤ 2×" if size == 100 else ("≤ 1.10×" if size >= 1_000_000 else "")
            say(f"| {label} | {algorithm} | {fmt(signed)} | {fmt(hashed)} | {signed / hashed:.2f}× | {goal} |")
    say()


# --- 3. response verification ---------------------------------------------------------------------------


def bench_verification() -> None:
    from callbot_sandbox.operations import Operations, complete
    from callbot_sandbox.state import Call, SandboxState

    say("## 3. Verifying a large listCall response")
    say()
    state = SandboxState()
    task = state.create_task("bench", "s", 0, UUID)
    calls = [{"orderID": f"o-{n}", "userPhone": f"86138{n:08}"} for n in range(10_000)]
    state.import_orders(task, {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": calls}, new_batch=False)
    intents = [{"intentID": "intent-interested", "intentTag": "A", "intentName": "interested", "intentLevel": 1}]
    for n, order in enumerate(list(task.orders.values())):
        state.record_call(
            task, order, Call(f"C{n}", 1, 1_700_000_000, 1_700_000_005, 1_700_000_065, intents), finished=True
        )
    from callbot_sandbox import Account

    payload = complete(
        Operations(state, time.time).list_call(
            {"userTaskID": "bench", "options": {}, "page": 1, "size": 10_000}, Account(UUID, SECRET)
        )
    )
    body = json.dumps(payload, separators=(",", ":")).encode()
    request_id, ts = uuid4().hex, str(int(time.time()))
    headers = {
        "requestID": request_id,
        "uuid": UUID,
        "createTs": ts,
        "algorithm": "MD5",
        "sign": sign(SECRET, body, ts, request_id, UUID),
    }
    verified, hashed = interleaved(
        lambda: verify_response(headers, body, request_id=request_id, uuid=UUID, secret_key=SECRET),
        lambda: hashlib.md5(body).hexdigest(),
        number=20,
        rounds=15,
    )
    say(f"A listCall answer with {len(payload['callList']):,} calls is {len(body) / 1e6:.1f} MB of JSON.")
    say()
    say("| verify_response() | hashlib.md5 over the same bytes | ratio | goal |")
    say("|---|---|---|---|")
    say(f"| {fmt(verified)} | {fmt(hashed)} | {verified / hashed:.2f}× | ≤ 1.10× |")
    say()
