"""Helpers shared by the rule tests: the documented signing rule written out, and signed messages built
with it. Nothing here calls the code under test, so it can serve as the tests' oracle."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from callbot_client.api.orders import stop_order
from callbot_client.models import (
    StopOrderRequest,
)
from callbot_signing import RetryPolicy, connect

UUID = "rules-uuid"
SECRET = "rules-secret-key"
NOW = 1_800_000_000


def documented_sign(secret: str, body: bytes, ts: str, request_id: str, uuid: str, algorithm: str) -> str:
    """The wiki's rule, written independently of the package: one string, hashed, upper-case hex."""
    raw = secret.encode() + b"&body=" + body + f"&createTs={ts}&requestID={request_id}&uuid={uuid}".encode()
    return hashlib.new({"MD5": "md5", "SHA256": "sha256"}[algorithm.upper()], raw).hexdigest().upper()


def signed_headers(
    body: bytes,
    *,
    request_id: str = "req-1",
    uuid: str = UUID,
    ts: int | str = NOW,
    algorithm: str = "MD5",
    secret: str = SECRET,
) -> dict[str, str]:
    """The four signed headers of a genuine message (no algorithm header, as the platform sends them)."""
    return {
        "requestID": request_id,
        "uuid": uuid,
        "createTs": str(ts),
        "sign": documented_sign(secret, body, str(ts), request_id, uuid, algorithm),
    }


ORDER: dict[str, Any] = {
    "orderID": "o-1",
    "userPhone": "8613800000000",
    "userName": "Li",
    "sceneID": "s-1",
    "userTaskID": "t-1",
    "taskID": "T1",
    "finish": True,
    "other": "ref",
}
CALL: dict[str, Any] = {
    "callID": "c-1",
    "callStatus": 1,
    "callStartTs": 100,
    "callAnswerTs": 105,
    "callEndTs": 160,
    "callDuration": 55,
    "intents": [{"intentID": "i", "intentTag": "A", "intentName": "yes", "intentLevel": 1}],
    "agent": {"agentName": None, "manualHangupBy": 0},
}
#: One payload of each callback kind, as the wiki's examples send them.
PAYLOADS: dict[str, dict[str, Any]] = {
    "call": {"callbackType": 1, **ORDER, "callInfoDetail": CALL},
    "order": {"callbackType": "1", **ORDER, "callInfoDetail": CALL},
    "task": {
        "callbackType": 1,
        "userTaskID": "t-1",
        "taskID": "T1",
        "sceneID": "s-1",
        "taskStatus": 3,
        "createTs": 99,
        "taskStat": {
            "answerOrderCount": 1,
            "finishOrderCount": 2,
            "totalOrderCount": 2,
            "finishRate": 1.0,
            "totalAnswerCall": 1,
            "totalCall": 3,
            "answerRate": 0.33,
        },
    },
}


def callback(kind: str, **signing: Any) -> tuple[dict[str, str], bytes]:
    """A genuine callback of ``kind``: its signed headers and body."""
    body = json.dumps(PAYLOADS[kind], ensure_ascii=False).encode()
    return signed_headers(body, **signing), body


#: The account of the webhook tests (and of the README's receiver).
WEBHOOK_UUID = "hook-uuid"
WEBHOOK_SECRET = "hook-secret-key"


def delivery(
    payload: dict[str, Any], *, algorithm: str = "MD5", age: int = 0, request_id: str = "hook-req-1"
) -> tuple[dict[str, str], bytes]:
    """Headers and body as the platform sends a callback now (no algorithm header, per the pages)."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    ts = str(int(time.time()) - age)
    headers = {
        "requestID": request_id,
        "uuid": WEBHOOK_UUID,
        "createTs": ts,
        "sign": documented_sign(WEBHOOK_SECRET, body, ts, request_id, WEBHOOK_UUID, algorithm),
    }
    return headers, body


#: The repository's root, for the docs and the spec.
REPO = Path(__file__).resolve().parent.parent
_DOC_BLOCK = re.compile(
    r"^(?:<!-- block: (?P<name>[\w-]+) -->\n)?```(?P<language>[\w-]*)\n(?P<code>.*?)^```$", re.DOTALL | re.MULTILINE
)


@dataclass(frozen=True)
class DocBlock:
    """A fenced code block of the docs: its ``<!-- block: NAME -->`` name, file, language and code."""

    name: str
    path: str  # relative to the repository
    language: str
    code: str


def doc_files() -> list[Path]:
    """The files whose code blocks are tested: the README, CONTRIBUTING.md and every page of docs/."""
    return [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]


def doc_blocks() -> dict[str, DocBlock]:
    """Every fenced code block of the docs by its name; a block without a ``<!-- block: NAME -->`` line before
    it, or a name used twice, fails."""
    found: dict[str, DocBlock] = {}
    for file in doc_files():
        where = file.relative_to(REPO).as_posix()
        for match in _DOC_BLOCK.finditer(file.read_text(encoding="utf-8")):
            assert match["name"], f"a code block of {where} has no <!-- block: NAME --> line:\n{match['code'][:200]}"
            assert match["name"] not in found, f"{where}: block {match['name']!r} is in {found[match['name']].path} too"
            found[match["name"]] = DocBlock(match["name"], where, match["language"], match["code"])
    return found


def run_doc_block(name: str, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Execute the docs' python block ``name`` as written; return its namespace."""
    block = doc_blocks()[name]
    assert block.language == "python", f"{block.path}: block {name!r} is {block.language!r}, not python"
    namespace = {} if namespace is None else namespace
    exec(compile(block.code, f"{block.path}:{name}", "exec"), namespace)
    return namespace


run_readme_block = run_doc_block  # the name the CLI tests use for the webhook receiver's block


#: How a consumer of the installed package sees it under ``mypy --strict``: errors inside the generated
#: modules (the generator's own code, e.g. its client's __exit__) are not the consumer's, but the operations
#: module, where the consumer's types come from, must be clean.
CONSUMER_MYPY_CONFIG = """\
[mypy]
strict = True
python_version = 3.11
[mypy-callbot_client.*]
ignore_errors = True
[mypy-callbot_client.api]
ignore_errors = False
"""


def mypy_strict(folder: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``mypy --strict`` as a consumer would over ``files`` in ``folder`` (their own cache, no daemon)."""
    (folder / "mypy.ini").write_text(CONSUMER_MYPY_CONFIG, encoding="utf-8")
    env = {
        **os.environ,
        "MYPYPATH": os.pathsep.join(str(REPO / part) for part in ("generated", "signing", "sandbox", "cli")),
    }
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(folder / ".mypy_cache"),
         "--show-error-codes", "--no-error-summary", *files],
        cwd=folder, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


# --- the fault tests' client: a stopOrder call against a MockTransport, answers signed as the service signs -----

FAULT_UUID = "fault-uuid"
FAULT_SECRET = "fault-secret-key-do-not-leak"
FAULT_POLICY = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.002)
FAULT_BODY = StopOrderRequest(user_task_id="t", order_ids=["o-1"])
Handler = Callable[[httpx.Request], httpx.Response]


def reply(request: httpx.Request, body: bytes, *, signed: bool = True, **headers: str) -> httpx.Response:
    """An answer signed as the service signs, unless ``signed`` is False; ``headers`` override."""
    out = {"requestID": request.headers["requestID"], "uuid": FAULT_UUID, "createTs": str(int(time.time()))}
    if signed:
        out["sign"] = documented_sign(FAULT_SECRET, body, out["createTs"], out["requestID"], FAULT_UUID, "MD5")
    out.update(headers)
    return httpx.Response(200, content=body, headers=out)


def envelope(ret_code: int, **extra: Any) -> bytes:
    return json.dumps({"retCode": ret_code, "retMsg": f"msg {ret_code}", "responseID": "resp-1", **extra}).encode()


class Counting:
    """A MockTransport handler that counts attempts and keeps the requestIDs and signs it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.request_ids: list[str] = []
        self.signs: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.request_ids.append(request.headers["requestID"])
        self.signs.append(request.headers["sign"])
        return self.handler(request)


def mock_client(handler: Handler, policy: RetryPolicy = FAULT_POLICY, **options: Any) -> Any:
    transport = httpx.MockTransport(handler)
    return connect(
        "http://127.0.0.1:9",
        FAULT_UUID,
        FAULT_SECRET,
        retry_policy=policy,
        httpx_args={"transport": transport},
        **options,
    )


def call_stop_order(client: Any) -> Any:
    with client:
        return stop_order.sync(client=client, body=FAULT_BODY)


def driven(result: Any) -> tuple[int, Any]:
    """(how many times a sandbox operation let the event loop run, its answer): an operation's result is its
    answer, or a generator that yields between chunks of work and returns it."""
    if isinstance(result, dict):
        return 0, result
    steps = 0
    try:
        while True:
            next(result)
            steps += 1
    except StopIteration as done:
        return steps, done.value
