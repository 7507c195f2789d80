"""What a body may cost the sandbox: the largest valid import is accepted however dense, gzip members are decoded
whole, limited in number and fed to the decompressor in slices, deep nesting is refused or ignored (never a bug),
and bombs and oversized bodies are refused within a memory cap."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.testing import call
from callbot_signing.wire import encode_body

from ..from_spec import request_body, spec_operations

pytestmark = pytest.mark.contract

INTERNAL_ERROR = 5001  # the sandbox's answer to its own bug: never the answer to any input

A = Account("hostile-a", "secret-a-0123456789abcdef")
B = Account("hostile-b", "secret-b-fedcba9876543210", "SHA256")
TASK = "h-task"
CALLS = {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": [{"orderID": "o-1", "userPhone": "8613800000000"}]}
#: A valid body of every operation of the spec: these, chosen for the sandbox's state, else the smallest one its
#: schema allows (a new operation's).
KNOWN_VALID: dict[str, dict[str, Any]] = {
    "ping": {"productID": "callbot", "data": "x"},
    "createTask": {"productID": "callbot", "userTaskID": "n-task", "sceneID": "s", "taskCreateSetting": {"maxCall": 2}},
    "addBatchCall": {"productID": "callbot", "userTaskID": TASK, "callInfoList": CALLS},
    "importBatchCall": {"productID": "callbot", "userTaskID": TASK, "callInfoList": CALLS},
    "createAndCall": {"productID": "callbot", "userTaskID": "c-task", "sceneID": "s", "callInfoList": CALLS},
    "mgrTaskStatus": {"productID": "callbot", "userTaskID": TASK, "taskOperate": 2, "delCall": 0},
    "updateTask": {"productID": "callbot", "userTaskID": TASK, "funcFlag": {"smsEnable": True}},
    "listTask": {"productID": "callbot", "page": 1, "size": 10, "queryConditions": {"taskStatus": [1]}},
    "listCall": {"productID": "callbot", "userTaskID": TASK, "options": {"callStatus": [1]}, "page": 1, "size": 10},
    "listOrder": {"productID": "callbot", "userTaskID": TASK, "options": {"finish": 1}, "page": 1, "size": 10},
    "stopOrder": {"productID": "callbot", "userTaskID": TASK, "orderIDs": ["o-1"], "delCall": 0},
    "listOrderDetail": {"productID": "callbot", "userTaskID": TASK, "orderList": ["o-1"]},
    "exportBatchCall": {"productID": "callbot", "userTaskID": TASK},
}
VALID = {
    operation: request_body(operation, KNOWN_VALID)
    for operation in [*(known for known in KNOWN_VALID if known in spec_operations()), *spec_operations()]
}


def fresh_sandbox() -> Sandbox:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000), seed=1)
    for account in (A, B):  # the same task and orders in both accounts
        task = sandbox.state.create_task(TASK, "s", 0, account.uuid)
        sandbox.state.import_orders(task, CALLS, new_batch=False)
    return sandbox


def test_the_largest_valid_import_is_accepted_however_dense() -> None:
    """10,000 orders (the sandbox's limit), each with three empty params, in the client's compact encoding:
    about 11 bytes per JSON value, and valid."""
    sandbox = fresh_sandbox()
    app = sandbox.asgi_app()
    params = [{"name": None, "value": None}] * 3
    orders = [{"orderID": f"d-{n}", "userPhone": f"86138{n:08}", "params": params} for n in range(10_000)]
    calls = {"orderCallbackUrl": "", "callCallbackUrl": "", "callList": orders}
    body = encode_body({"productID": "callbot", "userTaskID": TASK, "callInfoList": calls}, "importBatchCall")
    assert len(body) / (body.count(b",") + body.count(b"{") + body.count(b"[")) < 12
    reply = asyncio.run(call(app, A, "importBatchCall", body))
    assert (reply.code, reply.json()["successCount"]) == (0, 10_000)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def test_gzip_members_are_decoded_whole_and_limited_in_number() -> None:
    sandbox = fresh_sandbox()
    app = sandbox.asgi_app()
    body = json.dumps(VALID["importBatchCall"]).encode()
    half = len(body) // 2
    cases = {
        "one member": (_gzip(body), 0),
        "two members": (_gzip(body[:half]) + _gzip(body[half:]), 0),
        "150,000 empty members after the body": (_gzip(body) + _gzip(b"") * 150_000, 4),  # was quadratic
        "1,000 members": (_gzip(body) + _gzip(b"") * 999, 0),
        "1,001 members": (_gzip(body) + _gzip(b"") * 1000, 4),
        "cut short": (_gzip(body)[:-4], 3),
    }
    got = {}
    for name, (wire, _) in cases.items():  # each import replaces the one before (same task, same order)
        got[name] = asyncio.run(call(app, A, "importBatchCall", wire, **{"content-encoding": "gzip"})).code
    assert got == {name: code for name, (_, code) in cases.items()}


def test_gzip_is_fed_to_the_decompressor_in_slices_so_members_cost_no_copy_of_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zlib copies the input left after a member ends: fed whole, 999 members in front of 3 MB copied the
    3 MB 999 times. Fed in slices of at most 64 KiB, every byte is fed once, plus at most a slice a member."""
    import zlib

    from callbot_sandbox.door import Limits, gunzip

    fed: list[int] = []
    real = zlib.decompressobj

    class Recording:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.inner = real(*args, **kwargs)

        def decompress(self, data: Any, max_length: int = 0) -> bytes:
            fed.append(len(data))
            return self.inner.decompress(data, max_length)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    monkeypatch.setattr(zlib, "decompressobj", Recording)
    large = json.dumps({"data": [f"{n:09}" for n in range(300_000)]}).encode()  # 3.6 MB, compressible 3x
    wire = _gzip(b"") * 999 + _gzip(large)
    assert gunzip(wire, Limits()) == large
    assert max(fed) <= 64 * 1024 and sum(fed) <= len(wire) + 1000 * 64 * 1024


DEEP = "[" * 850 + "]" * 850  # within the JSON parser's guard, deep enough to break a recursive report
DEEP_CASES = [  # (operation, body, valid): a deep value where the spec wants a string, number or object
    ("stopOrder", f'{{"productID":"callbot","userTaskID":"{TASK}","orderIDs":[{DEEP}]}}', False),
    ("stopOrder", f'{{"userTaskID":"{TASK}","orderIDs":["o-1"],"extra":{DEEP}}}', False),  # productID missing
    ("addBatchCall", json.dumps(VALID["addBatchCall"]).replace('"o-1"', f'"o-1","other":{DEEP}'), False),
    ("listTask", f'{{"productID":"callbot","page":{DEEP},"size":1,"queryConditions":{{}}}}', False),
    ("ping", f'{{"productID":"callbot","data":"x","extra":{DEEP}}}', True),  # an unknown field is ignored
    ("createTask", json.dumps(VALID["createTask"]).replace('"maxCall"', f'"extra":{DEEP},"maxCall"'), True),
    ("listTask", json.dumps(VALID["listTask"]), True),  # lists the task made just before
]


def test_deeply_nested_values_are_refused_or_ignored_never_a_bug() -> None:
    sandbox = fresh_sandbox()
    app = sandbox.asgi_app()
    replies = [asyncio.run(call(app, A, operation, raw.encode())) for operation, raw, _ in DEEP_CASES]
    got = [(operation, reply.status, reply.code) for (operation, _, _), reply in zip(DEEP_CASES, replies, strict=True)]
    expected = [(operation, 200, 0 if valid else "refused") for operation, _, valid in DEEP_CASES]
    assert [(op, status, "refused" if code not in (0, INTERNAL_ERROR) else code) for op, status, code in got] == (
        expected
    ), got


def test_a_surrogate_pair_beside_deep_nesting_is_served_or_refused_never_a_bug() -> None:
    """A surrogate escape sends the body through the string check, whose encoder recurses deeper than the
    parser; which depths pass the parser depends on the stack, so every one from 900 to 1,000 is tried."""
    app = fresh_sandbox().asgi_app()
    codes = {}
    for depth in range(900, 1001):
        raw = '{"productID":"callbot","data":"\\ud83d\\ude00","x":' + "[" * depth + "]" * depth + "}"
        codes[depth] = asyncio.run(call(app, A, "ping", raw.encode())).code
    assert set(codes.values()) <= {0, 4} and 4 in codes.values(), codes


# The bombs run in a child process whose address space is capped a little above what it needs at rest:
# without the limits, each of them would need a gigabyte or more.
BOMBS = r"""
import asyncio, gzip, json, resource, sys
sys.path.insert(0, sys.argv[1])
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.door import Limits
from callbot_sandbox.testing import API, call, send, signed_headers

account = Account("bomb-uuid", "bomb-secret")
sandbox = Sandbox([account], limits=Limits(max_body_bytes=8 * 1024 * 1024, max_reading_bytes=64 * 1024 * 1024))
sandbox.state.create_task("t", "s", 0, account.uuid)
app = sandbox.asgi_app()

def vm_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
cap = vm_bytes() + 384 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

member = gzip.compress(b" " * (16 * 1024 * 1024), compresslevel=9)  # 16 MiB of spaces in ~16 KiB
codes = []
slow_codes = []

async def slow(megabytes):
    left = megabytes
    async def receive():
        nonlocal left
        await asyncio.sleep(0)
        left -= 1
        return {"type": "http.request", "body": b" " * (1024 * 1024), "more_body": left > 0}
    out = []
    async def respond(message):
        out.append(message)
    scope = {"type": "http", "method": "POST", "path": API + "ping", "headers": signed_headers(account, b"{}")}
    await app(scope, receive, respond)
    return json.loads(out[-1]["body"])["code"]

async def run():
    # 1 GiB once decompressed (64 members), on the one operation that takes gzip.
    bomb = member * 64
    codes.append((await call(app, account, "importBatchCall", bomb, **{"content-encoding": "gzip"})).code)
    # 100 MiB announced and sent in 1 MiB pieces: refused from Content-Length, and again while reading.
    piece = b" " * (1024 * 1024)
    headers = signed_headers(account, b"{}")
    for extra in ([(b"content-length", str(100 * len(piece)).encode())], []):
        codes.append((await send(app, API + "stopOrder", headers + extra, [piece] * 100)).code)
    # Eight such bodies at once.
    many = [send(app, API + "ping", signed_headers(account, b"{}"), [piece] * 100) for _ in range(8)]
    replies = await asyncio.gather(*many)
    codes.extend(r.code for r in replies)
    # Sixty-four slow clients at once, each sending 7 MiB in fresh 1 MiB pieces: 448 MiB if all were held,
    # over the cap. The budget of bodies being read (64 MiB) refuses them instead (4; the bodies that are
    # read whole are not what was signed: 6).
    crowd = await asyncio.gather(*(slow(7) for _ in range(64)))
    slow_codes.extend(crowd)
    codes.append((await call(app, account, "ping", {"data": "after the crowd"})).code)
    # Unsigned and from an unknown account: refused before the body is read at all.
    codes.append((await send(app, API + "ping", [], [piece] * 100)).code)
    stranger = [(k, b"nobody" if k == b"uuid" else v) for k, v in signed_headers(account, b"")]
    codes.append((await send(app, API + "ping", stranger, [piece] * 100)).code)

asyncio.run(run())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"codes": codes, "slow_codes": slow_codes, "peak_mib": peak / 2**20}))
"""


def test_bombs_and_oversized_bodies_are_refused_within_a_memory_cap() -> None:
    from ..conftest import REPO

    done = subprocess.run(
        [sys.executable, "-c", BOMBS, str(REPO)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [4, 4, 4] + [4] * 8 + [0, 6001, 6002], result
    assert set(result["slow_codes"]) <= {4, 6} and 4 in result["slow_codes"], result
    assert result["peak_mib"] < 600, result
