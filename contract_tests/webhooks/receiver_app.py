"""A receiver process for test_receiver_processes: ``uvicorn contract_tests.webhooks.receiver_app:app`` (ASGI)
or ``:wsgi`` (WSGI), its claims in the Redis of REDIS_URL, serving the accounts of _deliveries.

The handler's side effect is ``INCR effect:<requestID>`` in that Redis, done as the handler returns. A
requestID starting ``fail-`` raises on its first run; one starting ``slow-`` sets ``started:<requestID>`` and
then waits SLOW_SECONDS (long enough to be killed mid-handler) before its side effect."""

from __future__ import annotations

import os
import time

import redis
from callbot_client.models import OrderCallback
from callbot_signing import Delivery, RedisReplayStore, WebhookReceiver

from contract_tests.webhooks._deliveries import ACCOUNTS

client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
receiver = WebhookReceiver(
    ACCOUNTS,
    store=RedisReplayStore(client, prefix="procs:"),
    lease=float(os.environ.get("LEASE", "30")),
    busy_wait=float(os.environ.get("BUSY_WAIT", "0.2")),
)
SLOW_SECONDS = float(os.environ.get("SLOW_SECONDS", "60"))


@receiver.on("order")
def handle(delivery: Delivery[OrderCallback]) -> None:
    rid = delivery.request_id
    if rid.startswith("fail-") and client.incr(f"runs:{rid}") == 1:
        raise RuntimeError("the first run of this delivery fails")
    if rid.startswith("slow-"):
        client.set(f"started:{rid}", os.getpid())
        time.sleep(SLOW_SECONDS)
    client.incr(f"effect:{rid}")


app = receiver.asgi_app()
wsgi = receiver.wsgi_app()


def serve_wsgi(port: int) -> None:
    """``wsgi`` under the stdlib's WSGI server, a thread per request: ``python -m ...receiver_app PORT``."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    with make_server("127.0.0.1", port, wsgi, ThreadingWSGIServer, QuietHandler) as server:
        server.serve_forever()


if __name__ == "__main__":
    import sys

    serve_wsgi(int(sys.argv[1]))
