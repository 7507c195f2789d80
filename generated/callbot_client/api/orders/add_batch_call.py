from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.add_batch_call_request import AddBatchCallRequest
from ...models.add_orders_response import AddOrdersResponse
from ...types import Response


def _get_kwargs(
    *,
    body: AddBatchCallRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/callcentre/api/v3/addBatchCall",
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
) -> AddOrdersResponse:
    if response.status_code == 200:
        response_200 = AddOrdersResponse.from_dict(_response_json(response))

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AddOrdersResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
) -> Response[AddOrdersResponse]:
    """Add contacts (orders) to a task

     Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
    (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

    Args:
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddOrdersResponse]
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
    body: AddBatchCallRequest,
) -> AddOrdersResponse:
    """Add contacts (orders) to a task

     Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
    (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

    Args:
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddOrdersResponse
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
) -> Response[AddOrdersResponse]:
    """Add contacts (orders) to a task

     Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
    (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

    Args:
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddOrdersResponse]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
) -> AddOrdersResponse:
    """Add contacts (orders) to a task

     Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
    (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

    Args:
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddOrdersResponse
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _parse_response(client=client, response=response)
