"""A loopback server that answers every POST with one pre-built body, signed for the request's requestID.

Run by ``bench/listcall_end_to_end.py`` and ``bench/iter_pages.py`` in its own process:
``python -m bench.listcall_server BODY_FILE UUID SECRET [MORE_BODY_FILES...]``. With several bodies, page N of a
request (its JSON ``page``) is answered with body (N - 1) modulo their number. It prints its port on stdout once
listening. Signing 10 MB per request would cost the server ~16 ms of
MD5; instead the hash of ``{secret}&body={body}`` is computed once and copied per answer, so the server
spends microseconds per answer on signing and the client side is what gets measured.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from callbot_signing import sign


def main() -> None:
    body_file, uuid, secret = sys.argv[1:4]
    bodies = []
    for name in [body_file, *sys.argv[4:]]:
        with open(name, "rb") as f:
            bodies.append(f.read())
    prefixes = [hashlib.md5(f"{secret}&body=".encode() + body) for body in bodies]

    def signed(page: int, create_ts: str, request_id: str) -> str:
        hasher = prefixes[page].copy()
        hasher.update(f"&createTs={create_ts}&requestID={request_id}&uuid={uuid}".encode())
        return hasher.hexdigest().upper()

    assert signed(0, "1", "r") == sign(secret, bodies[0], "1", "r", uuid)  # the shortcut is the real signature

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            request = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            page = (json.loads(request).get("page", 1) - 1) % len(bodies) if len(bodies) > 1 else 0
            body = bodies[page]
            request_id = self.headers.get("requestID", "")
            create_ts = str(int(time.time()))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("requestID", request_id)
            self.send_header("uuid", uuid)
            self.send_header("createTs", create_ts)
            self.send_header("algorithm", "MD5")
            self.send_header("sign", signed(page, create_ts, request_id))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
