"""CALLBOT_LOG=debug|info: the ``callbot`` logger switched on from the environment, with a stderr handler."""

from __future__ import annotations

import logging
import os
import warnings

from ._constants import ENV_LOG, LOGGER_NAME

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}


class _CallbotHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler CALLBOT_LOG adds (a class of its own, so it is added once)."""


def configure_logging_from_env() -> None:
    """Read CALLBOT_LOG: ``debug`` shows a record per attempt, ``info`` one per retry; unset leaves logging
    to the application (the ``callbot`` logger, at DEBUG and INFO, with no handler of its own)."""
    value = os.environ.get(ENV_LOG, "").strip().lower()
    if not value:
        return
    if value not in _LEVELS:
        warnings.warn(f"{ENV_LOG}={value!r} is not one of debug, info: ignored", stacklevel=2)
        return
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(handler, _CallbotHandler) for handler in logger.handlers):
        handler = _CallbotHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(_LEVELS[value])
