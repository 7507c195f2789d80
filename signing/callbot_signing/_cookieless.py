"""The httpx clients under Callbot and AsyncCallbot: they keep no cookies.

The Callbot API authenticates every call by its signed headers, and the wiki mentions no cookie. So a cookie
that a server or a proxy sets is neither kept nor sent back: no state is carried from one call to the next
(nor between the accounts of clients that share nothing else), and no answer is parsed for cookies, work
httpx otherwise does on every response. With ``httpx_args={"cookies": ...}`` the client is a plain httpx one
and keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


class _NoCookies(httpx.Cookies):
    """Always empty for the client: what a response sets is dropped, and no Cookie header is added."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _Cookieless:
    """What both clients below share: an empty jar of their own in place of httpx's."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._no_cookies = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        raise AttributeError("this client keeps no cookies: pass httpx_args={'cookies': ...} to keep them")


class CookielessClient(_Cookieless, httpx.Client):
    """An httpx.Client that keeps no cookies (see the module)."""


class AsyncCookielessClient(_Cookieless, httpx.AsyncClient):
    """An httpx.AsyncClient that keeps no cookies (see the module)."""


def sync_client(kwargs: Mapping[str, Any]) -> httpx.Client:
    """A cookieless client, or a plain one when ``kwargs`` asks for cookies."""
    return httpx.Client(**kwargs) if "cookies" in kwargs else CookielessClient(**kwargs)


def async_client(kwargs: Mapping[str, Any]) -> httpx.AsyncClient:
    """A cookieless client, or a plain one when ``kwargs`` asks for cookies."""
    return httpx.AsyncClient(**kwargs) if "cookies" in kwargs else AsyncCookielessClient(**kwargs)
