"""Where the `callbot` command gets the account from: the environment, or a profile file; never argv."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a key is read: `callbot --help` imports no client code
    from callbot_signing import SecretKey

#: Keys of a profile file (TOML) and the environment variables they stand for.
PROFILE_KEYS = {
    "base_url": "CALLBOT_BASE_URL",
    "uuid": "CALLBOT_UUID",
    "secret_key": "CALLBOT_SECRET_KEY",
    "algorithm": "CALLBOT_ALGORITHM",
}
DEFAULT_BASE_URL = "https://nxbot.nxcloud.com"


class CredentialsError(Exception):
    """The account settings are missing or unreadable; the message says which and where to put them."""


@dataclass(frozen=True)
class Credentials:
    base_url: str
    uuid: str
    secret_key: SecretKey
    algorithm: str

    def __repr__(self) -> str:
        shown = f"base_url={self.base_url!r}, uuid={self.uuid!r}, algorithm={self.algorithm!r}"
        return f"Credentials({shown}, secret_key='***')"


def _secret_key(text: str) -> tuple[SecretKey | None, str]:
    """``text`` as a SecretKey, or None and why it cannot be a console key; the text leaves this frame
    before the caller can raise anything."""
    from callbot_signing import SecretKey

    try:
        return SecretKey(text), ""
    except ValueError as exc:
        return None, str(exc)
    finally:
        del text


def _read_profile(path: Path) -> tuple[dict[str, str], tuple[SecretKey | None, str]]:
    """The profile's settings but the key, and the key as :func:`_secret_key` gives it ((None, "") when the
    profile has none).

    No frame keeps the key as text when this raises: it is wrapped as soon as it is read, the parsed table
    (which may hold it under a misspelt name) is dropped before any error, and errors are raised outside
    the ``except`` blocks, so that no chained exception keeps the parser's frames (which hold the file's
    text) either."""
    problem = ""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        problem = f"cannot read the profile {path}: {exc.strerror or exc}"
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        problem = f'the profile {path} is not TOML (UTF-8): write lines such as uuid = "..." and secret_key = "..."'
    if problem:
        raise CredentialsError(problem)
    raw = data.pop("secret_key", None)
    try:
        secret = _secret_key(raw) if isinstance(raw, str) and raw else (None, "")
        wrong = [] if raw is None or isinstance(raw, str) else ["secret_key"]
        empty = ["secret_key"] if raw == "" else []
    finally:
        del raw
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    wrong += [key for key, value in data.items() if not isinstance(value, str)]
    values = {key: value for key, value in data.items() if key in PROFILE_KEYS and isinstance(value, str)}
    del data  # it may hold the key under a misspelt name
    if unknown:
        raise CredentialsError(f"the profile {path} has unknown keys {unknown}: use {', '.join(PROFILE_KEYS)}")
    if wrong:
        raise CredentialsError(f"the profile {path}: {', '.join(wrong)} must be strings (in quotes)")
    empty = [key for key in ("uuid",) if values.get(key) == ""] + empty
    if empty:  # the profile's keys win over the environment, an empty one too: it is not filled in from there
        names = " and ".join(empty)
        variables = " and ".join(PROFILE_KEYS[key] for key in empty)
        raise CredentialsError(
            f"the profile {path} has an empty {names}: write the value there (the console shows it under "
            f"Developer), or delete the line to take {variables} from the environment"
        )
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"callbot: warning: the profile {path} can be read by other users: chmod 600 it", file=sys.stderr)
    return values, secret


def load_credentials(profile: str | None) -> Credentials:
    """From the profile file when given (its keys win), else the CALLBOT_* environment variables. No frame
    of a failed load holds the secret key as text: it is a SecretKey from the moment it is read."""
    values, (secret, problem) = _read_profile(Path(profile)) if profile else ({}, (None, ""))
    for key, variable in PROFILE_KEYS.items():
        if key != "secret_key" and key not in values and os.environ.get(variable):
            values[key] = os.environ[variable]
    if secret is None and not problem and os.environ.get(PROFILE_KEYS["secret_key"]):
        secret, problem = _secret_key(os.environ[PROFILE_KEYS["secret_key"]])
    missing = [key for key in ("uuid", "secret_key") if not (values.get(key) if key == "uuid" else secret or problem)]
    if missing:
        names = " and ".join(PROFILE_KEYS[key] for key in missing)
        raise CredentialsError(
            f"no {' and no '.join(missing)}: set {names} in the environment, or put them in a profile file "
            "given with --profile (never on the command line). The console shows them under Developer."
        )
    if secret is None:
        raise CredentialsError(f"the secret key cannot be used: {problem}")
    return Credentials(
        base_url=values.get("base_url") or DEFAULT_BASE_URL,
        uuid=values["uuid"],
        secret_key=secret,
        algorithm=(values.get("algorithm") or "MD5").upper(),
    )
