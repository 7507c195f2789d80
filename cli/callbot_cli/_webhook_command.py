"""`callbot webhook send` (a signed sample callback to your receiver, or a forged one it must refuse) and
`callbot webhook verify` (check a captured delivery, and say which rule failed)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, cast

import click
import httpx
from callbot_signing import (
    InvalidWebhookError,
    SignatureError,
    WebhookKind,
    parse_webhook,
    signature_headers,
)
from callbot_signing.wire import DEFAULT_MAX_CLOCK_SKEW, MAX_REPLAY_WINDOW, check_seconds

from . import _exit
from ._app import Settings, checked_option, fail

#: Seconds a --stale delivery is back-dated: well outside any receiver's window (the library's is 300 s).
STALE_BY = 3600
MAX_ANSWER_SHOWN = 2000
MAX_FILE_BYTES = 4 * 1024 * 1024

_ORDER = {
    "orderID": "sample-order-0001",
    "userPhone": "8613800000000",
    "userName": "Sample",
    "sceneID": "scene-1",
    "userTaskID": "sample-task-0001",
    "taskID": "100001",
    "finish": True,
    "other": "",
}
_CALL = {
    "callID": "sample-call-0001",
    "callStatus": 1,
    "callStartTs": 1767225600,
    "callAnswerTs": 1767225605,
    "callEndTs": 1767225665,
    "callDuration": 60,
    "intents": [{"intentID": "i-1", "intentName": "interested", "intentTag": "A", "intentLevel": 1}],
}
#: Sample payloads, shaped like the wiki's examples (By Call sends callbackType 1, By Order "1").
SAMPLES: dict[str, dict[str, Any]] = {
    "call": {"callbackType": 1, **_ORDER, "callInfoDetail": _CALL},
    "order": {"callbackType": "1", **_ORDER, "callInfoDetail": _CALL},
    "task": {
        "callbackType": 1,
        "userTaskID": "sample-task-0001",
        "taskID": "100001",
        "sceneID": "scene-1",
        "taskStatus": 3,
        "createTs": 1767225600,
        "taskStat": {
            "answerOrderCount": 1,
            "finishOrderCount": 1,
            "totalOrderCount": 1,
            "finishRate": 1.0,
            "totalAnswerCall": 1,
            "totalCall": 1,
            "answerRate": 1.0,
        },
    },
}
KINDS = click.Choice(["call", "order", "task"])


@click.group("webhook")
def webhook() -> None:
    """Test your callback receiver: send it signed (or forged) deliveries, or check a captured one."""


def _read_file(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}", param_hint=what) from None
    if len(data) > MAX_FILE_BYTES:
        raise click.BadParameter(f"{path} is larger than {MAX_FILE_BYTES} bytes", param_hint=what)
    return data


def _payload(kind: str, data: str | None) -> bytes:
    if data is None:
        return json.dumps(SAMPLES[kind], ensure_ascii=False).encode("utf-8")
    raw = _read_file(data[1:], "--data") if data.startswith("@") else data.encode("utf-8", "surrogateescape")
    try:
        if not isinstance(json.loads(raw), dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError) as exc:
        raise click.BadParameter(f"the payload is not a JSON object: {_reason(exc)}", param_hint="--data") from None
    return raw  # sent as given: the exact bytes are signed


def _reason(exc: ValueError | RecursionError) -> str:
    """Why JSON input was refused, in one line."""
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc).splitlines()[0]


def _tampered(body: bytes) -> bytes:
    """The body after signing, with a value changed (userTaskID), or else a space added: still JSON."""
    payload = json.loads(body)
    if isinstance(payload.get("userTaskID"), str):
        return json.dumps({**payload, "userTaskID": payload["userTaskID"] + "-tampered"}).encode()
    return body.rstrip()[:-1] + b" }"


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], label: str) -> bool:
    """Post one delivery, print the receiver's answer; whether it accepted it (2xx)."""
    answer = client.post(url, content=body, headers={**headers, "Content-Type": "application/json"})
    text = answer.text[:MAX_ANSWER_SHOWN]
    click.echo(f"{label}: HTTP {answer.status_code} {text}")
    return answer.is_success


@webhook.command("send")
@click.option("--to", "url", required=True, help="Your receiver's URL.")
@click.option("--kind", type=KINDS, required=True, help="Which callback: call, order or task.")
@click.option("--data", metavar="JSON|@FILE", help="The payload to send [default: a sample of the kind].")
@click.option("--tamper", "variant", flag_value="tamper", help="Change the body after signing: must be refused.")
@click.option("--stale", "variant", flag_value="stale", help=f"createTs {STALE_BY} s ago: must be refused.")
@click.option("--replay", "variant", flag_value="replay", help="Send one delivery twice: the second must be refused.")
@click.pass_obj
def send(settings: Settings, url: str, kind: str, data: str | None, variant: str | None) -> int:
    """Post a correctly signed callback (as the platform does: no algorithm header) to your receiver and
    print its answer. Exit 0 when the receiver did the right thing: accepted a genuine delivery, refused a
    --tamper, --stale or --replay one; 6 when it did not."""
    account = settings.credentials()
    body = _payload(kind, data)
    created = str(int(time.time()) - (STALE_BY if variant == "stale" else 0))
    headers = signature_headers(account.secret_key, body, account.uuid, account.algorithm, create_ts=created)
    del headers["algorithm"]
    with httpx.Client(timeout=settings.timeout) as client:
        try:
            if variant == "replay":
                first = _post(client, url, body, headers, "delivery")
                again = _post(client, url, body, headers, "replayed")
                right = first and not again
            elif variant == "tamper":
                right = not _post(client, url, _tampered(body), headers, "tampered")
            else:
                accepted = _post(client, url, body, headers, variant or "delivery")
                right = accepted if variant is None else not accepted
        except httpx.HTTPError as exc:
            fail(f"could not deliver to {url}: {type(exc).__name__}: {exc}")
            return _exit.TRANSPORT
    if not right:
        expected = "accept it" if variant is None else "refuse the " + ("replay" if variant == "replay" else variant)
        fail(f"the receiver did not {expected}")
        return _exit.WEBHOOK
    click.echo("the receiver " + ("accepted the delivery" if variant is None else f"refused the {variant} delivery"))
    return _exit.OK


def _headers(raw: bytes) -> list[tuple[str, str]]:
    """A JSON object, or "Name: value" lines (a leading request line such as "POST /x HTTP/1.1" is skipped).

    Every pair is kept, a name given twice included (the library refuses a repeated signature header)."""
    text = raw.decode("utf-8", errors="replace")
    if text.lstrip().startswith("{"):
        try:  # the pairs of the top-level object, in order, repeats kept
            loaded: list[tuple[str, Any]] = json.loads(text, object_pairs_hook=list)
        except (ValueError, RecursionError) as exc:
            raise click.BadParameter(f"not a JSON object of headers: {_reason(exc)}", param_hint="--headers") from None
        pairs = []
        for name, value in loaded:
            if isinstance(value, bool) or not isinstance(value, str | int):
                raise click.BadParameter(
                    f"the value of {name[:80]!r} is not a string: {json.dumps(value)[:80]}", param_hint="--headers"
                )
            pairs.append((name, str(value)))
        return pairs
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (number == 1 and " HTTP/" in line):
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise click.BadParameter(f"line {number} is not 'Name: value'", param_hint="--headers")
        pairs.append((name.strip(), value.strip()))
    return pairs


@webhook.command("verify")
@click.option("--headers", "headers_path", required=True, help="The delivery's headers: JSON, or Name: value lines.")
@click.option("--body", "body_path", required=True, help="The delivery's body, the exact bytes received.")
@click.option("--kind", type=KINDS, help="Which callback [default: told from the payload].")
@click.option("--max-age", type=float, default=DEFAULT_MAX_CLOCK_SKEW, show_default=True,
              callback=lambda _context, _param, value: checked_option(check_seconds, "--max-age", value,
                                                                maximum=MAX_REPLAY_WINDOW),
              help="Seconds createTs may be off (raise it for an old capture, up to a year).")  # fmt: skip
@click.pass_obj
def verify(settings: Settings, headers_path: str, body_path: str, kind: str | None, max_age: float) -> int:
    """Check a captured delivery as a receiver would (signature over the exact body, createTs window, payload)
    and say which rule failed. Exit 0 valid, 4 a signature rule failed, 6 a signed body that is not a callback."""
    account = settings.credentials()
    headers = _headers(_read_file(headers_path, "--headers"))
    body = _read_file(body_path, "--body")
    try:
        event = parse_webhook(
            headers,
            body,
            uuid=account.uuid,
            secret_key=account.secret_key,
            algorithm=account.algorithm,
            max_clock_skew=max_age,
            kind=cast(WebhookKind | None, kind),
        )
    except SignatureError as exc:
        fail(f"refused: rule {exc.rule}: {exc}")
        return _exit.SIGNATURE
    except InvalidWebhookError as exc:
        fail(f"refused: {exc}")
        return _exit.WEBHOOK
    click.echo(f"valid: a {type(event).__name__} for task {getattr(event, 'user_task_id', '?')} ({Path(body_path)})")
    return _exit.OK
