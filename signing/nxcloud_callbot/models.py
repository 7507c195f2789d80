"""The models of every request, answer and webhook payload, generated from the spec into ``callbot_client.models``."""

from callbot_client.models import *  # noqa: F403
from callbot_client.models import __all__ as __all__
