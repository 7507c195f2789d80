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
#: Words (any case) by which a 2xx answer to a replay says the delivery was handled already.
ALREADY_HANDLED = ("already", "duplicate")

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


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], label: str) -> httpx.Response:
    """Post one delivery and print the receiver's answer."""
    answer = client.post(url, content=body, headers={**headers, "Content-Type": "application/json"})
    click.echo(f"{label}: HTTP {answer.status_code} {answer.text[:MAX_ANSWER_SHOWN]}")
    return answer


def _replay_verdict(first: httpx.Response, again: httpx.Response) -> str | None:
    """How the receiver treated a replay of a delivery it accepted: "refused", "acknowledged", or None (wrongly).

    The command sees answers, not handlers. A right answer to a replay is a refusal (a 4xx other than 408 and
    429, which ask for a retry), or a 2xx that says the delivery was handled already: its text differs from the
    first answer's and contains one of ALREADY_HANDLED (WebhookReceiver answers 200 "already handled"). A 2xx
    that does not say so cannot be told from handling the delivery twice; a 5xx or 3xx is neither.
    """
    if 400 <= again.status_code < 500 and again.status_code not in (408, 429):
        return "refused"
    text = again.text[:MAX_ANSWER_SHOWN]
    says_so = text != first.text[:MAX_ANSWER_SHOWN] and any(word in text.lower() for word in ALREADY_HANDLED)
    return "acknowledged" if again.is_success and says_so else None


@webhook.command("send")
@click.option("--to", "url", required=True, help="Your receiver's URL.")
@click.option("--kind", type=KINDS, required=True, help="Which callback: call, order or task.")
@click.option("--data", metavar="JSON|@FILE", help="The payload to send [default: a sample of the kind].")
@click.option("--tamper", "variant", flag_value="tamper", help="Change the body after signing: must be refused.")
@click.option("--stale", "variant", flag_value="stale", help=f"createTs {STALE_BY} s ago: must be refused.")
@click.option("--replay", "variant", flag_value="replay",
              help="Send one delivery twice: the second must be refused (4xx) or acknowledged as handled already "
              "(2xx whose answer says 'already' or 'duplicate').")  # fmt: skip
@click.pass_obj
def send(settings: Settings, url: str, kind: str, data: str | None, variant: str | None) -> int:
    """Post a correctly signed callback (as the platform does: no algorithm header) to your receiver and
    print its answer. Exit 0 when the receiver did the right thing: accepted (2xx) a genuine delivery, refused
    a --tamper or --stale one, and for --replay accepted the first and refused the second (4xx) or answered it
    2xx saying it was handled already; 6 when it did not. The command sees the answers, not your handler."""
    account = settings.credentials()
    body = _payload(kind, data)
    created = str(int(time.time()) - (STALE_BY if variant == "stale" else 0))
    headers = signature_headers(account.secret_key, body, account.uuid, account.algorithm, create_ts=created)
    del headers["algorithm"]
    with httpx.Client(timeout=settings.timeout) as client:
        try:
            if variant == "replay":
                first = _post(client, url, body, headers, "delivery")
                return _replay_outcome(first, _post(client, url, body, headers, "replayed"))
            if variant == "tamper":
                right = not _post(client, url, _tampered(body), headers, "tampered").is_success
            else:
                accepted = _post(client, url, body, headers, variant or "delivery").is_success
                right = accepted if variant is None else not accepted
        except httpx.HTTPError as exc:
            fail(f"could not deliver to {url}: {type(exc).__name__}: {exc}")
            return _exit.TRANSPORT
    if not right:
        fail(f"the receiver did not {'accept it' if variant is None else f'refuse the {variant}'}")
        return _exit.WEBHOOK
    click.echo("the receiver " + ("accepted the delivery" if variant is None else f"refused the {variant} delivery"))
    return _exit.OK


def _replay_outcome(first: httpx.Response, again: httpx.Response) -> int:
    """Say how the receiver treated the replay; the exit code."""
    verdict = _replay_verdict(first, again)
    if not first.is_success:
        fail(f"the receiver did not accept the first delivery (HTTP {first.status_code}), so a replay proves nothing")
    elif verdict is None:
        fail(
            "the receiver neither refused the replay (4xx) nor said it had handled it already (a 2xx whose text "
            f"differs from the first answer's and contains {' or '.join(map(repr, ALREADY_HANDLED))}, as "
            "WebhookReceiver's 200 'already handled'); a 2xx that does not say so cannot be told from handling "
            "the callback twice"
        )
    elif verdict == "refused":
        click.echo("the receiver refused the replay delivery")
    else:
        click.echo("the receiver acknowledged the replay as handled already (its answer says so; the command "
                   "cannot see whether your handler ran again)")  # fmt: skip
    return _exit.OK if first.is_success and verdict is not None else _exit.WEBHOOK


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
