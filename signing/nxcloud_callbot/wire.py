"""The signing rule's building blocks and the checks the client applies, for servers and tools of your own."""

from callbot_signing.wire import *  # noqa: F403
from callbot_signing.wire import __all__ as __all__
