from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.add_batch_call_request import AddBatchCallRequest
from ...models.add_orders_response import AddOrdersResponse
from ...models.import_batch_call_content_encoding import ImportBatchCallContentEncoding
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: AddBatchCallRequest,
    content_encoding: ImportBatchCallContentEncoding | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(content_encoding, Unset):
        headers["Content-Encoding"] = str(content_encoding)

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/callcentre/api/v3/importBatchCall",
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
    content_encoding: ImportBatchCallContentEncoding | Unset = UNSET,
) -> Response[AddOrdersResponse]:
    """Import orders as a new batch

     Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
    kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
    `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
    is in progress. Wiki page "Callbot API batchImportCall".

    Args:
        content_encoding (ImportBatchCallContentEncoding | Unset):
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddOrdersResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        content_encoding=content_encoding,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
    content_encoding: ImportBatchCallContentEncoding | Unset = UNSET,
) -> AddOrdersResponse:
    """Import orders as a new batch

     Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
    kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
    `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
    is in progress. Wiki page "Callbot API batchImportCall".

    Args:
        content_encoding (ImportBatchCallContentEncoding | Unset):
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddOrdersResponse
    """

    kwargs = _get_kwargs(
        body=body,
        content_encoding=content_encoding,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _parse_response(client=client, response=response)


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
    content_encoding: ImportBatchCallContentEncoding | Unset = UNSET,
) -> Response[AddOrdersResponse]:
    """Import orders as a new batch

     Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
    kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
    `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
    is in progress. Wiki page "Callbot API batchImportCall".

    Args:
        content_encoding (ImportBatchCallContentEncoding | Unset):
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AddOrdersResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        content_encoding=content_encoding,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AddBatchCallRequest,
    content_encoding: ImportBatchCallContentEncoding | Unset = UNSET,
) -> AddOrdersResponse:
    """Import orders as a new batch

     Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
    kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
    `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
    is in progress. Wiki page "Callbot API batchImportCall".

    Args:
        content_encoding (ImportBatchCallContentEncoding | Unset):
        body (AddBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AddOrdersResponse
    """

    kwargs = _get_kwargs(
        body=body,
        content_encoding=content_encoding,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _parse_response(client=client, response=response)
