"""Schemathesis against the sandbox in-process: positive and negative data for every operation.

Built-in checks (server errors, status codes, content types, response schema and headers) plus the
Callbot checks of schemathesis_hooks: a signed response, non-zero retCode for negative data, retCode 0
for schema-valid data.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis

from .. import schemathesis_hooks
from ..conftest import MD5_ACCOUNT, SPEC_PATH, make_sandbox

pytestmark = pytest.mark.contract

schema = schemathesis.openapi.from_path(SPEC_PATH)
schema.app = make_sandbox().asgi_app()
schema.auth.set_from_requests(schemathesis_hooks.RequestsCallbotAuth(MD5_ACCOUNT.uuid, MD5_ACCOUNT.secret_key))


@pytest.mark.slow
@schema.parametrize()
def test_the_sandbox_honours_the_spec(case: Any) -> None:
    case.call_and_validate()


#: The same for stopOrder alone (the operation the project started from), for `make test`: every operation is
#: `make contract`'s run above.
@schema.include(operation_id="stopOrder").parametrize()
def test_the_sandbox_honours_the_spec_for_stop_order(case: Any) -> None:
    case.call_and_validate()
