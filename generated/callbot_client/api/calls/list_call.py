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


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ListCallResponse | None:
    if response.status_code == 200:
        response_200 = ListCallResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


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
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
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
) -> ListCallResponse | None:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListCallResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        accept_encoding=accept_encoding,
    ).parsed


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
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
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
) -> ListCallResponse | None:
    """List calls

     Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
    compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
    response not readable).

    Args:
        accept_encoding (str | Unset):
        body (ListCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListCallResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            accept_encoding=accept_encoding,
        )
    ).parsed
