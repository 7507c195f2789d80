"""The `callbot` command group and its global options (``Settings``, the account), and the helpers its
subcommands share. The subcommands are added to the group in ``_commands``, which imports this module and
not the other way round."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Never, TypeVar

import click

from . import _exit
from ._credentials import Credentials, CredentialsError, load_credentials
from ._lazy_group import LazyGroup

if TYPE_CHECKING:  # imported when a command runs: `callbot --help` imports neither httpx nor the client
    from callbot_signing import Callbot

_T = TypeVar("_T")


@dataclass(frozen=True)
class Settings:
    """The global options; the account is read only by the commands that need it."""

    profile: str | None
    timeout: float
    max_retries: int
    check_response_schemas: bool = True

    def credentials(self) -> Credentials:
        import httpx

        credentials = load_credentials(self.profile)
        try:
            url = httpx.URL(credentials.base_url)
        except (httpx.InvalidURL, TypeError):
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise CredentialsError(f"CALLBOT_BASE_URL {credentials.base_url!r} is not an http(s) URL")
        return credentials

    def callbot(self) -> Callbot[Never]:
        from callbot_signing import Callbot

        account = self.credentials()
        return Callbot(
            account.base_url,
            account.uuid,
            account.secret_key,
            algorithm=account.algorithm,
            timeout=self.timeout,
            max_retries=self.max_retries,
            check_response_schemas=self.check_response_schemas,
        )


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def fail(message: str) -> None:
    click.echo(f"callbot: {message}", err=True)


def checked_option(check: Callable[..., _T], name: str, value: object, **limits: float) -> _T:
    """The option's value through the library's own check (``check_seconds``, ``check_count``): a NaN, an
    infinity or a value out of range is exit 2 naming the option, when the options are parsed (before the
    account is read or anything is sent), as the constructor would refuse it. Click names the option: the
    check's message starts with ``name``, which is not repeated."""
    try:
        return check(name, value, **limits)
    except (TypeError, ValueError) as exc:
        raise click.BadParameter(str(exc).removeprefix(f"{name} ")) from None


EPILOG = (
    "The account comes from CALLBOT_BASE_URL, CALLBOT_UUID, CALLBOT_SECRET_KEY and CALLBOT_ALGORITHM, or from a "
    "profile file (--profile, TOML with base_url, uuid, secret_key, algorithm); never from the command line. "
    "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in _exit.TABLE) + "."
)


def _check_timeout(_context: click.Context, _param: click.Parameter, value: float) -> float:
    from callbot_signing.wire import check_seconds

    return checked_option(check_seconds, "--timeout", value)


def _check_max_retries(_context: click.Context, _param: click.Parameter, value: int) -> int:
    from callbot_signing.wire import check_count

    return checked_option(check_count, "--max-retries", value, minimum=0, maximum=10)


@click.group(
    cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False),
    envvar="CALLBOT_PROFILE",
    help="TOML file with base_url, uuid, secret_key, algorithm (its keys win over the environment).",
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    callback=_check_timeout,
    help="Seconds per attempt (more than 0, at most a day).",
)
@click.option(
    "--max-retries",
    type=int,
    default=2,
    show_default=True,
    callback=_check_max_retries,
    help="Retries of safe faults (0 to 10).",
)
@click.option(
    "--check-response-schemas/--no-check-response-schemas",
    default=True,
    show_default=True,
    help="Refuse signed answers that do not fit the spec; with --no-... accept them where possible, with a warning.",
)
@click.version_option(package_name="nxcloud-callbot", prog_name="callbot")
@click.pass_context
def cli(
    context: click.Context, profile: str | None, timeout: float, max_retries: int, check_response_schemas: bool
) -> None:
    """Call the NXCloud Callbot v3 API from the shell: every request signed, every answer verified."""
    context.obj = Settings(
        profile=profile, timeout=timeout, max_retries=max_retries, check_response_schemas=check_response_schemas
    )
