from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.export_batch_call_request import ExportBatchCallRequest
from ...models.export_batch_call_response import ExportBatchCallResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: ExportBatchCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_encoding, Unset):
        headers["Accept-Encoding"] = accept_encoding

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/callcentre/api/v3/exportBatchCall",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ExportBatchCallResponse | None:
    if response.status_code == 200:
        response_200 = ExportBatchCallResponse.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ExportBatchCallResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExportBatchCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> Response[ExportBatchCallResponse]:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportBatchCallResponse]
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
    body: ExportBatchCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> ExportBatchCallResponse | None:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportBatchCallResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        accept_encoding=accept_encoding,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: ExportBatchCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> Response[ExportBatchCallResponse]:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ExportBatchCallResponse]
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
    body: ExportBatchCallRequest,
    accept_encoding: str | Unset = UNSET,
) -> ExportBatchCallResponse | None:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportBatchCallResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            accept_encoding=accept_encoding,
        )
    ).parsed
