"""`callbot operations` and `callbot call OPERATION`: any operation of the spec, signed and verified."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import click
import httpx
from callbot_signing import CallbotAuth, CallbotTransport, InvalidRequestError, RetryPolicy
from callbot_signing.wire import encode_body

from . import _exit
from ._app import Settings, echo_json, fail
from ._operations import Operation, body_problems, find, operations

#: retCodes that are refusals of our signature (the others of a failed answer are SERVICE_ERROR).
SIGNATURE_RET_CODES = frozenset({6, 6001})
MAX_BODY_BYTES = 64 * 1024 * 1024


@click.command("operations")
@click.option("--json", "as_json", is_flag=True, help="As JSON: operationId, path, summary.")
def list_operations(as_json: bool) -> int:
    """List the operations of the spec with their one-line summaries."""
    found = list(operations().values())
    if as_json:
        echo_json([{"operationId": op.operation_id, "path": op.path, "summary": op.summary} for op in found])
        return _exit.OK
    width = max(len(op.operation_id) for op in found)
    for op in found:
        click.echo(f"{op.operation_id:<{width}}  {op.summary}")
    return _exit.OK


def _read_source(source: str | None) -> bytes:
    if source is None:
        return b"{}"
    if source in ("-", "@-"):
        return sys.stdin.buffer.read(MAX_BODY_BYTES + 1)
    if source.startswith("@"):
        try:
            with open(source[1:], "rb") as handle:
                return handle.read(MAX_BODY_BYTES + 1)
        except OSError as exc:
            raise click.BadParameter(f"cannot read {source[1:]}: {exc.strerror or exc}", param_hint="--data") from None
    return source.encode("utf-8", errors="surrogateescape")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: valid JSON text, but no number a service can read back
        raise ValueError(f"the number {text[:40]} is out of range (it would be infinite)")
    return value


def request_body(operation: Operation, source: str | None, *, validate: bool) -> bytes:
    """The body to send: the given JSON object (productID filled in), checked against the spec."""
    raw = _read_source(source)
    if len(raw) > MAX_BODY_BYTES:
        raise click.BadParameter(f"the body is larger than {MAX_BODY_BYTES} bytes", param_hint="--data")
    try:
        body = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise click.BadParameter(f"the body is not JSON: {exc}", param_hint="--data") from None
    if not isinstance(body, dict):
        raise click.BadParameter("the body must be a JSON object ({...})", param_hint="--data")
    if operation.has_product_id:
        body.setdefault("productID", "callbot")
    problems = body_problems(operation, body) if validate else []
    if problems:
        raise click.BadParameter(
            f"the body does not fit {operation.operation_id}'s request schema (--no-validate sends it anyway):\n  "
            + "\n  ".join(problems),
            param_hint="--data",
        )
    try:
        return encode_body(body, operation.operation_id)  # the bytes Callbot would send, signed as they are
    except InvalidRequestError as exc:
        raise click.BadParameter(str(exc), param_hint="--data") from None


def _extra_headers(operation: Operation, pairs: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    allowed = {name.lower(): name for name in operation.headers}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name.strip().lower() not in allowed:
            documented = ", ".join(operation.headers) or "none"
            raise click.BadParameter(
                f"{pair!r}: give NAME=VALUE for a header {operation.operation_id} documents ({documented})",
                param_hint="--header",
            )
        headers[allowed[name.strip().lower()]] = value.strip()
    return headers


def _exit_for_answer(operation: Operation, content: bytes) -> int:
    try:
        code = json.loads(content).get(operation.code_key)
    except (ValueError, AttributeError):
        return _exit.TRANSPORT
    if code == 0:
        return _exit.OK
    return _exit.SIGNATURE if code in SIGNATURE_RET_CODES else _exit.SERVICE_ERROR


@click.command("call")
@click.argument("operation_id", metavar="OPERATION")
@click.argument("source", required=False, metavar="[-]")
@click.option("--data", "data", metavar="JSON|@FILE|-", help="The request body (default {}); - reads stdin.")
@click.option("-H", "--header", "header_pairs", multiple=True, metavar="NAME=VALUE",
              help="A header parameter the operation documents (importBatchCall: Content-Encoding=gzip).")  # fmt: skip
@click.option("--raw", is_flag=True, help="Print the answer's status line, headers and exact body bytes.")
@click.option("--no-validate", is_flag=True, help="Send a body that does not fit the spec (to see the answer).")
@click.pass_obj
def call(
    settings: Settings,
    operation_id: str,
    source: str | None,
    data: str | None,
    header_pairs: tuple[str, ...],
    raw: bool,
    no_validate: bool,
) -> int:
    """Call OPERATION (an operationId: stopOrder, listTask, ...; see `callbot operations`) and print the
    verified answer as JSON. productID is filled in.

    \b
      callbot call ping --data '{"data": "hello"}'
      callbot call listTask --data @query.json
      echo '{"userTaskID": "t1", "orderIDs": ["o1"]}' | callbot call stopOrder -
    """
    try:
        operation = find(operation_id)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="OPERATION") from None
    if source is not None and data is not None:
        raise click.BadParameter("give the body once: --data or -", param_hint="--data")
    body = request_body(operation, data if data is not None else source, validate=not no_validate)
    headers = {"Content-Type": "application/json", **_extra_headers(operation, header_pairs)}
    account = settings.credentials()
    auth = CallbotAuth(
        account.uuid,
        account.secret_key,
        account.algorithm,
        raise_on_error=not raw,
        retry=RetryPolicy(max_retries=settings.max_retries),
    )
    timeout = httpx.Timeout(settings.timeout, connect=min(5.0, settings.timeout))
    with httpx.Client(transport=CallbotTransport(auth), timeout=timeout) as client:
        response = client.post(account.base_url.rstrip("/") + operation.path, content=body, headers=headers)
    if raw:
        head = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
        head += [f"{name}: {value}" for name, value in response.headers.items()]
        sys.stdout.buffer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1", errors="replace"))
        sys.stdout.buffer.write(response.content)
        sys.stdout.buffer.flush()
        code = _exit_for_answer(operation, response.content)
        if code != _exit.OK:
            fail(f"{operation.operation_id} answered with a non-zero {operation.code_key}")
        return code
    echo_json(json.loads(response.content))
    return _exit.OK
