"""``Unset`` and ``UNSET`` (a field the answer left out) and the other types of the generated package."""

from callbot_client.types import *  # noqa: F403
from callbot_client.types import __all__ as __all__
