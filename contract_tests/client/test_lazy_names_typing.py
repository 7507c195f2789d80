"""Names imported on first use (PEP 562 ``__getattr__``) stay checked by type checkers: a misspelled name is an
error under ``mypy --strict``, as it was when the names were imported eagerly, and a right one keeps its type.
The lazy ``__getattr__`` is hidden from them; the TYPE_CHECKING imports say what each package has."""

from __future__ import annotations

from pathlib import Path

import pytest

from .._support import mypy_strict

TYPOS = """\
import callbot_cli
import callbot_client.models
import callbot_signing
import nxcloud_callbot.models
from nxcloud_callbot import Calbot

print(Calbot, nxcloud_callbot.models.CallOrdr, callbot_signing.CallbotAuht, callbot_client.models.PingReqest)
print(callbot_cli.add_ordrs)
"""

RIGHT = """\
import callbot_cli
import nxcloud_callbot.models
from nxcloud_callbot import Callbot, add_orders

callbot: Callbot = Callbot("http://127.0.0.1:9", "uuid", "key")
order = nxcloud_callbot.models.CallOrder(order_id="o", user_phone="1")
print(add_orders, callbot_cli.add_orders, order, callbot)
wrong: int = nxcloud_callbot.CallbotError  # a right name keeps its type: this is an error too
"""


@pytest.mark.slow  # make contract (mypy over the packages); the type checkers' imports: test_startup.py
def test_a_misspelled_lazy_name_is_a_type_error_and_a_right_one_keeps_its_type(tmp_path: Path) -> None:
    (tmp_path / "typos.py").write_text(TYPOS, encoding="utf-8")
    (tmp_path / "right.py").write_text(RIGHT, encoding="utf-8")
    result = mypy_strict(tmp_path, ["typos.py", "right.py"])
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    flagged = {
        name for name in ("Calbot", "CallOrdr", "CallbotAuht", "PingReqest", "add_ordrs") if name in result.stdout
    }
    assert flagged == {"Calbot", "CallOrdr", "CallbotAuht", "PingReqest", "add_ordrs"}, result.stdout
    assert [line for line in errors if line.startswith("right.py")] == [
        line for line in errors if line.startswith("right.py:8:")
    ], result.stdout
    assert any(line.startswith("right.py:8:") and "[assignment]" in line for line in errors), result.stdout
