"""What a client does with what it is given: settings, arguments, values it cannot send, close() under load, and
the messages about credentials and plain http.

- Every numeric setting (constructors, with_options, connect(), RetryPolicy, CallbotAuth, CallbotTransport, the
  CLI's global options) refuses NaN, infinities, negatives, bools and values too large to use, naming itself.
- Every argument of every operation method, given a value of each wrong basic type, is a TypeError naming it
  before anything is sent (driven from the generated signatures); a value of the right type ends in an answer
  or a CallbotError from the in-process sandbox.
- A body that JSON or UTF-8 cannot carry is InvalidRequestError on both paths (Callbot, connect()).
- close()/aclose() while calls are in flight (or during a TLS handshake, or between two attempts) ends them at
  once with APIConnectionError, whose outcome_unknown says whether a write may have been carried out; a client
  over a transport of one's own is usable again after close(); one pool per client.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import math
import socket
import threading
import time
import types
import typing
import warnings
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import attrs
import callbot_client
import callbot_client.api
import callbot_client.models
import httpx
import pytest
from callbot_cli import main as cli_main
from callbot_client.api import AsyncOperations, SyncOperations
from callbot_client.api.orders import stop_order
from callbot_client.models import CallInfoList, ListOrderOptions, ListTaskConditions, StopOrderRequest
from callbot_client.types import Unset
from callbot_sandbox import serve_in_thread
from callbot_signing import (
    APIConnectionError,
    AsyncCallbot,
    Callbot,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    InvalidRequestError,
    PlainHTTPWarning,
    RetryPolicy,
    connect,
)

from ..answer_server import SilentServer, silent_server
from ..conftest import MD5_ACCOUNT, TASK, UNDIALED, make_sandbox

UUID, SECRET = MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key
#: Seconds within which a closed client's calls must have ended (their timeout is 20 s, 3 attempts).
PROMPT = 3.0


# --- numeric settings ------------------------------------------------------------------------------------

#: Values no numeric setting takes: NaN, the infinities, a negative, a bool, a string, and one too large to use.
BAD_NUMBERS: list[object] = [math.nan, math.inf, -math.inf, -1, True, "30", 1e300]


def _callbot(**options: Any) -> Callbot[Any]:
    return Callbot("http://127.0.0.1:9", UUID, SECRET, **options)


def _async_callbot(**options: Any) -> AsyncCallbot[Any]:
    return AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, **options)


def _connect(**options: Any) -> Any:
    return connect("http://127.0.0.1:9", UUID, SECRET, **options)


def _timeout_field(make: Callable[..., Any], field: str) -> Callable[[Any], Any]:
    """Gives a value to one field of an httpx.Timeout passed to ``make``."""
    return lambda value: make(timeout=httpx.Timeout(30.0, **{field: value}))


#: (setting name as the error names it, how to give it a value)
SETTINGS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "Callbot timeout": ("timeout", lambda v: _callbot(timeout=v)),
    "Callbot max_retries": ("max_retries", lambda v: _callbot(max_retries=v)),
    "Callbot max_response_bytes": ("max_response_bytes", lambda v: _callbot(max_response_bytes=v)),
    "AsyncCallbot timeout": ("timeout", lambda v: _async_callbot(timeout=v)),
    "AsyncCallbot max_retries": ("max_retries", lambda v: _async_callbot(max_retries=v)),
    "AsyncCallbot max_response_bytes": ("max_response_bytes", lambda v: _async_callbot(max_response_bytes=v)),
    "Callbot.with_options timeout": ("timeout", lambda v: _callbot().with_options(timeout=v)),
    "Callbot.with_options max_retries": ("max_retries", lambda v: _callbot().with_options(max_retries=v)),
    "AsyncCallbot.with_options timeout": ("timeout", lambda v: _async_callbot().with_options(timeout=v)),
    "AsyncCallbot.with_options max_retries": ("max_retries", lambda v: _async_callbot().with_options(max_retries=v)),
    **{
        f"{maker.__name__} httpx.Timeout {field}": (f"timeout.{field}", _timeout_field(maker, field))
        for maker in (_callbot, _connect)
        for field in ("connect", "read", "write", "pool")
    },
    "with_options httpx.Timeout read": ("timeout.read", lambda v: _timeout_field(_callbot().with_options, "read")(v)),
    "connect timeout": ("timeout", lambda v: _connect(timeout=v)),
    "connect max_retries": ("max_retries", lambda v: _connect(max_retries=v)),
    "connect max_response_bytes": ("max_response_bytes", lambda v: _connect(max_response_bytes=v)),
    "connect retry_policy": ("max_retries", lambda v: _connect(retry_policy=RetryPolicy(max_retries=v))),
    "RetryPolicy max_retries": ("max_retries", lambda v: RetryPolicy(max_retries=v)),
    "RetryPolicy base_delay": ("base_delay", lambda v: RetryPolicy(base_delay=v)),
    "RetryPolicy max_delay": ("max_delay", lambda v: RetryPolicy(max_delay=v)),
    "RetryPolicy max_retry_after": ("max_retry_after", lambda v: RetryPolicy(max_retry_after=v)),
    "CallbotAuth max_clock_skew": ("max_clock_skew", lambda v: CallbotAuth(UUID, SECRET, max_clock_skew=v)),
    "CallbotTransport max_response_bytes": (
        "max_response_bytes",
        lambda v: CallbotTransport(CallbotAuth(UUID, SECRET), max_response_bytes=v),
    ),
}


@pytest.mark.parametrize("value", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("where", sorted(SETTINGS))
def test_a_numeric_setting_refuses_what_would_switch_a_bound_off_naming_the_setting(where: str, value: object) -> None:
    name, give = SETTINGS[where]
    with pytest.raises((ValueError, TypeError)) as refused:
        give(value)
    assert name in str(refused.value)
    assert isinstance(refused.value, TypeError) == isinstance(value, bool | str)


@pytest.mark.parametrize("where", sorted(SETTINGS))
def test_a_numeric_setting_takes_an_ordinary_value(where: str) -> None:
    _, give = SETTINGS[where]
    give(2)  # 2 seconds, 2 retries, 2 bytes: all valid


def test_a_timeout_field_left_as_none_is_refused_since_it_would_wait_forever() -> None:
    with pytest.raises(ValueError, match=r"timeout\.read is None"):
        _callbot(timeout=httpx.Timeout(30.0, read=None))


@pytest.mark.parametrize("retry", [5, None, {"max_retries": 1}], ids=repr)
def test_callbot_auth_takes_only_a_retry_policy_as_retry(retry: object) -> None:
    with pytest.raises(TypeError, match="retry must be a RetryPolicy") as refused:
        CallbotAuth(UUID, SECRET, retry=retry)  # type: ignore[arg-type]
    if retry == 5:
        assert "RetryPolicy(max_retries=5)" in str(refused.value)


def test_retry_policy_is_checked_to_be_one_in_connect() -> None:
    with pytest.raises(TypeError, match="retry_policy must be a RetryPolicy"):
        _connect(retry_policy={"max_retries": 1})


@pytest.mark.parametrize(
    ("option", "value"), [("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "1e10"), ("--max-retries", "11")]
)
def test_the_cli_refuses_a_global_option_that_would_switch_a_bound_off(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main([option, value, "operations"]) == 2
    assert option in capsys.readouterr().err


# --- wrong-typed arguments of the operation methods -----------------------------------------------------

#: A value of each basic type; each argument is tried with every one its annotation does not take.
SAMPLES: dict[str, object] = {
    "int": 7,
    "str": "x",
    "float": 1.5,
    "None": None,
    "list": ["x"],
    "dict": {"x": 1},
    "bytes": b"x",
    "object": object(),
}


def _options(hint: Any) -> list[Any]:
    """The types a hint allows, Unset (leaving the argument out) aside."""
    members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    return [member for member in members if member is not Unset]


def fits(value: object, hint: Any) -> bool:
    """Whether ``value`` is of a type ``hint`` allows (a bool is no number; a float field takes an int)."""
    for option in _options(hint):
        if typing.get_origin(option) is list:
            (item,) = typing.get_args(option)
            if isinstance(value, list) and all(fits(element, item) for element in value):
                return True
        elif option is type(None):
            if value is None:
                return True
        elif isinstance(value, bool) and option is not bool:
            continue
        elif (option is float and isinstance(value, int)) or (isinstance(option, type) and isinstance(value, option)):
            return True
    return False


def example(hint: Any) -> Any:
    """A value of the type ``hint`` allows, for the arguments that are not under test: strings are the
    sandbox's task ID, lists hold one example, models hold their required fields."""
    option = _options(hint)[0]
    if typing.get_origin(option) is list:
        return [example(typing.get_args(option)[0])]
    if option is str:
        return TASK
    if option in (int, float):
        return option(1)
    if isinstance(option, type) and issubclass(option, Enum):
        return next(iter(option))
    if attrs.has(option):
        module = vars(inspect.getmodule(option))
        hints = typing.get_type_hints(option, {**vars(callbot_client.models), **module})
        required = [field for field in attrs.fields(option) if field.init and field.default is attrs.NOTHING]
        return option(**{field.alias: example(hints[field.name]) for field in required})
    raise AssertionError(f"no example for {hint!r}")


def _methods(cls: type) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """Each operation method of ``cls`` with the hints of its arguments and the names of the required ones."""
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_"):
            continue
        hints = typing.get_type_hints(method, vars(callbot_client.api))
        parameters = [p for p in inspect.signature(method).parameters.values() if p.name != "self"]
        required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
        yield name, {p.name: hints[p.name] for p in parameters}, required


def _cases(cls: type) -> Iterator[tuple[str, str, Any, dict[str, object]]]:
    """(method, argument, its hint, keyword arguments with that argument set to a sample) for every sample."""
    for method, hints, required in _methods(cls):
        base = {name: example(hints[name]) for name in required}
        for argument, hint in hints.items():
            for sample in SAMPLES.values():
                yield method, argument, hint, {**base, argument: sample}


class Counting(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A real transport to the sandbox that counts what is sent through it."""

    def __init__(self) -> None:
        self.sync, self.async_ = httpx.HTTPTransport(), httpx.AsyncHTTPTransport()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return self.sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return await self.async_.handle_async_request(request)


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    with serve_in_thread(make_sandbox().asgi_app()) as url:
        yield url


def _outcome(call: Callable[[], object]) -> BaseException | None:
    try:
        call()
    except Exception as exc:  # the test sorts them
        return exc
    return None


def _check(outcome: BaseException | None, argument: str, wrong: bool, sent: int) -> str | None:
    """What is wrong with an outcome, or None: a wrong type is a TypeError naming the argument with nothing
    sent; a right one an answer or a CallbotError (the sandbox may refuse the value)."""
    if wrong:
        if not isinstance(outcome, TypeError) or argument not in str(outcome):
            return f"expected a TypeError naming {argument}, got {outcome!r}"
        if sent:
            return f"{sent} request(s) sent for a wrong type"
    elif outcome is not None and not isinstance(outcome, CallbotError):
        return f"a right type ended in {outcome!r}"
    return None


def _sync_call(client: Callbot[Any], method: str, arguments: dict[str, object]) -> Callable[[], object]:
    """The call of ``method`` with ``arguments`` (an iter_ method: up to its first row)."""
    bound = getattr(client, method)
    if method.startswith("iter_"):
        return lambda: next(iter(bound(**arguments)), None)
    return lambda: bound(**arguments)


def test_every_argument_of_every_sync_method_takes_only_its_type(sandbox_url: str) -> None:
    transport = Counting()
    client = Callbot(sandbox_url, UUID, SECRET, max_retries=0, timeout=10, httpx_args={"transport": transport})
    problems, tried = [], 0
    with client:
        for method, argument, hint, arguments in _cases(SyncOperations):
            before, wrong = transport.sent, not fits(arguments[argument], hint)
            problem = _check(_outcome(_sync_call(client, method, arguments)), argument, wrong, transport.sent - before)
            tried += 1
            if problem:
                problems.append(f"{method}({argument}={arguments[argument]!r}): {problem}")
    assert tried > 300 and problems == []


async def test_every_argument_of_every_async_method_takes_only_its_type(sandbox_url: str) -> None:
    transport = Counting()
    client = AsyncCallbot(sandbox_url, UUID, SECRET, max_retries=0, timeout=10, httpx_args={"transport": transport})
    problems, tried = [], 0
    async with client:
        for method, argument, hint, arguments in _cases(AsyncOperations):
            before, wrong = transport.sent, not fits(arguments[argument], hint)
            outcome: BaseException | None = None
            try:
                if method.startswith("iter_"):
                    await anext(aiter(getattr(client, method)(**arguments)), None)
                else:
                    await getattr(client, method)(**arguments)
            except Exception as exc:  # sorted by _check
                outcome = exc
            problem = _check(outcome, argument, wrong, transport.sent - before)
            tried += 1
            if problem:
                problems.append(f"{method}({argument}={arguments[argument]!r}): {problem}")
    assert tried > 300 and problems == []


def test_a_wrong_type_inside_a_model_argument_names_that_argument() -> None:
    sent: list[httpx.Request] = []
    client = Callbot(
        "http://127.0.0.1:9",
        UUID,
        SECRET,
        httpx_args={"transport": httpx.MockTransport(sent.append)},  # type: ignore[arg-type]
    )
    calls = CallInfoList(order_callback_url="", call_callback_url="", call_list=[{"orderID": "o-1"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"add_batch_call\(\) argument call_info_list holds a value of the wrong type"):
        client.add_batch_call(user_task_id=TASK, call_info_list=calls)
    with pytest.raises(TypeError, match=r"argument order_ids\[1\] must be str, got int"):
        client.stop_order(user_task_id=TASK, order_ids=["o-1", 2])  # type: ignore[list-item]
    assert sent == []


# --- values that cannot be sent ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["lone \udc80 surrogate", math.nan, -math.inf], ids=["surrogate", "nan", "inf"])
async def test_a_value_that_cannot_be_sent_is_invalid_request_error_on_every_path(value: object) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(sent.append)  # type: ignore[arg-type]
    options = ListOrderOptions()
    options["extra"] = value
    body = StopOrderRequest(user_task_id=TASK, order_ids=[UNDIALED[0]])
    body["extra"] = value
    generated = connect("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": transport})
    refusals = []
    with pytest.raises(InvalidRequestError) as refused:
        Callbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": transport}).list_order(
            user_task_id=TASK, options=options
        )
    refusals.append(refused.value)
    with pytest.raises(InvalidRequestError) as refused:
        await AsyncCallbot("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": transport}).list_order(
            user_task_id=TASK, options=options
        )
    refusals.append(refused.value)
    with pytest.raises(InvalidRequestError) as refused:
        stop_order.sync(client=generated, body=body)
    refusals.append(refused.value)
    with pytest.raises(InvalidRequestError) as refused:
        await stop_order.asyncio(client=generated, body=body)
    refusals.append(refused.value)
    assert sent == []
    assert [error.operation for error in refusals] == ["listOrder", "listOrder", "stopOrder", "stopOrder"]
    assert all(str(error).startswith(f"{error.operation} cannot be sent: ") for error in refusals)


# --- close() while calls are in flight; one pool per client --------------------------------------------


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with silent_server() as server:
        yield server


def _was_closed(outcome: object) -> bool:
    return isinstance(outcome, APIConnectionError) and "the client was closed" in str(outcome)


def _in_threads(*calls: Callable[[], object]) -> tuple[list[threading.Thread], dict[int, object]]:
    """Each call started in a thread of its own; the outcomes (value or exception) by the call's index."""
    outcomes: dict[int, object] = {}

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            outcomes[index] = call()
        except Exception as exc:  # the test checks it
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    return threads, outcomes


def test_close_from_other_threads_ends_the_calls_in_flight_at_once(silent: SilentServer) -> None:
    client = Callbot(silent.url, UUID, SECRET, timeout=20)  # ping is retried: 3 attempts of 20 s
    started = time.monotonic()
    callers, outcomes = _in_threads(*[lambda: client.ping(data="x")] * 4)
    silent.wait_for_requests(4)
    closers, _ = _in_threads(client.close, client.close, client.close)  # closed three times at once
    for thread in closers + callers:
        thread.join(PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert len(outcomes) == 4 and all(_was_closed(outcome) for outcome in outcomes.values()), outcomes
    silent.wait_for_ended(4, PROMPT)  # their sockets were shut down, none left open


async def test_aclose_from_other_tasks_ends_the_calls_in_flight_at_once(silent: SilentServer) -> None:
    client = AsyncCallbot(silent.url, UUID, SECRET, timeout=20)

    async def call() -> object:
        try:
            return await client.ping(data="x")
        except Exception as exc:  # the test checks it
            return exc

    started = time.monotonic()
    calls = [asyncio.create_task(call()) for _ in range(4)]
    deadline = time.monotonic() + 10
    while silent.requests < 4:  # polled here: a blocking wait would stop the calls' own event loop
        assert time.monotonic() < deadline, f"{silent.requests} of 4 requests arrived"
        await asyncio.sleep(0.005)
    await asyncio.gather(client.aclose(), client.aclose(), client.aclose())
    outcomes = await asyncio.wait_for(asyncio.gather(*calls), PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert all(_was_closed(outcome) for outcome in outcomes), outcomes


def test_a_write_cut_short_by_close_has_its_outcome_unknown_and_a_read_does_not(silent: SilentServer) -> None:
    client = Callbot(silent.url, UUID, SECRET, timeout=20)
    callers, outcomes = _in_threads(
        lambda: client.create_task(user_task_id="t", scene_id="s"),
        lambda: client.list_task(query_conditions=ListTaskConditions(), page=1, size=10),
    )
    silent.wait_for_requests(2)
    client.close()
    for thread in callers:
        thread.join(PROMPT)
    write, read = outcomes[0], outcomes[1]
    assert _was_closed(write) and _was_closed(read), outcomes
    assert isinstance(write, APIConnectionError) and isinstance(read, APIConnectionError)
    assert write.outcome_unknown is True and "Outcome unknown: createTask may have been carried out" in str(write)
    assert read.outcome_unknown is False and "can be called again safely" in str(read)


@contextlib.contextmanager
def refused_api() -> Iterator[str]:
    """The API's root on a port of 127.0.0.1 that refuses connections (bound, not listening) meanwhile."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{holder.getsockname()[1]}/callcentre/api/v3"


def test_a_close_between_two_attempts_ends_the_call_with_nothing_sent() -> None:
    """A connection refused is retried for any operation; the client is closed during the wait before the retry."""
    transport = CallbotTransport(
        CallbotAuth(UUID, SECRET, retry=RetryPolicy(max_retries=1), sleep=lambda seconds: transport.close())
    )
    with refused_api() as api, httpx.Client(transport=transport) as http, pytest.raises(APIConnectionError) as caught:
        http.post(f"{api}/createTask", content=b"{}")
    assert "createTask was not sent: the client was closed" in str(caught.value)
    assert caught.value.outcome_unknown is False


async def test_an_aclose_between_two_attempts_ends_the_call_with_nothing_sent() -> None:
    async def closing(seconds: float) -> None:
        await transport.aclose()

    transport = CallbotTransport(CallbotAuth(UUID, SECRET, retry=RetryPolicy(max_retries=1), async_sleep=closing))
    with refused_api() as api:
        async with httpx.AsyncClient(transport=transport) as http:
            with pytest.raises(APIConnectionError) as caught:
                await http.post(f"{api}/createTask", content=b"{}")
    assert "createTask was not sent: the client was closed" in str(caught.value)
    assert caught.value.outcome_unknown is False


def test_a_close_during_a_tls_handshake_ends_the_call_at_once(silent: SilentServer) -> None:
    """The server takes the TLS hello and never answers it: close() must end the handshake, not the timeout."""
    client = Callbot(f"https://127.0.0.1:{silent.port}", UUID, SECRET, timeout=20)
    started = time.monotonic()
    callers, outcomes = _in_threads(lambda: client.ping(data="x"))
    silent.wait_for_greetings(1)
    client.close()
    callers[0].join(PROMPT)
    assert time.monotonic() - started < PROMPT + 1
    assert _was_closed(outcomes.get(0)), outcomes
    silent.wait_for_ended(1, PROMPT)  # its socket was shut down, not left open


async def test_an_aclose_during_a_tls_handshake_ends_the_call_at_once(silent: SilentServer) -> None:
    client = AsyncCallbot(f"https://127.0.0.1:{silent.port}", UUID, SECRET, timeout=20)
    call = asyncio.ensure_future(client.ping(data="x"))
    deadline = time.monotonic() + 10
    while silent.greeted < 1:  # polled here: a blocking wait would stop the call's own event loop
        assert time.monotonic() < deadline, "no TLS hello arrived"
        await asyncio.sleep(0.005)
    started = time.monotonic()
    await client.aclose()
    with pytest.raises(APIConnectionError, match="the client was closed"):
        await asyncio.wait_for(call, PROMPT)
    assert time.monotonic() - started < PROMPT


def test_closing_while_threads_keep_calling_gives_only_callbot_errors_and_the_client_stays_usable(
    sandbox_url: str,
) -> None:
    client = Callbot(sandbox_url, UUID, SECRET, timeout=10)
    barrier = threading.Barrier(9)
    calls_ended = threading.Semaphore(0)  # one release per call that ended: each close() waits for one
    unexpected: list[BaseException] = []
    durations: list[float] = []

    def caller() -> None:
        barrier.wait(10)
        for _ in range(6):
            started = time.monotonic()
            try:
                client.ping(data="x")
            except CallbotError:  # APIConnectionError: the client was closed under this call
                pass
            except Exception as exc:  # RuntimeError, AttributeError: what close() must never surface
                unexpected.append(exc)
            durations.append(time.monotonic() - started)
            calls_ended.release()

    def closer() -> None:
        barrier.wait(10)
        for _ in range(6):
            calls_ended.acquire(timeout=10)
            client.close()

    threads = [threading.Thread(target=caller) for _ in range(6)] + [threading.Thread(target=closer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert unexpected == []
    # No call waited for its timeout: a socket closed under a call about to wait on it could have its number
    # taken by a new socket, and the call would watch that one until the timeout.
    assert max(durations) < 5, f"a call took {max(durations):.1f} s"
    assert client.ping(data="again").data == "again"
    client.close()


def test_a_client_over_a_transport_of_ones_own_is_usable_again_after_close(sandbox_url: str) -> None:
    client = Callbot(sandbox_url, UUID, SECRET, max_retries=0, httpx_args={"transport": httpx.HTTPTransport()})
    for round_ in range(3):
        assert client.ping(data=f"round {round_}").data == f"round {round_}"
        client.close()


async def test_an_async_client_over_a_transport_of_ones_own_is_usable_again_after_aclose(sandbox_url: str) -> None:
    transport = httpx.AsyncHTTPTransport()
    client = AsyncCallbot(sandbox_url, UUID, SECRET, max_retries=0, httpx_args={"transport": transport})
    for round_ in range(3):
        assert (await client.ping(data=f"round {round_}")).data == f"round {round_}"
        await client.aclose()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_threads_making_their_first_call_at_once_share_one_pool(
    sandbox_url: str, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    real = httpx.HTTPTransport if kind == "sync" else httpx.AsyncHTTPTransport

    class CountedTransport(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, real.__name__, CountedTransport)
    barrier = threading.Barrier(16)
    if kind == "sync":
        with Callbot(sandbox_url, UUID, SECRET) as client:

            def first_call() -> object:
                barrier.wait(10)
                return client.ping(data="x")

            threads, outcomes = _in_threads(*[first_call] * 16)
            for thread in threads:
                thread.join(20)
        assert not any(isinstance(outcome, BaseException) for outcome in outcomes.values()), outcomes
    else:  # 16 threads, each with its own event loop and httpx client over one transport: one pool all the same
        transport = CallbotTransport(CallbotAuth(UUID, SECRET))
        with refused_api() as api:  # no connection is made, so none is shared between the loops

            async def post() -> object:  # the httpx client left open: closing it would close the shared pool
                return await httpx.AsyncClient(transport=transport).post(f"{api}/ping", content=b"{}")

            def first_call() -> object:
                barrier.wait(10)
                return asyncio.run(post())

            threads, outcomes = _in_threads(*[first_call] * 16)
            for thread in threads:
                thread.join(20)
        asyncio.run(transport.aclose())
        assert all(isinstance(outcome, APIConnectionError) for outcome in outcomes.values()), outcomes
    assert len(outcomes) == 16 and len(made) == 1


# --- messages: missing credentials, plain http ----------------------------------------------------------


@pytest.mark.parametrize("client_class", [Callbot, AsyncCallbot])
def test_no_credentials_at_all_names_every_missing_variable(
    monkeypatch: pytest.MonkeyPatch, client_class: Callable[[], object]
) -> None:
    monkeypatch.delenv("CALLBOT_UUID", raising=False)
    monkeypatch.delenv("CALLBOT_SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="CALLBOT_UUID and CALLBOT_SECRET_KEY"):
        client_class()


MAKERS: dict[str, Callable[[str], object]] = {
    "Callbot": lambda url: Callbot(url, UUID, SECRET),
    "AsyncCallbot": lambda url: AsyncCallbot(url, UUID, SECRET),
    "connect": lambda url: connect(url, UUID, SECRET),
}


@pytest.mark.parametrize("maker", sorted(MAKERS))
def test_plain_http_to_another_host_warns_once_per_client(maker: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = MAKERS[maker]("http://callbot.example.net:8080")
        if isinstance(client, Callbot | AsyncCallbot):
            client.with_options(timeout=5.0)  # a copy of the same client: no second warning
        MAKERS[maker]("http://10.0.0.7")
    plain = [str(warning.message) for warning in caught if issubclass(warning.category, PlainHTTPWarning)]
    assert len(plain) == 2
    assert "plain http to callbot.example.net" in plain[0] and "plain http to 10.0.0.7" in plain[1]
    assert "phone numbers" in plain[0] and "https://" in plain[0]
    assert all(warning.filename == __file__ for warning in caught)  # points at the caller's line


@pytest.mark.parametrize("maker", sorted(MAKERS))
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://127.3.4.5", "http://[::1]:8080", "http://localhost:9", "https://example.com"],
)
def test_loopback_and_https_are_used_without_a_warning(maker: str, url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", PlainHTTPWarning)
        MAKERS[maker](url)


def test_connect_builds_its_httpx_clients_from_every_setting_of_the_generated_client() -> None:
    # connect()'s Client subclass passes these to httpx itself: a setting the generator adds must be added there.
    assert {field.name for field in attrs.fields(callbot_client.Client)} == {
        "raise_on_unexpected_status",
        "_base_url",
        "_cookies",
        "_headers",
        "_timeout",
        "_verify_ssl",
        "_follow_redirects",
        "_httpx_args",
        "_client",
        "_async_client",
    }
    sent: list[httpx.Request] = []
    client = connect("http://127.0.0.1:9", UUID, SECRET, httpx_args={"transport": httpx.MockTransport(sent.append)})  # type: ignore[arg-type]
    copy = client.with_headers({"X-Trace": "1"}).with_timeout(httpx.Timeout(5.0))
    assert isinstance(copy, callbot_client.Client)
    body = StopOrderRequest(user_task_id="\udc80", order_ids=[UNDIALED[0]])
    with pytest.raises(InvalidRequestError):
        stop_order.sync(client=copy, body=body)
    assert sent == []
