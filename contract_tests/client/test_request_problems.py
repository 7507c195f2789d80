"""wire.request_problems: what the CLI's `call` checks a request body with."""

from __future__ import annotations


def test_request_bodies_are_checked_strictly_and_any_body_gets_a_report() -> None:
    """The CLI's `call` checks what the user wrote with this; enums are kept for requests (not for answers)."""
    from callbot_signing.wire import request_problems

    path = "/callcentre/api/v3/stopOrder"
    ok = {"productID": "callbot", "userTaskID": "t", "orderIDs": ["o"]}
    assert request_problems(path, ok) == []
    assert [where for where, _ in request_problems(path, {**ok, "delCall": 2})] == ["delCall"]  # outside its enum
    assert request_problems(path, {**ok, "orderIDs": "\ud800"})  # a report, not an UnicodeEncodeError
    assert (
        request_problems(path, {**ok, "orderIDs": [[[]] * 2] * 2}, limit=1)
        and len(request_problems(path, {**ok, "orderIDs": [1, 2, 3]}, limit=2)) == 2
    )
    assert request_problems("/gateway" + path, {**ok, "delCall": 2})  # the operation behind a path prefix
