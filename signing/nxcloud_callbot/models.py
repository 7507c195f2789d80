"""The models of every request, answer and webhook payload, generated from the spec into ``callbot_client.models``."""

import callbot_client.models as _models
from callbot_client.models import *  # noqa: F403

__all__ = [*_models.__all__]
