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
) -> ExportBatchCallResponse:
    if response.status_code == 200:
        response_200 = ExportBatchCallResponse.from_dict(_response_json(response))

        return response_200

    raise errors.UnexpectedStatus(response.status_code, response.content)


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
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
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
) -> ExportBatchCallResponse:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportBatchCallResponse
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
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
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
) -> ExportBatchCallResponse:
    """Export the calls of the latest batch

     All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
    compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
    batchExportCall".

    Args:
        accept_encoding (str | Unset):
        body (ExportBatchCallRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code (whatever Client.raise_on_unexpected_status says).
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ExportBatchCallResponse
    """

    kwargs = _get_kwargs(
        body=body,
        accept_encoding=accept_encoding,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _parse_response(client=client, response=response)
