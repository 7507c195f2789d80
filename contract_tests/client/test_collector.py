"""The client never touches the application's garbage collector setting, however large the answer."""

from __future__ import annotations

import gc
from typing import Any

import httpx
import pytest
from callbot_client.models import ListCallResponse
from callbot_signing import Callbot

from ..spec_answers import SignedAnswers, call, full_answer, operations

LIST_CALL = next(op for op in operations() if op.operation_id == "listCall")


def big_list_call() -> dict[str, Any]:
    """A listCall answer of several MB (the old pausing started at 256 KB)."""
    answer: dict[str, Any] = full_answer(LIST_CALL.response_schema)
    answer["callList"] = answer["callList"] * 4000
    return answer


@pytest.mark.parametrize("enabled", [True, False])
def test_a_large_answer_leaves_the_collector_as_the_application_set_it(
    enabled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = SignedAnswers("gc-uuid", "gc-secret-key-0123")
    answers.answer = big_list_call()
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()

    def refuse() -> None:
        raise AssertionError("the client switched the collector")

    try:
        with monkeypatch.context() as patch:
            patch.setattr(gc, "enable", refuse)
            patch.setattr(gc, "disable", refuse)
            transport = httpx.MockTransport(answers)
            with Callbot(
                "http://callbot.test", "gc-uuid", "gc-secret-key-0123", httpx_args={"transport": transport}
            ) as callbot:
                result = call(callbot, LIST_CALL)
        assert isinstance(result, ListCallResponse) and isinstance(result.call_list, list)
        assert len(result.call_list) == 4000
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
