"""The baseline of the per-call comparisons (sections 2 and 5): what a careful user writes with bare httpx and
hashlib, without this package.

Per call, as the client must: a fresh requestID (uuid4 hex) and createTs, the sign over the exact body bytes,
the POST of the same body the client posts, then the answer's sign checked (one hash of its body, a
constant-time compare) and one ``json.loads``. Nothing of ``callbot_signing`` is used, so the baseline pays for
no layer of this package. It is httpx's default client (``httpx.Client()``): it parses every answer for
cookies, which ``Callbot`` and ``connect()`` do not (they keep no cookies unless asked); that saving is the
client's own, measured, not given away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from uuid import uuid4

import httpx


class BareSigned:
    """Signed calls with bare httpx and hashlib (MD5), sync and async."""

    def __init__(self, uuid: str, secret: str) -> None:
        self.uuid = uuid
        self.key = f"{secret}&body=".encode()

    def _sign(self, body: bytes, create_ts: str, request_id: str, uuid: str) -> str:
        tail = f"&createTs={create_ts}&requestID={request_id}&uuid={uuid}".encode()
        return hashlib.md5(self.key + body + tail).hexdigest().upper()

    def headers(self, body: bytes) -> dict[str, str]:
        request_id, create_ts = uuid4().hex, str(int(time.time()))
        return {
            "Content-Type": "application/json",
            "requestID": request_id,
            "uuid": self.uuid,
            "createTs": create_ts,
            "algorithm": "MD5",
            "sign": self._sign(body, create_ts, request_id, self.uuid),
        }

    def checked(self, response: httpx.Response) -> Any:
        """The answer's JSON once its sign is checked (a hash of the body it came with)."""
        content, headers = response.content, response.headers
        expected = self._sign(content, headers["createTs"], headers["requestID"], headers["uuid"])
        if not hmac.compare_digest(expected, headers["sign"]):
            raise ValueError("the answer's sign does not match")
        return json.loads(content)

    def call(self, client: httpx.Client, url: str, body: bytes) -> Any:
        return self.checked(client.post(url, content=body, headers=self.headers(body)))

    async def acall(self, client: httpx.AsyncClient, url: str, body: bytes) -> Any:
        return self.checked(await client.post(url, content=body, headers=self.headers(body)))
