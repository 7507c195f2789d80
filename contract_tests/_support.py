"""Helpers shared by the rule tests: the documented signing rule written out, and signed messages built
with it. Nothing here calls the code under test, so it can serve as the tests' oracle."""

from __future__ import annotations

import hashlib
import json
from typing import Any

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
