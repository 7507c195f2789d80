"""What a client does with what it is given: settings, arguments, values it cannot send (close() under load is
test_close_in_flight.py; credentials and plain http, test_credentials_and_plain_http.py).

- Every numeric setting (constructors, with_options, connect(), RetryPolicy, CallbotAuth, CallbotTransport, the
  CLI's global options) refuses NaN, infinities, negatives, bools and values too large to use, naming itself.
- Every argument of every operation method, given a value of each wrong basic type, is a TypeError naming it
  before anything is sent (driven from the generated signatures); a value of the right type ends in an answer
  or a CallbotError from the in-process sandbox.
- A body that JSON or UTF-8 cannot carry is InvalidRequestError on both paths (Callbot, connect()).
- connect() builds its httpx clients from every setting of the generated client.
"""

from __future__ import annotations

import inspect
import math
import types
import typing
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
from callbot_client.models import CallInfoList, ListOrderOptions, StopOrderRequest
from callbot_client.types import Unset
from callbot_sandbox import serve_in_thread
from callbot_signing import (
    AsyncCallbot,
    Callbot,
    CallbotAuth,
    CallbotError,
    CallbotTransport,
    InvalidRequestError,
    RetryPolicy,
    connect,
)

from ..conftest import MD5_ACCOUNT, TASK, UNDIALED, make_sandbox

UUID, SECRET = MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key


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
        models = {name: getattr(callbot_client.models, name) for name in callbot_client.models.__all__}  # lazy
        hints = typing.get_type_hints(option, {**models, **module})
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


# --- connect() and the generated client's settings ------------------------------------------------------


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
