"""Where the `callbot` command gets the account from: the environment, or a profile file; never argv."""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

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


def _read_profile(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise CredentialsError(f"cannot read the profile {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError:
        raise CredentialsError(
            f'the profile {path} is not TOML: write lines such as uuid = "..." and secret_key = "..."'
        ) from None
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise CredentialsError(f"the profile {path} has unknown keys {unknown}: use {', '.join(PROFILE_KEYS)}")
    wrong = [key for key, value in data.items() if not isinstance(value, str)]
    if wrong:
        raise CredentialsError(f"the profile {path}: {', '.join(wrong)} must be strings (in quotes)")
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"callbot: warning: the profile {path} can be read by other users: chmod 600 it", file=sys.stderr)
    return dict(data)


def load_credentials(profile: str | None) -> Credentials:
    """From the profile file when given (its keys win), else the CALLBOT_* environment variables."""
    values = _read_profile(Path(profile)) if profile else {}
    for key, variable in PROFILE_KEYS.items():
        if key not in values and os.environ.get(variable):
            values[key] = os.environ[variable]
    missing = [key for key in ("uuid", "secret_key") if not values.get(key)]
    if missing:
        names = " and ".join(PROFILE_KEYS[key] for key in missing)
        raise CredentialsError(
            f"no {' and no '.join(missing)}: set {names} in the environment, or put them in a profile file "
            "given with --profile (never on the command line). The console shows them under Developer."
        )
    try:  # SecretKey first: no frame of a failed check holds the key as plain text
        secret = SecretKey(values.pop("secret_key"))
    except ValueError as exc:
        raise CredentialsError(f"the secret key cannot be used: {exc}") from None
    return Credentials(
        base_url=values.get("base_url") or DEFAULT_BASE_URL,
        uuid=values["uuid"],
        secret_key=secret,
        algorithm=(values.get("algorithm") or "MD5").upper(),
    )
