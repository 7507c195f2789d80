"""Raw HTTP/1.1 servers on 127.0.0.1 for the answer-bounds and close() tests: a keep-alive server that refuses a
number of requests in a chosen way and then answers normally, a server that sends an answer in chunks as small
as it likes, a server that reads an upload very slowly, and a server that reads requests and never answers.

Each runs in daemon threads, bounds every loop in count and time, and closes every socket it accepted when
the ``with`` block ends (so that a client that leaked a connection cannot keep a thread alive).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ._support import FAULT_SECRET, FAULT_UUID, documented_sign

#: A stopOrder answer that fits the spec.
STOP_ORDER_ANSWER = json.dumps(
    {"retCode": 0, "retMsg": "", "responseID": "r-1", "totalCount": 1, "successCount": 1, "errList": []}
).encode()

#: Seconds any server socket waits for the other side before giving up on it.
SOCKET_TIMEOUT = 10.0


def signed_answer(request_id: str, body: bytes = STOP_ORDER_ANSWER, *, extra: bytes = b"") -> bytes:
    """A whole 200 answer to ``request_id``, signed with the fault-test account's key."""
    ts = str(int(time.time()))
    sign = documented_sign(FAULT_SECRET, body, ts, request_id, FAULT_UUID, "MD5")
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"requestID: {request_id}\r\nuuid: {FAULT_UUID}\r\ncreateTs: {ts}\r\nsign: {sign}\r\n"
    ).encode()
    return head + extra + b"\r\n" + body


def _read_request(conn: socket.socket, pending: bytes) -> tuple[dict[str, str], bytes] | None:
    """The next request's headers (lower-case names) and what came after its body; None once the peer left."""
    data = pending
    for _ in range(10_000):
        if b"\r\n\r\n" in data:
            break
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    else:
        return None
    head, _, rest = data.partition(b"\r\n\r\n")
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    length = int(headers.get("content-length", "0"))
    for _ in range(100_000):
        if len(rest) >= length:
            break
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return headers, rest[length:]


#: What a refusing server sends: the whole reply (bytes) for a request's requestID.
Refusal = Callable[[str], bytes]


class RefusingServer:
    """Keep-alive HTTP/1.1 on 127.0.0.1: the first ``refusals`` requests get ``refuse(request_id)``, later ones
    a signed stopOrder answer. A refusal that leaves the answer unfinished (a Content-Length never sent) keeps
    its connection open until the client closes it."""

    def __init__(self, refuse: Refusal, refusals: int) -> None:
        self.refuse = refuse
        self.refusals = refusals
        self.hits = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=512)
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(SOCKET_TIMEOUT)
        pending = b""
        with contextlib.suppress(OSError), conn:
            for _ in range(10_000):
                request = _read_request(conn, pending)
                if request is None or self._stop.is_set():
                    return
                headers, pending = request
                request_id = headers.get("requestid", "")
                with self._lock:
                    self.hits += 1
                    refused = self.hits <= self.refusals
                conn.sendall(self.refuse(request_id) if refused else signed_answer(request_id))

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()


@contextmanager
def refusing_server(refuse: Refusal, refusals: int) -> Iterator[RefusingServer]:
    server = RefusingServer(refuse, refusals)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join(5)


@contextmanager
def chunk_server(head: bytes, block: bytes, *, answer_first: bool = False, seconds: float = 30.0) -> Iterator[str]:
    """Answers a request with ``head`` (status line and headers), then ``block`` over and over until the client
    hangs up or ``seconds`` pass. One request per connection, one connection at a time; with ``answer_first``,
    the first request gets a signed stopOrder answer instead (a client's warm-up call)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    answered = not answer_first

    def serve() -> None:
        nonlocal answered
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with contextlib.suppress(OSError), conn:
                conn.settimeout(SOCKET_TIMEOUT)
                request = _read_request(conn, b"")
                if request is None:
                    continue
                if not answered:
                    answered = True
                    conn.sendall(signed_answer(request[0].get("requestid", ""), extra=b"Connection: close\r\n"))
                    continue
                conn.sendall(head)
                deadline = time.monotonic() + seconds
                while time.monotonic() < deadline and not stop.is_set():
                    conn.sendall(block)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


@contextmanager
def slow_reader(
    *, bytes_per_read: int = 65536, pause: float = 0.03, receive_buffer: int | None = None, seconds: float = 30.0
) -> Iterator[str]:
    """Accepts connections and reads at most ``bytes_per_read`` every ``pause`` seconds (by default about
    2 MB/s: every single send of a client makes progress well within a second, yet a body of a few MB takes
    seconds) for at most ``seconds``; never answers. ``receive_buffer`` sets SO_RCVBUF."""
    listener = socket.socket()
    if receive_buffer is not None:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # inherited by accepted sockets
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    stop = threading.Event()

    def read_slowly(conn: socket.socket) -> None:
        deadline = time.monotonic() + seconds
        with contextlib.suppress(OSError), conn:
            conn.settimeout(SOCKET_TIMEOUT)
            while time.monotonic() < deadline and not stop.is_set():
                if not conn.recv(bytes_per_read):
                    return
                stop.wait(pause)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=read_slowly, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(5)


class SilentServer:
    """Accepts connections on 127.0.0.1 and reads what comes, never answering: every call through it waits for
    its timeout. It counts the whole HTTP requests received (``requests``), the connections that sent anything
    (``greeted``: a TLS client's hello counts) and those the client closed or shut down (``ended``); the
    ``wait_*`` methods poll those counts with a bound."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.1)  # a blocked accept() would not notice close(): poll the flag instead
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.port = self._listener.getsockname()[1]
        self.requests = self.greeted = self.ended = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        conn.settimeout(SOCKET_TIMEOUT)
        pending = b""
        with contextlib.suppress(OSError):
            for reads in range(100_000):
                chunk = conn.recv(65536)
                with self._lock:
                    self.ended += not chunk
                    self.greeted += bool(chunk) and reads == 0
                if not chunk:
                    return
                pending += chunk
                while b"\r\n\r\n" in pending:  # count the whole requests in what came so far
                    head, _, rest = pending.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value)
                    if len(rest) < length:
                        break
                    pending = rest[length:]
                    with self._lock:
                        self.requests += 1

    def _wait(self, what: str, count: int, seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while getattr(self, what) < count:
            assert time.monotonic() < deadline, f"{getattr(self, what)} of {count} {what} within {seconds} s"
            self._stop.wait(0.005)

    def wait_for_requests(self, count: int) -> None:
        """Until ``count`` whole requests came: their calls wait for the answer (or are about to)."""
        self._wait("requests", count)

    def wait_for_greetings(self, count: int) -> None:
        self._wait("greeted", count)

    def wait_for_ended(self, count: int, seconds: float = 10.0) -> None:
        """Until the client closed or shut down ``count`` connections."""
        self._wait("ended", count, seconds)

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()


@contextmanager
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()
