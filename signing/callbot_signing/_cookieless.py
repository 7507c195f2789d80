"""The httpx clients under Callbot and AsyncCallbot: they keep no cookies.

The Callbot API authenticates every call by its signed headers, and the wiki mentions no cookie. So a cookie
that a server or a proxy sets is neither kept nor sent back: no state is carried from one call to the next
(nor between the accounts of clients that share nothing else), and no answer is parsed for cookies, work
httpx otherwise does on every response. With ``httpx_args={"cookies": ...}`` the client is a plain httpx one
and keeps them.

Without cookies, what httpx builds for a JSON post to a URL is the same on every call but for the body and its
Content-Length: the client's headers merged with the call's, Host, the URL with the client's query parameters.
So a cookieless client builds it once per URL (:meth:`_Cookieless.json_request`) and copies it per call, as
long as the client's headers and parameters stay what they were; :func:`json_request` is the one way both
Callbot and connect() build their posts.
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


#: The headers of every post of a JSON body.
JSON_HEADERS = {"Content-Type": "application/json"}
#: The most URLs whose post is kept built (an operation each).
MAX_TEMPLATES = 256


class _Template:
    """A JSON post to one URL as httpx built it, and what it was built from (the client's headers and query
    parameters): valid while those are unchanged."""

    __slots__ = ("client_headers", "headers", "params", "url")

    def __init__(self, client_headers: list[tuple[bytes, bytes]], params: httpx.QueryParams, request: httpx.Request):
        self.client_headers = client_headers
        self.params = params
        self.url = request.url
        self.headers = request.headers


class _Cookieless:
    """What both clients below share: an empty jar of their own in place of httpx's, and the posts built once
    per URL."""

    headers: httpx.Headers
    params: httpx.QueryParams
    build_request: Any

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._no_cookies = _NoCookies()
        self._templates: dict[httpx.URL, _Template] = {}

    def json_request(self, url: httpx.URL, content: bytes) -> httpx.Request:
        """The request ``build_request("POST", url, content=content, headers=JSON_HEADERS)`` makes, copied from
        the one built for ``url`` the first time (its headers in the same order, Content-Length set for
        ``content``; the timeout is set by ``send``, as for a request that names none)."""
        template = self._templates.get(url)
        client_headers = self.headers.raw
        if template is None or template.client_headers != client_headers or template.params is not self.params:
            built = self.build_request("POST", url, content=b"{}", headers=JSON_HEADERS)
            if built.headers.get_list("Content-Length") != ["2"]:  # the client's own headers decide it: no copy
                return self.build_request("POST", url, content=content, headers=JSON_HEADERS)  # type: ignore[no-any-return]
            del built.extensions["timeout"]  # the client's, set again by send(): it may change meanwhile
            template = _Template(client_headers, self.params, built)
            if len(self._templates) >= MAX_TEMPLATES:
                self._templates.clear()
            self._templates[url] = template
        request = httpx.Request("POST", template.url, headers=template.headers, stream=httpx.ByteStream(content))
        request.headers["Content-Length"] = str(len(content))
        request.read()
        return request

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


def json_request(client: httpx.Client | httpx.AsyncClient, url: httpx.URL, content: bytes) -> httpx.Request:
    """The POST of the JSON ``content`` to ``url`` by ``client``, as its ``build_request`` makes it."""
    if isinstance(client, _Cookieless):
        return client.json_request(url, content)
    return client.build_request("POST", url, content=content, headers=JSON_HEADERS)


def sync_client(kwargs: Mapping[str, Any]) -> httpx.Client:
    """A cookieless client, or a plain one when ``kwargs`` asks for cookies."""
    return httpx.Client(**kwargs) if "cookies" in kwargs else CookielessClient(**kwargs)


def async_client(kwargs: Mapping[str, Any]) -> httpx.AsyncClient:
    """A cookieless client, or a plain one when ``kwargs`` asks for cookies."""
    return httpx.AsyncClient(**kwargs) if "cookies" in kwargs else AsyncCookielessClient(**kwargs)
