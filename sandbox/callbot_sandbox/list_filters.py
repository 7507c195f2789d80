"""The pages and filters of the list operations (listTask, listOrder, listCall), as a row test.

A filter's lists of IDs, names or codes become sets before a scan (:func:`for_lookup`), so that each row
costs one lookup per filter, however long the lists a request gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from .answers import Payload
from .spec import BAD_VALUE, RequestRejected
from .state import Call


def requested_page(body: Payload) -> tuple[int, int]:
    """(offset, size) of the requested page; the spec's schema makes page and size integers >= 1."""
    number, size = body.get("page", 1), body.get("size", 100)
    if number < 1 or size < 1:
        raise RequestRejected(BAD_VALUE, "page and size must be 1 or more")
    return (number - 1) * size, size


def page_slice(items: Iterable[Any], total: int, offset: int, size: int) -> list[Any]:
    """The page of ``items`` (``total`` of them) from ``offset``, reading only up to its end."""
    if offset >= total:
        return []
    return list(itertools.islice(items, offset, min(total, offset + size)))


def enabled(condition: Payload | None) -> bool:
    return bool(condition and condition.get("enable"))


def in_range(value: int, condition: Payload | None) -> bool:
    """Whether ``value`` is within a range condition (``{"enable", "gt", "lt"}``); any value when it is off."""
    if not condition or not condition.get("enable"):
        return True
    return ("gt" not in condition or value > condition["gt"]) and ("lt" not in condition or value < condition["lt"])


def for_lookup(options: Payload) -> Payload:
    """``options`` with every list of IDs, names or codes as a frozenset: a scan tests each row against
    them, at a cost that does not grow with the list."""
    lookup: Payload = {}
    for key, value in options.items():
        try:
            lookup[key] = frozenset(value) if isinstance(value, list) else value
        except TypeError:  # a list of objects: kept as it is
            lookup[key] = value
    return lookup


def matches_intents(calls: Iterable[Call], options: Payload) -> bool:
    """Whether the intents of ``calls`` meet every intent filter of ``options`` (ID, name, tag, level)."""
    intents = [intent for call in calls for intent in call.intents]
    for option, key in (("intentID", "intentID"), ("intentName", "intentName"), ("intentTag", "intentTag")):
        wanted = options.get(option)
        if wanted and not any(intent.get(key) in wanted for intent in intents):
            return False
    levels = options.get("intentLevel")
    return not levels or any(intent.get("intentLevel") in levels for intent in intents)
