"""An HTTP proxy on 127.0.0.1 in front of a sandbox that loses addBatchCall answers on purpose.

Each addBatchCall request is numbered (1, 2, ... in arrival order) and handled by ``plan[number]``:
``"drop_after"`` forwards it (the sandbox carries the batch out) and then closes the connection without a
word; ``"drop_before"`` closes it without forwarding; ``"hang_after"`` forwards it, sets ``hung`` and holds the
connection until ``release`` is set (the test kills the client meanwhile); ``"refuse_after"`` forwards it and
answers the client an unsigned refusal (retCode 6) of its own, ``"refuse_before"`` answers that refusal
without forwarding (a forging intermediary); ``"unavailable_after"`` forwards it and answers HTTP 503 (what a
load balancer says when it did not forward). Other requests pass through.
``sent`` counts every orderID that reached the proxy, ``carried`` every orderID the sandbox accepted; both
are final once the proxy is closed (closing waits for the requests in progress).
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

HOLD_LIMIT = 30.0  # seconds a hang_after request is held at most
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "accept-encoding", "content-length"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: DroppingProxy

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action, ids = self.server.arrived(self.path, body)
        if action == "drop_before":
            self.close_connection = True
            return
        if action == "refuse_before":
            self._forged_refusal()
            return
        upstream = http.client.HTTPConnection(self.server.upstream.host, self.server.upstream.port, timeout=60)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_BY_HOP}
        upstream.request("POST", self.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        if ids:
            self.server.carried_out(ids, data)
        if action == "drop_after":
            self.close_connection = True
            return
        if action == "hang_after":
            self.server.hung.set()
            self.server.release.wait(HOLD_LIMIT)
            self.close_connection = True
            return
        if action == "refuse_after":
            self._forged_refusal()
            return
        if action == "unavailable_after":
            self.send_response_only(503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(UNAVAILABLE)))
            self.end_headers()
            self.wfile.write(UNAVAILABLE)
            return
        self.send_response_only(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _forged_refusal(self) -> None:
        body = FORGED_REFUSAL
        self.send_response_only(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


UNAVAILABLE = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"

#: An unsigned "incorrect signature" refusal, as an intermediary would forge it.
FORGED_REFUSAL = b'{"retCode":6,"retMsg":"incorrect signature","responseID":"forged-by-proxy"}'


class DroppingProxy(ThreadingHTTPServer):
    # Closing the proxy waits for the requests it is handling: their counts are final afterwards.
    daemon_threads = False
    block_on_close = True

    def __init__(self, upstream: str, plan: dict[int, str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = httpx.URL(upstream)
        self.plan = plan
        self.batches = 0
        self.sent: Counter[str] = Counter()
        self.carried: Counter[str] = Counter()
        self.hung = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (killed, or it gave up) is part of the tests: not worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)

    def arrived(self, path: str, body: bytes) -> tuple[str | None, list[str]]:
        if not path.endswith("/addBatchCall"):
            return None, []
        ids = [order["orderID"] for order in json.loads(body)["callInfoList"]["callList"]]
        with self._lock:
            self.batches += 1
            self.sent.update(ids)
            return self.plan.get(self.batches), ids

    def carried_out(self, ids: list[str], answer: bytes) -> None:
        refused = {error["orderID"] for error in json.loads(answer).get("errList", [])}
        with self._lock:
            self.carried.update(order_id for order_id in ids if order_id not in refused)


@contextmanager
def dropping_proxy(upstream: str, plan: dict[int, str]) -> Iterator[DroppingProxy]:
    proxy = DroppingProxy(upstream, plan)
    thread = threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.release.set()
        proxy.shutdown()
        proxy.server_close()
