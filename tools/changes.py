"""One classified change between two versions of the spec, the generated package or the hand-written API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a change affects code that imports the library (and the service it talks to)."""

    BREAKING = "breaking"
    ADDITIVE = "additive"
    DOCUMENTATION = "documentation"


class Source(StrEnum):
    SPEC = "spec"
    PYTHON = "Python API"
    #: The ``__all__`` names of the hand-written packages (callbot_signing, callbot_cli, callbot_sandbox).
    LIBRARY = "library API"


@dataclass(frozen=True, order=True)
class Change:
    kind: Kind
    source: Source
    text: str
