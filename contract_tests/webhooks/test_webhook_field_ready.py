"""Receiving webhooks in the field (issue 19): accounts sharing a replay guard never starve each other, the
header container of any framework and any bytes-like body are taken as they come, a setting that would
switch a bound off is refused, and `callbot webhook verify` refuses bad input with exit 2 and one line."""

from __future__ import annotations

import array
import email
import email.message
import http.client
import io
import json
import math
import pickle
import threading
import time
import wsgiref.headers
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from callbot_cli import main
from callbot_signing import (
    InvalidWebhookError,
    MemoryReplayStore,
    ReplayGuard,
    ReplayGuardFullError,
    ReplayStore,
    ScopedReplayStore,
    SignatureError,
    parse_webhook,
    verify_response,
    verify_webhook,
)
from callbot_signing.wire import verify_signed_message
from starlette.datastructures import Headers as StarletteHeaders

from .._support import PAYLOADS, documented_sign

NOW = 1_800_000_000
#: Two accounts served by one receiver; B holds its own key and signs whatever it likes.
A = ("acct-a-uuid", "acct-a-secret")
B = ("acct-b-uuid", "acct-b-secret")
#: What MemoryReplayStore counts per requestID besides its bytes (documented in its module).
OVERHEAD = 256
ID_CHARS = 16


def signed(
    account: tuple[str, str], request_id: str = "r" * ID_CHARS, *, create_ts: int = NOW, body: bytes | None = None
) -> tuple[list[tuple[str, str]], bytes]:
    uuid, secret = account
    raw = json.dumps(PAYLOADS["call"]).encode() if body is None else body
    sign = documented_sign(secret, raw, str(create_ts), request_id, uuid, "MD5")
    return [("requestID", request_id), ("uuid", uuid), ("createTs", str(create_ts)), ("sign", sign)], raw


def receive(account: tuple[str, str], headers: Any, body: Any, **options: Any) -> Any:
    uuid, secret = account
    return parse_webhook(headers, body, **{"uuid": uuid, "secret_key": secret, "now": NOW, **options})


# --- 1. a replay guard shared by several accounts --------------------------------------------------------


def test_an_account_filling_its_share_of_a_shared_guard_never_refuses_another_accounts_deliveries() -> None:
    share = 20  # requestIDs of ID_CHARS characters per account
    guard = ReplayGuard(max_bytes=share * (OVERHEAD + ID_CHARS))
    full: ReplayGuardFullError | None = None
    started = time.monotonic()
    for n in range(10 * share):  # B signs deliveries of its own until its share is full (bounded in count and time)
        assert time.monotonic() - started < 5
        try:
            receive(B, *signed(B, f"b-{n:0{ID_CHARS - 2}d}"), replay_guard=guard)
        except ReplayGuardFullError as exc:
            full = exc
            break
    assert full is not None and n == share
    assert full.account == B[0] and full.request_id == f"b-{n:0{ID_CHARS - 2}d}"
    assert f"the share of account {B[0]!r} in the replay guard is full ({share} requestIDs" in str(full)
    assert "other accounts' shares are not affected" in str(full)

    for n in range(share):  # A's genuine deliveries all get in: its whole share is its own
        receive(A, *signed(A, f"a-{n:0{ID_CHARS - 2}d}"), replay_guard=guard)
    with pytest.raises(SignatureError) as replayed:
        receive(A, *signed(A, f"a-{0:0{ID_CHARS - 2}d}"), replay_guard=guard)
    assert replayed.value.rule == "replay"
    with pytest.raises(ReplayGuardFullError) as a_full:  # A is bounded the same way
        receive(A, *signed(A, "a-one-too-many"), replay_guard=guard)
    assert a_full.value.account == A[0]
    with pytest.raises(SignatureError) as b_replayed:  # a full share still tells a replay apart
        receive(B, *signed(B, f"b-{0:0{ID_CHARS - 2}d}"), replay_guard=guard)
    assert b_replayed.value.rule == "replay"


def test_a_shared_guard_stays_under_max_accounts_times_max_bytes_and_frees_an_accounts_place_when_it_expires() -> None:
    store = MemoryReplayStore(2 * (OVERHEAD + ID_CHARS), max_accounts=5)
    guard = ReplayGuard(store)
    assert store.max_total_bytes == 5 * 2 * (OVERHEAD + ID_CHARS)
    for account in range(5):
        for n in range(3):
            try:
                guard.check_and_remember(f"{account}-{n:0{ID_CHARS - 2}d}", NOW, create_ts=NOW, scope=f"acct-{account}")
            except ReplayGuardFullError as exc:
                assert (exc.account, n) == (f"acct-{account}", 2)
    assert store.used_bytes == store.max_total_bytes and store.accounts == 5 and len(store) == 10
    with pytest.raises(ReplayGuardFullError) as caught:
        guard.check_and_remember("x" * ID_CHARS, NOW, create_ts=NOW, scope="acct-new")
    assert caught.value.account == "acct-new" and "max_accounts=5" in str(caught.value)
    assert store.accounts == 5  # a refused account takes no place
    later = NOW + 301  # every entry so far has expired: their accounts give their places back
    guard.check_and_remember("x" * ID_CHARS, later, create_ts=later, scope="acct-new")
    assert store.accounts == 1 and len(store) == 1


def test_a_default_guard_gives_each_account_served_its_own_share_however_many_there_are() -> None:
    """Only a verified delivery takes a share, so the accounts are those the receiver holds keys of: the
    default guard caps them no more (16 did, and the 17th account was refused until a whole share expired)."""
    guard = ReplayGuard()
    accounts = [(f"acct-{n:02d}-uuid", f"acct-{n:02d}-secret") for n in range(40)]
    for account in accounts:
        receive(account, *signed(account), replay_guard=guard)  # the same requestID: one per account
    store = guard.store
    assert isinstance(store, MemoryReplayStore) and store.accounts == 40 and len(store) == 40
    assert store.max_accounts is None and store.max_total_bytes is None  # the bound: 40 x max_bytes
    assert store.used_bytes <= store.accounts * store.max_bytes
    with pytest.raises(SignatureError):  # each still refuses its own replays
        receive(accounts[-1], *signed(accounts[-1]), replay_guard=guard)


class UnscopedStore:
    """A custom store written before accounts had shares: add_if_absent only, with room for one entry."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
        if request_id in self.keys:
            return False
        if self.keys:
            raise ReplayGuardFullError("full", request_id=request_id)
        self.keys.append(request_id)
        return True


def test_a_store_that_knows_no_accounts_still_works_and_its_full_error_names_the_delivery_and_account() -> None:
    store = UnscopedStore()
    assert isinstance(store, ReplayStore) and not isinstance(store, ScopedReplayStore)
    guard = ReplayGuard(store)
    receive(A, *signed(A, "first"), replay_guard=guard)
    assert store.keys == [f"{A[0]}\x00first"]  # the account is kept apart in the key, as before
    with pytest.raises(SignatureError):
        receive(A, *signed(A, "first"), replay_guard=guard)
    with pytest.raises(ReplayGuardFullError) as caught:
        receive(A, *signed(A, "second"), replay_guard=guard)
    assert (caught.value.request_id, caught.value.account) == ("second", A[0])
    restored = pickle.loads(pickle.dumps(caught.value))
    assert (restored.request_id, restored.account) == ("second", A[0])


def test_a_scoped_store_is_given_the_account_apart_from_the_request_id() -> None:
    class Scoped:
        def __init__(self) -> None:
            self.calls: list[tuple[str, str]] = []

        def add_if_absent(self, request_id: str, expires_at: float, now: float) -> bool:
            self.calls.append(("", request_id))
            return True

        def add_if_absent_scoped(self, scope: str, request_id: str, expires_at: float, now: float) -> bool:
            self.calls.append((scope, request_id))
            return True

    store = Scoped()
    assert isinstance(store, ScopedReplayStore)
    receive(A, *signed(A, "r1"), replay_guard=ReplayGuard(store))
    ReplayGuard(store).check_and_remember("r2", NOW)
    assert store.calls == [(A[0], "r1"), ("", "r2")]


def test_a_guard_store_must_have_add_if_absent() -> None:
    with pytest.raises(TypeError, match=r"^store must be a ReplayStore"):
        ReplayGuard(object())  # type: ignore[arg-type]


# --- 2. any framework's header container, any bytes-like body -------------------------------------------

Pairs = list[tuple[str, str]]


def _http_server(pairs: Pairs) -> Any:  # what http.server's self.headers is: an email.message.Message
    raw = "".join(f"{name}: {value}\r\n" for name, value in pairs) + "\r\n"
    return http.client.parse_headers(io.BytesIO(raw.encode("latin-1")))


def _email_message(pairs: Pairs) -> Any:
    message = email.message.EmailMessage()
    for name, value in pairs:
        message[name] = value
    return message


class WerkzeugLike:
    """werkzeug's Headers as it matters here: getlist, iteration over pairs, not a Mapping."""

    def __init__(self, pairs: Pairs) -> None:
        self._pairs = list(pairs)

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)


class DjangoLike(Mapping[str, str]):
    """Django's request.headers (HttpHeaders): a case-insensitive mapping with one value per name."""

    def __init__(self, pairs: Pairs) -> None:
        self._store = {name.lower(): (name, value) for name, value in pairs}

    def __getitem__(self, key: str) -> str:
        return self._store[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)


class AiohttpLike:
    """aiohttp's CIMultiDictProxy as it matters here: getall(name, default), items()."""

    def __init__(self, pairs: Pairs) -> None:
        self._pairs = list(pairs)

    def getall(self, key: str, default: list[str]) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()] or default

    def items(self) -> Pairs:
        return list(self._pairs)


def _werkzeug(kind: str) -> Callable[[Pairs], Any]:
    def build(pairs: Pairs) -> Any:
        datastructures = pytest.importorskip("werkzeug.datastructures")
        if kind == "Headers":
            return datastructures.Headers(pairs)
        return datastructures.EnvironHeaders({"HTTP_" + name.upper(): value for name, value in pairs})

    return build


#: name -> (build the container from pairs, whether it can hold a name twice)
CONTAINERS: dict[str, tuple[Callable[[Pairs], Any], bool]] = {
    "http.server": (_http_server, True),
    "email.message_from_string": (
        lambda pairs: email.message_from_string("".join(f"{n}: {v}\n" for n, v in pairs) + "\n"),
        True,
    ),
    "email.EmailMessage": (_email_message, True),
    "wsgiref.headers.Headers": (lambda pairs: wsgiref.headers.Headers(list(pairs)), True),
    "starlette.Headers": (
        lambda pairs: StarletteHeaders(raw=[(n.lower().encode(), v.encode()) for n, v in pairs]),
        True,
    ),
    "werkzeug.Headers": (_werkzeug("Headers"), True),
    "werkzeug.EnvironHeaders": (_werkzeug("EnvironHeaders"), False),
    "werkzeug look-alike": (WerkzeugLike, True),
    "django look-alike": (DjangoLike, False),
    "aiohttp look-alike": (AiohttpLike, True),
    "httpx.Headers": (httpx.Headers, True),
    "dict": (dict, False),
    "list of str pairs": (list, True),
    "list of bytes pairs": (lambda pairs: [(n.encode(), v.encode()) for n, v in pairs], True),
    "tuple of pairs": (tuple, True),
    "one-shot iterator": (iter, True),
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_genuine_delivery_is_accepted_in_the_header_container_of_any_framework(container: str) -> None:
    build, _ = CONTAINERS[container]
    headers, body = signed(A)
    guard = ReplayGuard()
    event = receive(A, build(headers), body, replay_guard=guard)
    assert event.order_id == PAYLOADS["call"]["orderID"]
    with pytest.raises(SignatureError) as caught:  # the requestID was read and remembered
        receive(A, build(headers), body, replay_guard=guard)
    assert caught.value.rule == "replay"


@pytest.mark.parametrize("container", [name for name, (_, repeats) in CONTAINERS.items() if repeats])
@pytest.mark.parametrize("repeated", ["sign", "requestID", "createTs", "uuid"])
def test_a_signature_header_given_twice_is_refused_whatever_the_container(container: str, repeated: str) -> None:
    build, _ = CONTAINERS[container]
    headers, body = signed(A)
    other = {"sign": "0" * 32, "requestID": "other", "createTs": str(NOW - 1), "uuid": B[0]}[repeated]
    with pytest.raises(SignatureError) as caught:
        receive(A, build([*headers, (repeated, other)]), body)
    assert caught.value.rule == "duplicate_header"
    with pytest.raises(SignatureError) as forged_first:  # whichever comes first
        receive(A, build([(repeated, other), *headers]), body)
    assert forged_first.value.rule == "duplicate_header"


def test_a_dict_with_a_signature_header_under_two_casings_is_refused() -> None:
    headers, body = signed(A)
    with pytest.raises(SignatureError) as caught:
        receive(A, {**dict(headers), "SIGN": "0" * 32}, body)
    assert caught.value.rule == "duplicate_header"


def test_http_server_headers_are_taken_as_a_receiver_on_the_standard_library_gets_them() -> None:
    answers: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                receive(A, self.headers, body, now=None)
                status, text = 200, "ok"
            except SignatureError as exc:
                status, text = 400, exc.rule
            answers.append(text)
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text.encode())

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        headers, body = signed(A, create_ts=int(time.time()))
        with httpx.Client(timeout=10) as client:
            genuine = client.post(url, content=body, headers=headers)
            doubled = client.post(url, content=body, headers=[*headers, ("sign", "0" * 32)])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert (genuine.status_code, genuine.text) == (200, "ok")
    assert (doubled.status_code, doubled.text) == (400, "duplicate_header")


@pytest.mark.parametrize(
    "wrap",
    [
        bytes,
        bytearray,
        memoryview,
        lambda raw: memoryview(b"xx" + raw + b"yy")[2:-2],
        lambda raw: array.array("B", raw),
    ],
    ids=["bytes", "bytearray", "memoryview", "memoryview-slice", "array"],
)
def test_any_bytes_like_body_is_hashed_over_exactly_its_bytes(wrap: Callable[[bytes], Any]) -> None:
    headers, body = signed(A)
    assert receive(A, headers, wrap(body)).order_id == PAYLOADS["call"]["orderID"]
    verify_webhook(headers, wrap(body), uuid=A[0], secret_key=A[1], now=NOW)
    with pytest.raises(SignatureError) as caught:
        receive(A, headers, wrap(body + b" "))
    assert caught.value.rule == "sign_mismatch"


def test_a_wide_buffer_body_is_hashed_and_sized_in_bytes_not_items() -> None:
    raw = b"{}" + b" " * 42  # 44 bytes: 11 items of 4 bytes
    wide = array.array("I")
    wide.frombytes(raw)
    headers, _ = signed(A, body=raw)
    with pytest.raises(InvalidWebhookError, match=r"incomplete or malformed at \(the body\)"):
        receive(A, headers, memoryview(wide))  # its sign verified over the 44 bytes; then judged as a payload
    with pytest.raises(InvalidWebhookError, match="44 bytes, more than max_body_bytes=43"):
        receive(A, headers, memoryview(wide), max_body_bytes=43)  # refused unread


def test_a_str_body_is_a_type_error_saying_to_pass_the_raw_bytes() -> None:
    headers, body = signed(A)
    for call in (
        lambda: receive(A, headers, body.decode()),
        lambda: verify_webhook(headers, body.decode(), uuid=A[0], secret_key=A[1], now=NOW),  # type: ignore[arg-type]
        lambda: verify_response(headers, body.decode(), request_id="r", uuid=A[0], secret_key=A[1]),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError, match=r"^body must be the raw bytes of the request as received .*not str"):
            call()


@pytest.mark.parametrize("body", [None, 5, ["{}"], {"a": 1}, 1.5])
def test_a_body_that_is_not_bytes_like_is_a_type_error_naming_the_body(body: Any) -> None:
    with pytest.raises(TypeError, match=r"^body must be the raw bytes of the request \(bytes, bytearray or memoryv"):
        receive(A, signed(A)[0], body)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (None, r"^headers must be the request's header container"),
        (5, r"^headers must be the request's header container"),
        ("requestID: r", r"^headers must be the request's header container"),
        ({"createTs": NOW}, r"^headers: the value of 'createts' is a int; header names and values are str or bytes"),
        ([("sign",)], r"^headers must give \(name, value\) pairs, got an item of type tuple"),
        ([5], r"^headers must give \(name, value\) pairs, got an item of type int"),
        ({5: "x"}, r"^headers: a header name is a int"),
    ],
)
def test_headers_that_are_no_header_container_are_a_type_error_naming_the_headers(headers: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        receive(A, headers, signed(A)[1])


# --- 3. settings that would switch a bound off ----------------------------------------------------------

BAD_SECONDS = [math.nan, math.inf, -math.inf, -1, 0, True, "300", 10 * 366 * 86_400]
BAD_COUNTS = [math.nan, math.inf, 0, -5, True, 1.5, "4096"]


def _error_for(value: Any) -> type[Exception]:
    return TypeError if isinstance(value, bool | str) else ValueError


@pytest.mark.parametrize("value", BAD_SECONDS, ids=repr)
@pytest.mark.parametrize("verifier", ["parse_webhook", "verify_webhook", "verify_response"])
def test_a_clock_skew_that_is_not_a_finite_positive_number_of_seconds_is_refused(verifier: str, value: Any) -> None:
    headers, body = signed(A)
    options: dict[str, Any] = {"uuid": A[0], "secret_key": A[1], "max_clock_skew": value}
    with pytest.raises(_error_for(value), match=r"^max_clock_skew must be a"):
        if verifier == "verify_response":
            verify_response(headers, body, request_id="r", **options)
        else:
            (parse_webhook if verifier == "parse_webhook" else verify_webhook)(headers, body, **options)


def test_the_longest_windows_are_a_day_for_answers_and_a_year_for_webhooks() -> None:
    headers, body = signed(A, create_ts=NOW - 366 * 86_400)
    receive(A, headers, body, max_clock_skew=366 * 86_400)  # an old capture re-checked
    with pytest.raises(ValueError, match=r"^max_clock_skew must be .* to 86,400, got 86401"):
        verify_response(headers, body, request_id="r", uuid=A[0], secret_key=A[1], max_clock_skew=86_401)


def test_a_nan_clock_skew_no_longer_accepts_a_ten_year_old_webhook() -> None:
    headers, body = signed(A, create_ts=NOW - 10 * 365 * 86_400)
    with pytest.raises(ValueError, match=r"^max_clock_skew must be a finite number of seconds"):
        receive(A, headers, body, max_clock_skew=math.nan)
    with pytest.raises(SignatureError) as caught:
        receive(A, headers, body)
    assert caught.value.rule == "clock_skew"


@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
def test_a_body_limit_that_is_not_a_positive_whole_number_is_refused(value: Any) -> None:
    with pytest.raises(_error_for(value), match=r"^max_body_bytes must be"):
        receive(A, *signed(A), max_body_bytes=value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, True, "now", 1e15], ids=repr)
def test_a_clock_reading_that_is_not_a_time_is_refused(value: Any) -> None:
    headers, body = signed(A)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        receive(A, headers, body, now=value)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        verify_response(headers, body, request_id="r", uuid=A[0], secret_key=A[1], now=value)
    with pytest.raises(_error_for(value), match=r"^now must be"):
        ReplayGuard().check_and_remember("r", value)
    with pytest.raises(_error_for(value), match=r"^create_ts must be"):
        ReplayGuard().check_and_remember("r", NOW, create_ts=value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 0, True], ids=repr)
def test_a_guard_window_that_is_not_a_finite_positive_number_of_seconds_is_refused(value: Any) -> None:
    with pytest.raises(_error_for(value), match=r"^window must be"):
        ReplayGuard().check_and_remember("r", NOW, window=value)


@pytest.mark.parametrize("value", BAD_COUNTS, ids=repr)
@pytest.mark.parametrize("setting", ["max_bytes", "max_entries", "max_accounts"])
def test_a_guard_size_that_is_not_a_positive_whole_number_is_refused(setting: str, value: Any) -> None:
    with pytest.raises(_error_for(value), match=rf"^{setting} must be"):
        ReplayGuard(**{setting: value})
    with pytest.raises(_error_for(value), match=rf"^{setting} must be"):
        if setting == "max_bytes":
            MemoryReplayStore(value)
        else:
            MemoryReplayStore(**{setting: value})


def test_a_replay_guard_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^replay_guard must be a ReplayGuard, got MemoryReplayStore"):
        receive(A, *signed(A), replay_guard=MemoryReplayStore())


# --- 4. `callbot webhook verify` refuses bad input with exit 2 and one line -------------------------------


@pytest.fixture
def capture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[list[str], list[str]]]:
    """Write a delivery's headers and body to files; give the verify command's file options."""
    monkeypatch.setenv("CALLBOT_BASE_URL", "http://127.0.0.1:9")  # never contacted by `webhook verify`
    monkeypatch.setenv("CALLBOT_UUID", A[0])
    monkeypatch.setenv("CALLBOT_SECRET_KEY", A[1])
    monkeypatch.delenv("CALLBOT_ALGORITHM", raising=False)
    monkeypatch.delenv("CALLBOT_PROFILE", raising=False)

    def write(headers: str | bytes, body: bytes) -> list[str]:
        (tmp_path / "headers").write_bytes(headers.encode() if isinstance(headers, str) else headers)
        (tmp_path / "body").write_bytes(body)
        return ["webhook", "verify", "--headers", str(tmp_path / "headers"), "--body", str(tmp_path / "body")]

    return write  # type: ignore[return-value]


def run_cli(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and A[1] not in captured.out + captured.err
    return code, captured.out, captured.err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(("Error:", "callbot:"))]


@pytest.mark.parametrize("max_age", ["nan", "inf", "1e12"])
def test_webhook_verify_refuses_a_max_age_that_is_not_a_finite_number_of_seconds(
    capture: Any, capsys: pytest.CaptureFixture[str], max_age: str
) -> None:
    headers, body = signed(A, create_ts=int(time.time()) - 10 * 365 * 86_400)  # ten years old
    code, out, err = run_cli(capsys, [*capture(json.dumps(dict(headers)), body), "--max-age", max_age])
    assert (code, out) == (2, "")
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for '--max-age': must be a finite number of seconds")
    assert line.endswith(f"got {float(max_age)!r}")


@pytest.mark.parametrize("max_age", ["nan", "0", "-1", "3e7x"])
def test_webhook_verify_checks_max_age_with_the_other_options_before_reading_the_account_or_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], max_age: str
) -> None:
    """--max-age goes through the library's check when the options are parsed, as --timeout does: no account
    and no files are needed to be told that it is wrong."""
    for variable in ("CALLBOT_UUID", "CALLBOT_SECRET_KEY", "CALLBOT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    args = ["webhook", "verify", "--headers", "/nonexistent/h", "--body", "/nonexistent/b", "--max-age", max_age]
    code, _, err = run_cli(capsys, args)
    (line,) = error_lines(err)
    assert code == 2 and line.startswith("Error: Invalid value for '--max-age': ")
    top = run_cli(capsys, ["--timeout", max_age, "webhook", "verify", "--headers", "h", "--body", "b"])
    assert top[0] == 2 and error_lines(top[2])[0].startswith("Error: Invalid value for '--timeout': ")


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ('{"sign": ' + DEEP + "}", "not a JSON object of headers: nested too deeply"),
        ("{" + '"a": {' * 100_000 + "}" * 100_001, "not a JSON object of headers: nested too deeply"),
        ('{"sign": "A", ', "not a JSON object of headers: Expecting property name"),
        ('{"sign": "A"} trailing', "not a JSON object of headers: Extra data"),
        ('{"sign": ["A"]}', "the value of 'sign' is not a string"),
        ('{"sign": null}', "the value of 'sign' is not a string"),
        ('{"createTs": true}', "the value of 'createTs' is not a string"),
        ("requestID r", "line 1 is not 'Name: value'"),
        (b"\xff\xfe{\x00", "line 1 is not 'Name: value'"),
    ],
    ids=["deep-array", "deep-object", "cut", "trailing", "list-value", "null-value", "bool-value", "no-colon", "utf16"],
)
def test_webhook_verify_refuses_a_bad_headers_file_with_exit_2_and_one_line(
    capture: Any, capsys: pytest.CaptureFixture[str], headers: str | bytes, reason: str
) -> None:
    code, out, err = run_cli(capsys, capture(headers, b"{}"))
    assert (code, out) == (2, "")
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for --headers: ") and reason in line


def test_webhook_verify_refuses_a_headers_file_naming_a_signature_header_twice(
    capture: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    headers, body = signed(A, create_ts=int(time.time()))
    listed = ", ".join(f"{json.dumps(name)}: {json.dumps(value)}" for name, value in [*headers, ("sign", "0" * 32)])
    code, _, err = run_cli(capsys, capture("{" + listed + "}", body))  # json.loads alone would keep the last one
    assert code == 4 and "rule duplicate_header" in err


def test_webhook_verify_says_a_deeply_nested_signed_body_is_not_a_callback(
    capture: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    headers, body = signed(A, create_ts=int(time.time()), body=('{"a": ' + DEEP + "}").encode())
    code, _, err = run_cli(capsys, capture(json.dumps(dict(headers)), body))
    assert code == 6 and "nested too deeply" in err


@pytest.mark.parametrize("data", ['{"a": ' + DEEP + "}", "[1]", "{"], ids=["deep", "array", "cut"])
def test_webhook_send_refuses_a_payload_that_is_not_a_json_object_with_exit_2(
    capture: Any, capsys: pytest.CaptureFixture[str], data: str
) -> None:
    capture("{}", b"{}")  # the account in the environment
    send = ["webhook", "send", "--to", "http://127.0.0.1:9/hook", "--kind", "call", "--data", data]
    code, _, err = run_cli(capsys, send)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith("Error: Invalid value for --data: the payload is not a JSON object")


# --- the wrong-algorithm message advises the verifier ------------------------------------------------------


@pytest.mark.parametrize("what", ["webhook", "response"])
def test_an_algorithm_mismatch_advises_the_verifier_to_configure_the_algorithm_the_message_names(what: str) -> None:
    """The client verifying a callback or an answer is the one to act. (A server verifying a request, the
    sandbox, words its own advice to its client.)"""
    headers, body = signed(A)  # MD5-signed
    stated = [*headers, ("algorithm", "SHA256")]  # the console says SHA256 now; the receiver is configured for MD5
    with pytest.raises(SignatureError) as caught:
        verify_signed_message(
            stated, body, uuid=A[0], secret_key=A[1], algorithm="MD5", max_clock_skew=300, now=NOW,
            expected_request_id=None, what=what,
        )  # fmt: skip
    assert caught.value.rule == "algorithm_mismatch"
    assert f"the {what} says it is signed with SHA256, but this account is configured for MD5" in str(caught.value)
    assert str(caught.value).endswith(
        "To do: if the account's console setting is SHA256 now, configure algorithm='SHA256'."
    )
