"""What an independent adversarial review found, each kept fixed by a test named after the behaviour."""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import pickle
import time
import traceback
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from callbot_client.api.health import ping
from callbot_client.models import PingRequest
from callbot_signing import (
    APIConnectionError,
    AsyncCallbot,
    Callbot,
    CallbotError,
    InvalidWebhookError,
    ReplayGuard,
    SignatureError,
    UnexpectedResponseError,
    connect,
    parse_webhook,
    sign,
    signature_headers,
    verify_response,
    verify_webhook,
)

from ._support import documented_sign

UUID = "review-uuid"
SECRET = "review-secret-key"
STOP_OK = {"retCode": 0, "retMsg": "", "responseID": "r", "totalCount": 1, "successCount": 1, "errList": []}
PING_OK = {"data": "x", "timestamp": 1, "code": 0, "msg": "ok", "reqId": "q"}


def signed(request: httpx.Request, body: bytes, status: int = 200, **headers: Any) -> httpx.Response:
    ts = str(int(time.time()))
    rid = request.headers["requestID"]
    out = {"requestID": rid, "uuid": UUID, "createTs": ts, "sign": documented_sign(SECRET, body, ts, rid, UUID, "MD5")}
    return httpx.Response(status, content=body, headers={**out, **headers})


def callbot(handler: Any, base_url: str = "http://127.0.0.1:9", **options: Any) -> Callbot:
    transport = httpx.MockTransport(handler)
    return Callbot(base_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport}, **options)


# --- every input ends in a value or a CallbotError ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"retCode":0,"retMsg":"","responseID":"r","totalCount":"\\ud800","successCount":1,"errList":[]}',
        b'{"retCode":0,"retMsg":"","responseID":"r","x":"\\ud800"}',
        b'{"retCode":0,"retMsg":"","responseID":"r","totalCount":1,"successCount":1,"errList":'
        + b"[" * 900
        + b"]" * 900
        + b"}",
    ],
    ids=["surrogate in a wrong field", "surrogate beside a missing field", "deep array in a list field"],
)
def test_an_answer_whose_schema_report_cannot_be_built_is_still_an_unexpected_response(body: bytes) -> None:
    with callbot(lambda r: signed(r, body)) as client, pytest.raises(UnexpectedResponseError):
        client.stop_order(user_task_id="t", order_ids=["o"])


def test_a_webhook_whose_schema_report_cannot_be_built_is_an_invalid_webhook() -> None:
    body = json.dumps({"callbackType": 1, "orderID": "\ud800"}).encode()
    headers = signature_headers(SECRET, body, UUID)
    with pytest.raises(InvalidWebhookError):
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET, kind="call")


def test_a_request_id_that_is_not_printable_ascii_is_a_signature_error() -> None:
    body = b'{"retCode":0}'
    headers = {"requestID": "abc\udcff", "uuid": UUID, "createTs": str(int(time.time())), "sign": "0" * 32}
    with pytest.raises(SignatureError) as caught:
        parse_webhook(headers, body, uuid=UUID, secret_key=SECRET)
    assert caught.value.rule == "bad_request_id"


@pytest.mark.parametrize("status", [201, 204, 206, 299])
def test_a_2xx_other_than_200_is_an_unexpected_response(status: int) -> None:
    body = json.dumps(STOP_OK).encode()
    with (
        callbot(lambda r: signed(r, body, status)) as client,
        pytest.raises(UnexpectedResponseError, match=str(status)),
    ):
        client.stop_order(user_task_id="t", order_ids=["o"])


# --- bounds ----------------------------------------------------------------------------------------------


def test_a_body_too_dense_to_decode_safely_is_refused_before_decoding() -> None:
    body = b'{"retCode":0,"x":[' + b"{}," * 1_000_000 + b"{}]}"  # 3 MB that would decode to ~100 MB
    tracemalloc.start()
    try:
        with callbot(lambda r: signed(r, body)) as client, pytest.raises(UnexpectedResponseError, match="too dense"):
            client.stop_order(user_task_id="t", order_ids=["o"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(body)


def test_a_large_unsigned_body_is_never_decoded_to_find_out_what_it_is() -> None:
    body = b'{"retCode":0,"x":[' + b'"aaaaaaaaaa",' * 300_000 + b'""]}'  # 4 MB, JSON, unsigned
    tracemalloc.start()
    try:
        with callbot(lambda r: httpx.Response(200, content=body)) as client, pytest.raises(SignatureError):
            client.stop_order(user_task_id="t", order_ids=["o"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * len(body)


class Chunks(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks


def test_bytes_after_the_end_of_a_gzip_stream_are_refused_at_once() -> None:
    member = gzip.compress(json.dumps(STOP_OK).encode())
    junk = [b"x" * 65536] * 600  # 40 MB of junk after the stream: was quadratic CPU
    started = time.monotonic()
    with (
        callbot(
            lambda r: httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks([member, *junk]))
        ) as c,
        pytest.raises(APIConnectionError, match="goes on after its compressed stream ended"),
    ):
        c.stop_order(user_task_id="t", order_ids=["o"])
    assert time.monotonic() - started < 2


def test_a_gzip_answer_in_several_members_is_decoded_whole_and_verified() -> None:
    body = json.dumps(STOP_OK).encode()
    half = len(body) // 2
    wire = gzip.compress(body[:half]) + gzip.compress(body[half:])
    pieces = [wire[i : i + 7] for i in range(0, len(wire), 7)]  # a member's magic split between chunks too

    def handler(request: httpx.Request) -> httpx.Response:
        headers = dict(signed(request, body).headers)
        return httpx.Response(200, headers={**headers, "Content-Encoding": "gzip"}, stream=Chunks(pieces))

    with callbot(handler) as client:
        assert client.stop_order(user_task_id="t", order_ids=["o"]).success_count == 1


# --- the operation is known behind a gateway path -------------------------------------------------------------


def test_a_base_url_with_a_path_prefix_still_checks_answers_against_the_spec() -> None:
    broken = json.dumps({**STOP_OK, "errList": None}).encode()
    ping_body = json.dumps(PING_OK).encode()
    with callbot(lambda r: signed(r, broken), base_url="http://127.0.0.1:9/gateway") as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            client.stop_order(user_task_id="t", order_ids=["o"])
        assert caught.value.field_path == "errList"
    generated = connect(
        "http://127.0.0.1:9/gateway",
        UUID,
        SECRET,
        httpx_args={"transport": httpx.MockTransport(lambda r: signed(r, ping_body))},
    )
    with generated:
        assert ping.sync(client=generated, body=PingRequest(data="x")).code == 0


def test_ping_behind_a_gateway_reads_pings_envelope() -> None:
    body = json.dumps({**PING_OK, "retCode": 0, "code": 6, "msg": "refused"}).encode()
    with (
        callbot(lambda r: signed(r, body), base_url="http://127.0.0.1:9/gw") as client,
        pytest.raises(CallbotError) as caught,
    ):
        client.ping(data="x")
    assert caught.value.ret_code == 6


# --- lifecycle -----------------------------------------------------------------------------------------------


def test_closing_the_original_closes_a_pool_only_its_copies_used() -> None:
    closed: list[str] = []

    class Recording(httpx.MockTransport):
        def close(self) -> None:
            closed.append("sync")

    body = json.dumps(PING_OK).encode()
    client = Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": Recording(lambda r: signed(r, body))})
    with client, client.with_options(timeout=60.0) as slow:
        slow.ping(data="x")
        assert closed == []  # closing the copy leaves the shared pool open
    assert closed == ["sync"]


def test_a_transport_of_the_wrong_kind_is_refused_at_construction() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    asgi_only = httpx.ASGITransport(app=app)
    with pytest.raises(TypeError, match="serves async requests only"):
        Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": asgi_only})
    with pytest.raises(TypeError, match="serves sync requests only"):
        AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.HTTPTransport()})


@pytest.mark.parametrize(
    "error",
    [
        SignatureError("bad", rule="sign_mismatch", request_id="r"),
        UnexpectedResponseError("odd", status_code=502, content_type="text/html", body_excerpt="<", field_path="x"),
        CallbotError("plain", ret_code=1, ret_msg="m", response_id="q"),
    ],
    ids=["SignatureError", "UnexpectedResponseError", "CallbotError"],
)
def test_errors_survive_pickling_and_copying(error: CallbotError) -> None:
    for twin in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(twin) is type(error) and str(twin) == str(error) and vars(twin) == vars(error)


# --- webhooks ---------------------------------------------------------------------------------------------------

CALL = {
    "callbackType": 1,
    "orderID": "o-1",
    "userPhone": "8613800000000",
    "userName": "n",
    "sceneID": "s",
    "userTaskID": "t",
    "taskID": "T",
    "finish": True,
    "other": "",
    "callInfoDetail": {},
}


def delivery(request_id: str, uuid: str = UUID, secret: str = SECRET) -> tuple[list[tuple[str, str]], bytes]:
    body = json.dumps(CALL).encode()
    headers = signature_headers(secret, body, uuid, request_id=request_id)
    del headers["algorithm"]
    return list(headers.items()), body


def test_headers_given_as_a_one_shot_iterator_are_read_once_and_the_replay_guard_still_works() -> None:
    guard = ReplayGuard()
    for request_id in ("first", "second"):
        pairs, body = delivery(request_id)
        parse_webhook(iter(pairs), body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)
    pairs, body = delivery("second")
    with pytest.raises(SignatureError, match="replay"):
        parse_webhook(iter(pairs), body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)


def test_accounts_sharing_a_replay_guard_cannot_claim_each_others_request_ids() -> None:
    guard = ReplayGuard()
    pairs, body = delivery("shared-id", uuid="tenant-b", secret="key-b")
    parse_webhook(pairs, body, uuid="tenant-b", secret_key="key-b", kind="call", replay_guard=guard)
    pairs, body = delivery("shared-id")
    parse_webhook(pairs, body, uuid=UUID, secret_key=SECRET, kind="call", replay_guard=guard)  # not a replay


@pytest.mark.parametrize("secret", ["", " "])
def test_the_verifiers_refuse_an_empty_secret_key(secret: str) -> None:
    body = json.dumps(CALL).encode()
    headers = dict(delivery("r", secret=secret)[0]) if secret else {}
    with pytest.raises(ValueError, match="secret key"):
        parse_webhook(headers, body, uuid=UUID, secret_key=secret)
    with pytest.raises(ValueError, match="secret key"):
        verify_webhook(headers, body, uuid=UUID, secret_key=secret)
    with pytest.raises(ValueError, match="secret key"):
        verify_response(headers, body, request_id="r", uuid=UUID, secret_key=secret)


# --- the secret key in tracebacks ---------------------------------------------------------------------------------


def rendered_with_locals(call: Any) -> str:
    try:
        call()
    except Exception as exc:
        return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())
    raise AssertionError("the call did not fail")


@pytest.mark.parametrize(
    "call",
    [
        lambda: parse_webhook({}, b"x" * (5 * 1024 * 1024), uuid=UUID, secret_key=SECRET),
        lambda: verify_webhook(dict(delivery("r")[0]), b"{}", uuid=UUID, secret_key=SECRET),
        lambda: verify_response({"sign": "0" * 32}, b"{}", request_id="r", uuid=UUID, secret_key=SECRET),
        lambda: sign(SECRET, b"", "1", "r", UUID, "SHA1"),
        lambda: signature_headers(SECRET, b"", UUID, "SHA1"),
    ],
    ids=["parse_webhook over the size", "verify_webhook", "verify_response", "sign", "signature_headers"],
)
def test_no_frame_of_a_failed_check_shows_the_secret_key(call: Any) -> None:
    text = rendered_with_locals(call)
    assert "Error" in text and SECRET not in text


async def test_the_async_client_refuses_a_too_dense_body_too() -> None:
    body = b'{"retCode":0,"x":[' + b"[]," * 1_000_000 + b"[]]}"

    async def handler(request: httpx.Request) -> httpx.Response:
        return signed(request, body)

    client = AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(handler)})
    async with client:
        with pytest.raises(UnexpectedResponseError, match="too dense"):
            await asyncio.wait_for(client.stop_order(user_task_id="t", order_ids=["o"]), 30)


def test_paging_a_service_that_ignores_the_page_number_stops_with_an_error() -> None:
    row = {"orderID": "o-1"}
    body = json.dumps({**STOP_OK, "orderList": [row] * 3, "totalCount": 10**9}).encode()
    requested: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(json.loads(request.content)["page"])
        return signed(request, body)

    from callbot_client.models import ListOrderOptions

    with callbot(handler) as client:
        rows = client.iter_list_order(user_task_id="t", options=ListOrderOptions(), size=3)
        with pytest.raises(UnexpectedResponseError, match="answered page 2 with the rows of page 1"):
            for _ in rows:
                pass
    assert requested == [1, 2]


def test_request_bodies_are_checked_strictly_and_any_body_gets_a_report() -> None:
    """The CLI's `call` checks what the user wrote with this; enums are kept for requests (not for answers)."""
    from callbot_signing.wire import request_problems

    path = "/callcentre/api/v3/stopOrder"
    ok = {"productID": "callbot", "userTaskID": "t", "orderIDs": ["o"]}
    assert request_problems(path, ok) == []
    assert [where for where, _ in request_problems(path, {**ok, "delCall": 2})] == ["delCall"]  # outside its enum
    assert request_problems(path, {**ok, "orderIDs": "\ud800"})  # a report, not an UnicodeEncodeError
    assert (
        request_problems(path, {**ok, "orderIDs": [[[]] * 2] * 2}, limit=1)
        and len(request_problems(path, {**ok, "orderIDs": [1, 2, 3]}, limit=2)) == 2
    )
    assert request_problems("/gateway" + path, {**ok, "delCall": 2})  # the operation behind a path prefix
