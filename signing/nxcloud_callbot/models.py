"""The models of every request, answer and webhook payload, generated from the spec into ``callbot_client.models``.

Each model is imported on first use, as in ``callbot_client.models``: ``from nxcloud_callbot.models import
StopOrderRequest`` builds that model (and those it holds), not all of them.
"""

from typing import TYPE_CHECKING, Any

import callbot_client.models as _models

if TYPE_CHECKING:
    from callbot_client.models import *  # noqa: F403

__all__ = [*_models.__all__]


def _lazy_attribute(name: str) -> Any:
    """The model ``name`` of ``callbot_client.models``, imported on first use and kept here for the next lookup."""
    if name not in _models.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_models, name)
    globals()[name] = value
    return value


if not TYPE_CHECKING:  # hidden from type checkers, so that they flag a misspelled name
    __getattr__ = _lazy_attribute


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
