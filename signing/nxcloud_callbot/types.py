"""``Unset`` and ``UNSET`` (a field the answer left out) and the other types of the generated package."""

import callbot_client.types as _types
from callbot_client.types import *  # noqa: F403

__all__ = [*_types.__all__]
