"""Positive schemathesis against the sandbox: no schema-valid request is refused but for the account's state (a
refusal the sandbox labels so, schemathesis_hooks.STATE_REFUSALS), and every field of every answer is documented."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from schemathesis.generation import GenerationMode

from .. import schemathesis_hooks
from ..conftest import MD5_ACCOUNT, SPEC_PATH, make_sandbox
from ..documented_answers import answer_schema, shipped, undocumented

pytestmark = pytest.mark.contract


# --- positive schemathesis: no schema-valid request refused but for the state ---------------------------------


POSITIVE_EXAMPLES = 20

positive = schemathesis.openapi.from_path(SPEC_PATH)
positive.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=POSITIVE_EXAMPLES)
positive.app = make_sandbox().asgi_app()
positive.auth.set_from_requests(schemathesis_hooks.RequestsCallbotAuth(MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key))


@pytest.mark.slow
@positive.parametrize()
def test_no_schema_valid_request_is_refused_but_for_the_accounts_state(case: Any) -> None:
    """Every built-in and Callbot check (schemathesis_hooks: a refusal must be a state refusal of
    STATE_REFUSALS, labelled so by the sandbox), and every field of the answer is documented."""
    response = case.call_and_validate()
    assert schemathesis_hooks.refusal_of_valid_data(response) is None
    data = json.loads(response.content)
    if data.get("retCode", data.get("code")) != 0:  # labelled, so that the check above is the strict one
        assert response.headers.get(schemathesis_hooks.REFUSAL_HEADER) == ["state"], response.headers
    assert undocumented(shipped(), data, answer_schema(case.operation.path)) == []


#: The same for listTask alone (rows of every field), for `make test`: every operation is `make contract`'s run above.
@positive.include(operation_id="listTask").parametrize()
def test_no_schema_valid_list_task_request_is_refused_but_for_the_accounts_state(case: Any) -> None:
    test_no_schema_valid_request_is_refused_but_for_the_accounts_state(case)


def test_a_label_of_state_allows_only_the_state_codes() -> None:
    def response(code: int, kind: str | None) -> Any:
        body = json.dumps({"retCode": code, "retMsg": "", "responseID": ""}).encode()
        headers = {"x-sandbox-refusal": [kind]} if kind else {}
        return type("R", (), {"content": body, "headers": headers})()

    check = schemathesis_hooks.refusal_of_valid_data
    assert [check(response(code, "state")) for code in schemathesis_hooks.STATE_REFUSALS] == [None] * 3
    assert check(response(4, "request")) == "retCode 4 (request refusal)"
    assert check(response(3, "state")) == "retCode 3 (state refusal)"
    assert check(response(4, None)) is None and check(response(3, None)) == "retCode 3"  # a live service
    assert check(response(0, None)) is None
