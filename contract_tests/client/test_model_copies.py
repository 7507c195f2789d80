"""A model with fields left out (UNSET) survives pickling and copying: the copy equals the original and sends
the same JSON (it used to carry new Unset objects, which to_dict then sent as values)."""

from __future__ import annotations

import copy
import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from nxcloud_callbot.models import CallInfoList, CallOrder
from nxcloud_callbot.types import UNSET


def sample() -> CallInfoList:
    orders = [CallOrder(order_id="o-1", user_phone="8613800000001"), CallOrder(order_id="o-2", user_phone="2")]
    return CallInfoList(call_list=orders, call_callback_url="", order_callback_url="http://127.0.0.1:9/order")


COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda value: pickle.loads(pickle.dumps(value)),
    "deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_copied_model_equals_the_original_and_sends_the_same_json(how: str) -> None:
    original = sample()
    copied = COPIES[how](original)
    assert copied == original
    assert json.dumps(copied.to_dict()) == json.dumps(original.to_dict())  # no Unset object among the values
    assert copied.call_list[0].user_name is UNSET


def test_unset_stays_one_object_through_pickling_and_copying() -> None:
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET
    assert copy.deepcopy(UNSET) is UNSET and copy.copy(UNSET) is UNSET


def test_a_model_pickled_in_another_process_loads_with_its_fields_left_out() -> None:
    """The pickle names the shared UNSET, not an object of the process that wrote it."""
    write = "import pickle,sys; from nxcloud_callbot.models import CallOrder; "
    write += "sys.stdout.buffer.write(pickle.dumps(CallOrder(order_id='o', user_phone='1')))"
    data = subprocess.run([sys.executable, "-c", write], capture_output=True, check=True, timeout=60).stdout
    loaded = pickle.loads(data)
    assert loaded.to_dict() == {"orderID": "o", "userPhone": "1"}
