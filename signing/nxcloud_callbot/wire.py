"""The signing rule's building blocks and the checks the client applies, for servers and tools of your own."""

import callbot_signing.wire as _wire
from callbot_signing.wire import *  # noqa: F403

__all__ = [*_wire.__all__]
