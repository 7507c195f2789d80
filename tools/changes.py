"""One classified change between two versions of the spec or of the generated package."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a change affects code that imports the generated library (and the service it talks to)."""

    BREAKING = "breaking"
    ADDITIVE = "additive"
    DOCUMENTATION = "documentation"


class Source(StrEnum):
    SPEC = "spec"
    PYTHON = "Python API"


@dataclass(frozen=True, order=True)
class Change:
    kind: Kind
    source: Source
    text: str
