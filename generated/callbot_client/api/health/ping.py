from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.ping_request import PingRequest
from ...models.ping_response import PingResponse
from ...types import Response


def _get_kwargs(
    *,
    body: PingRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/callcentre/api/v3/ping",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PingResponse | None:
    if response.status_code == 200:
        response_200 = PingResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PingResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PingRequest,
) -> Response[PingResponse]:
    """Ping (liveness probe)

     Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
    response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
    Wiki page "Callbot API Ping".

    Args:
        body (PingRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PingResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: PingRequest,
) -> PingResponse | None:
    """Ping (liveness probe)

     Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
    response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
    Wiki page "Callbot API Ping".

    Args:
        body (PingRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PingResponse
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: PingRequest,
) -> Response[PingResponse]:
    """Ping (liveness probe)

     Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
    response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
    Wiki page "Callbot API Ping".

    Args:
        body (PingRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PingResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: PingRequest,
) -> PingResponse | None:
    """Ping (liveness probe)

     Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
    response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
    Wiki page "Callbot API Ping".

    Args:
        body (PingRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PingResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
