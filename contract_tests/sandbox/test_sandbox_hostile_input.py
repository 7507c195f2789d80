"""A generated table of well over 1,000 malformed requests and two tenants (bodies that cost: see
test_sandbox_body_bounds.py): the sandbox answers every one with HTTP 200 (never a 5xx), never retCode 0 to an
invalid request. Invalid means: the spec's request schema refuses it (judged by the pure-Python
``jsonschema``, an implementation independent of the sandbox's jsonschema-rs), or a rule of the door
(callbot_sandbox/door.py) does."""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from callbot_sandbox import Account, Sandbox
from callbot_sandbox.dialer import VirtualClock
from callbot_sandbox.spec import load_spec, request_schema_pointer
from callbot_sandbox.testing import API, Reply, call, send, signed_headers
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

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
LONE_SURROGATE = "\ud800"
BAD_VALUES: list[Any] = [None, True, 0, -1, 1.5, 1.0, 2**70, 1e300, "", "x", LONE_SURROGATE, [], [None], {}, {"k": 1}]
URL_FIELDS = {"orderCallbackUrl", "callCallbackUrl", "taskCallbackUrl"}
ODD_URLS = ["http://[::1", "ftp://host/x", "no scheme", "http://", "http://h:99999/", "http://h/\x00"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _set(body: Any, path: tuple[Any, ...], value: Any, *, delete: bool = False) -> Any:
    changed = copy.deepcopy(body)
    node = changed
    for part in path[:-1]:
        node = node[part]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return changed


def _has_surrogate(value: Any) -> bool:
    text = json.dumps(value)
    return "\\ud8" in text or "\\udf" in text


def cases() -> Iterator[tuple[str, Any, bool]]:
    """(operation, body, invalid by a door rule) for every deletion and every bad value at every path."""
    for operation, body in VALID.items():
        yield operation, body, False
        for path in _paths(body):
            yield operation, _set(body, path, None, delete=True), False
            for value in BAD_VALUES:
                yield operation, _set(body, path, value), _has_surrogate(value)
            if path[-1] in URL_FIELDS:  # any string: the spec assumes no form (callbacks to them are skipped)
                for url in ODD_URLS:
                    yield operation, _set(body, path, url), False
        yield operation, {**body, LONE_SURROGATE: 1}, True  # a key
        yield operation, [body], False  # not an object
        yield operation, "text", False


def oracle(operation: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource("urn:spec", DRAFT202012.create_resource(load_spec()))
    return Draft202012Validator({"$ref": "urn:spec" + request_schema_pointer(API + operation)}, registry=registry)


def fresh_sandbox() -> Sandbox:
    sandbox = Sandbox([A, B], virtual_clock=VirtualClock(1_800_000_000), seed=1)
    for account in (A, B):  # the same task and orders in both accounts
        task = sandbox.state.create_task(TASK, "s", 0, account.uuid)
        sandbox.state.import_orders(task, CALLS, new_batch=False)
    return sandbox


def test_over_1000_malformed_bodies_get_a_ret_code_never_a_5xx_nor_0_when_invalid() -> None:
    sandbox = fresh_sandbox()
    app = sandbox.asgi_app()
    validators = {operation: oracle(operation) for operation in VALID}
    table = list(cases())
    assert len(table) >= 1000
    failures: list[str] = []

    async def run() -> None:
        for n, (operation, body, door_invalid) in enumerate(table):
            account = A if n % 2 else B  # both tenants, interleaved
            raw = json.dumps(body).encode()  # ASCII: a lone surrogate is sent as its \u escape
            reply = await call(app, account, operation, raw)
            invalid = door_invalid or not validators[operation].is_valid(body)
            if reply.status != 200:
                failures.append(f"HTTP {reply.status}: {operation} {raw[:200]!r}")
            elif reply.code == INTERNAL_ERROR:
                failures.append(f"5001, a bug of the sandbox: {operation} {raw[:200]!r}")
            elif invalid and reply.code == 0:
                failures.append(f"retCode 0 to an invalid request: {operation} {raw[:200]!r}")

    asyncio.run(run())
    assert not failures, f"{len(failures)} of {len(table)}:\n" + "\n".join(failures[:30])


RAW_BODIES: list[bytes] = [
    b"",
    b" ",
    b"null",
    b"[]",
    b"1",
    b'"s"',
    b"{",
    b"{}",
    b'{"a":NaN}',
    b'{"a":Infinity}',
    b'{"a":-Infinity}',
    b'{"page":1e400}',
    b'{"page":' + b"9" * 5000 + b"}",
    b"\xff\xfe{}",
    b"\xef\xbb\xbf{}",
    b'{"productID":"\xc3\x28"}',
    b'{"productID":"callbot","data":"\\ud800"}',
    b'{"productID":"callbot","data":"\\udfff\\ud800"}',
    b'{"\\ud800":1}',
    b'{"productID":"callbot","data":"\xed\xa0\x80"}',  # a surrogate encoded as UTF-8 bytes: not UTF-8
    b'{"\xed\xb0\x80":1}',
    b"[" * 100_000 + b"]" * 100_000,
    # UTF-16 and UTF-32 hide a \ud800 escape from a byte search: only UTF-8 is read.
    '{"productID":"callbot","data":"\\ud800x"}'.encode("utf-16-le"),
    '{"productID":"callbot","data":"\\ud800x"}'.encode("utf-16"),
    '{"productID":"callbot","data":"\\ud800x"}'.encode("utf-32"),
    # Integers past 64 bits (one of 4,300 digits, accepted, made the task's lists fail for good).
    b'{"productID":"callbot","userTaskID":"big","sceneID":"s","taskCreateSetting":{"maxRingTime":'
    + b"9" * 4300
    + b',"maxCall":3}}',
    b'{"productID":"callbot","page":9223372036854775808,"size":1,"queryConditions":{}}',
    b'{"productID":"callbot","page":1e300,"size":1,"queryConditions":{}}',
    # 1 MB of empty arrays: over 300,000 JSON values (one per 3 bytes), refused before decoding.
    b'{"productID":"callbot","data":"x","j":[' + b"[]," * 330_000 + b"[]]}",
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"productID":"callbot","page":1.0,"size":1.0,"queryConditions":{}}',
]


#: The spec's ranges (``info``'s assumption): a field the spec types ``format: int64`` holds a signed 64-bit
#: integer, ``format: double`` a finite number; a key the spec does not name may hold any number.
def _int64(value: object) -> bool:
    return not isinstance(value, int | float) or isinstance(value, bool) or -(2**63) <= value <= 2**63 - 1


def _double(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


RANGES = FormatChecker()
RANGES.checkers["int64"] = (_int64, ())
RANGES.checkers["double"] = (_double, ())


@functools.cache
def request_validator(operation: str) -> Draft202012Validator:
    """The validator of ``operation``'s request body, made once (making it is most of a check's cost)."""
    registry: Registry[Any] = Registry().with_resource("urn:spec", DRAFT202012.create_resource(load_spec()))
    schema = {"$ref": "urn:spec" + request_schema_pointer(API + operation)}
    return Draft202012Validator(schema, registry=registry, format_checker=RANGES)


@functools.cache
def decoded(raw: bytes) -> tuple[bool, Any]:
    """(whether ``raw`` is UTF-8 JSON, its value), once per body: the 100,000-deep array takes a while."""
    try:
        return True, json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return False, None


def spec_valid(operation: str, raw: bytes) -> bool:
    """Whether ``raw`` is a request the spec allows for ``operation`` (UTF-8 JSON, its schema, its formats'
    ranges): the sandbox may carry such a request out (retCode 0), and must refuse anything else."""
    is_json, body = decoded(raw)
    return is_json and bool(request_validator(operation).is_valid(body))


def test_raw_bodies_headers_and_encodings_get_a_ret_code() -> None:
    sandbox = fresh_sandbox()
    app = sandbox.asgi_app()
    body = json.dumps(VALID["listTask"]).encode()
    failures: list[str] = []

    def check(what: str, reply: Reply, *, zero_ok: bool = False) -> None:
        if reply.status != 200:
            failures.append(f"HTTP {reply.status}: {what}")
        elif reply.code == INTERNAL_ERROR:
            failures.append(f"5001, a bug of the sandbox: {what}")
        elif not zero_ok and reply.code == 0:
            failures.append(f"retCode 0: {what}")

    async def run() -> None:
        for operation in VALID:
            for raw in RAW_BODIES:
                zero_ok = spec_valid(operation, raw)
                check(f"{operation} {raw[:60]!r}", await call(app, A, operation, raw), zero_ok=zero_ok)
        good = dict(signed_headers(A, body))
        variants: dict[str, list[tuple[bytes, bytes]]] = {}
        for name in (b"requestid", b"uuid", b"createts", b"sign", b"algorithm"):
            variants[f"duplicated {name!r}"] = [*good.items(), (name, good[name])]
            variants[f"missing {name!r}"] = [(k, v) for k, v in good.items() if k != name]
            variants[f"non-ASCII {name!r}"] = [(k, v + b"\xe9" if k == name else v) for k, v in good.items()]
            variants[f"empty {name!r}"] = [(k, b"" if k == name else v) for k, v in good.items()]
        variants["sign lower case"] = [(k, v.lower() if k == b"sign" else v) for k, v in good.items()]
        variants["createTs not a number"] = [(k, b"1e9" if k == b"createts" else v) for k, v in good.items()]
        variants["createTs far off"] = [(k, b"1" if k == b"createts" else v) for k, v in good.items()]
        variants["text/plain"] = [(k, b"text/plain" if k == b"content-type" else v) for k, v in good.items()]
        for encoding in (b"gzip", b"deflate", b"br", b"gzip, gzip"):
            variants[f"content-encoding {encoding!r}"] = [*good.items(), (b"content-encoding", encoding)]
        variants["content-length not a number"] = [*good.items(), (b"content-length", b"x")]
        variants["content-length a superscript digit"] = [*good.items(), (b"content-length", "²".encode("latin-1"))]
        variants["content-length 5,000 digits"] = [*good.items(), (b"content-length", b"9" * 5000)]
        variants["content-length huge"] = [*good.items(), (b"content-length", b"9" * 30)]
        for what, headers in variants.items():  # the algorithm header is optional: leaving it out is fine
            check(what, await send(app, API + "listTask", headers, [body]), zero_ok=what == "missing b'algorithm'")
        advances = {b"": 2, b"{}": 2, b'{"seconds":Infinity}': 3, b'{"seconds":NaN}': 3, b'{"seconds":-1}': 4}
        advances |= {b'{"seconds":"1"}': 3, b'{"seconds":1e400}': 4, b'{"seconds":true}': 3, b"[1]": 3}
        advances |= {b'{"seconds":' + b"9" * 400 + b"}": 4, b'{"seconds":1}{': 3}
        for raw, code in advances.items():  # /_sandbox/advance is signed, and its body checked like an operation's
            reply = await send(app, "/_sandbox/advance", signed_headers(A, raw), [raw])
            if (reply.status, reply.code) != (200, code):
                failures.append(f"/_sandbox/advance {raw[:40]!r}: HTTP {reply.status}, {reply.body[:100]!r}")
        unsigned = await send(app, "/_sandbox/advance", [], [b'{"seconds":1}'])
        if (unsigned.status, unsigned.code) != (200, 6001):
            failures.append(f"/_sandbox/advance unsigned: HTTP {unsigned.status}, {unsigned.body[:100]!r}")
        for operation, valid_body in (("ping", VALID["ping"]), ("createTask", VALID["createTask"])):
            if (await call(app, A, operation, valid_body)).code != 0:  # and the sandbox still works
                failures.append(f"{operation} fails after the advance cases")

    asyncio.run(run())
    assert not failures, "\n".join(failures[:40])
