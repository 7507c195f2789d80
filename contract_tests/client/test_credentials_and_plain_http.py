"""What a client says about what it was not given or should not use: no credentials at all names every missing
variable; plain http to another host warns once per client, loopback and https do not."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from callbot_signing import (
    AsyncCallbot,
    Callbot,
    PlainHTTPWarning,
    connect,
)

from ..conftest import MD5_ACCOUNT

UUID, SECRET = MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key


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
