from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.list_call_request import ListCallRequest
from ...models.list_call_response import ListCallResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ListCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_encoding, Unset):
        headers["Accept-Encoding"] = accept_encoding

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/callcentre/api/v3/listCall",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _response_json(response: httpx.Response) -> Any:
    """The body's JSON, parsed once.

    The signing layer's transport parses and schema-validates the body and leaves the object in
    ``response.extensions["callbot.json"]``; it is taken from there when present (and off the response, which
    httpx keeps alive until a garbage collection), else parsed here.
    """
    if "callbot.json" in response.extensions:
        return response.extensions.pop("callbot.json")
    return response.json()


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ListCallResponse:
    if response.status_code == 200:
        response_200 = ListCallResponse.from_dict(_response_json(response))

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ListCallResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ListCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> Response[ListCallResponse]:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListCallResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        accept_encoding=accept_encoding,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: ListCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> ListCallResponse:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListCallResponse
    """

    kwargs = _get_kwargs(
        body=body,
        accept_encoding=accept_encoding,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ListCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> Response[ListCallResponse]:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListCallResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        accept_encoding=accept_encoding,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: ListCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> ListCallResponse:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListCallResponse
    """

    kwargs = _get_kwargs(
        body=body,
        accept_encoding=accept_encoding,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _parse_response(client=client, response=response)
