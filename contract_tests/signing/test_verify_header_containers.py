"""verify_signed_message reads its headers from every container (a dict, pairs of str or bytes, httpx.Headers,
aiohttp's getall, starlette/werkzeug's getlist, a get_list multi-dict) whatever the casing; a header given twice
with different values is refused, repeated with the same value accepted; request_id_of is empty when absent or
ambiguous. Genuine messages are signed with the documented rule written out in the test
(``_support.documented_sign``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import httpx
import pytest
from callbot_signing.wire import request_id_of

from .._support import NOW, signed_headers
from ..verify_cases import BODY, refusal, verify


class GetAllHeaders(Mapping[str, str]):
    """A multi-dict with aiohttp's interface: ``getall(name)`` raises KeyError for an absent name unless a
    default is given."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._pairs = list(pairs)

    def getall(self, key: str, *default: list[str]) -> list[str]:
        found = [value for name, value in self._pairs if name.lower() == key.lower()]
        if found or default:
            return found or default[0]
        raise KeyError(key)

    def __getitem__(self, key: str) -> str:
        return next(value for name, value in self._pairs if name.lower() == key.lower())

    def __iter__(self) -> Iterator[str]:
        return iter(name for name, _ in self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)


class GetListHeaders(GetAllHeaders):
    """starlette/werkzeug's interface: ``getlist(name)``, empty for an absent name."""

    def getlist(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()]

    def __iter__(self) -> Iterator[str]:  # like a multi-dict's keys(): each name once, so items() hides repeats
        return iter(dict.fromkeys(name.lower() for name, _ in self._pairs))

    getall = None  # type: ignore[assignment]


class GetListUnderscoreHeaders(GetListHeaders):
    """A multi-dict spelling it ``get_list`` (httpx's name) without being an httpx.Headers."""

    def get_list(self, key: str) -> list[str]:
        return [value for name, value in self._pairs if name.lower() == key.lower()]

    getlist = None  # type: ignore[assignment]


CONTAINERS = {
    "dict": lambda pairs: dict(pairs),
    "pairs": lambda pairs: list(pairs),
    "byte pairs": lambda pairs: [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs],
    "httpx": lambda pairs: httpx.Headers(list(pairs)),
    "getall": GetAllHeaders,
    "getlist": GetListHeaders,
    "get_list": GetListUnderscoreHeaders,
}


@pytest.mark.parametrize("container", CONTAINERS)
def test_every_header_container_is_read_whatever_the_casing(container: str) -> None:
    pairs = [(name.upper(), value) for name, value in signed_headers(BODY).items()]
    assert verify(CONTAINERS[container](pairs)) == NOW
    assert request_id_of(CONTAINERS[container](pairs)) == "req-1"


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_stated_algorithm_is_read_from_every_container(container: str) -> None:
    pairs = [*signed_headers(BODY).items(), ("Algorithm", "SHA256")]
    assert refusal(CONTAINERS[container](pairs)).rule == "algorithm_mismatch"


@pytest.mark.parametrize("container", [c for c in CONTAINERS if c != "dict"])
def test_a_header_given_twice_with_different_values_is_refused_from_every_container(container: str) -> None:
    headers = signed_headers(BODY)
    pairs = [*headers.items(), ("createTs", str(NOW + 1))]
    error = refusal(CONTAINERS[container](pairs))
    assert error.rule == "duplicate_header"
    assert "'createts' 2 times" in str(error)
    assert request_id_of(CONTAINERS[container](pairs)) == "req-1"  # the requestID itself was given once


@pytest.mark.parametrize("container", [c for c in CONTAINERS if c != "dict"])
def test_a_header_repeated_with_the_same_value_is_accepted(container: str) -> None:
    pairs = [*signed_headers(BODY).items(), ("requestID", "req-1"), ("sign", signed_headers(BODY)["sign"])]
    assert verify(CONTAINERS[container](pairs)) == NOW
    assert request_id_of(CONTAINERS[container](pairs)) == "req-1"


def test_two_dict_keys_differing_only_in_case_are_two_values() -> None:
    headers: dict[str, str] = {**signed_headers(BODY), "SIGN": "0" * 32}
    assert refusal(headers).rule == "duplicate_header"


def test_request_id_of_is_empty_when_absent_or_ambiguous() -> None:
    assert request_id_of({}) == ""
    assert request_id_of([("requestID", "a"), ("REQUESTID", "b")]) == ""
    assert request_id_of([("requestId", "a")]) == "a"


def test_the_duplicate_error_carries_the_expected_request_id() -> None:
    pairs = [*signed_headers(BODY).items(), ("uuid", "other")]
    error = refusal(pairs, expected_request_id="req-1", what="response")
    assert (error.rule, error.request_id) == ("duplicate_header", "req-1")
    assert str(error).startswith("the response carries")
