"""Request body checks that answer with the service's retCodes: 2 missing, 3 wrong type, 4 bad value."""

from __future__ import annotations

from typing import Any

MISSING_PARAMETER = 2
WRONG_TYPE = 3
BAD_VALUE = 4

_TYPE_NAMES = {str: "a string", int: "an integer", list: "an array", dict: "an object"}


class RequestRejected(Exception):
    """The request cannot be served; ``ret_code`` and ``ret_msg`` go into the response envelope."""

    def __init__(self, ret_code: int, ret_msg: str) -> None:
        super().__init__(ret_msg)
        self.ret_code = ret_code
        self.ret_msg = ret_msg


def _is(value: Any, kind: type) -> bool:
    if kind is int:  # JSON true/false are not integers here, though Python's bool is an int
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """Return ``body[name]`` checked to be of ``kind``; None when optional and absent.

    A field present as JSON null has the wrong type: the spec declares none of them nullable.
    """
    if name not in body:
        if required:
            raise RequestRejected(MISSING_PARAMETER, f"missing parameter: {name}")
        return None
    value = body[name]
    if not _is(value, kind):
        raise RequestRejected(WRONG_TYPE, f"parameter {name} must be {_TYPE_NAMES[kind]}")
    return value


def string_list(body: dict[str, Any], name: str, *, required: bool = True) -> list[str] | None:
    values: list[Any] | None = field(body, name, list, required=required)
    if values is not None and not all(isinstance(v, str) for v in values):
        raise RequestRejected(WRONG_TYPE, f"parameter {name} must be an array of strings")
    return values


def product_id(body: dict[str, Any]) -> None:
    if field(body, "productID", str) != "callbot":
        raise RequestRejected(BAD_VALUE, 'parameter productID must be "callbot"')


def one_of(body: dict[str, Any], name: str, allowed: tuple[int, ...], *, required: bool = False) -> int | None:
    value: int | None = field(body, name, int, required=required)
    if value is not None and value not in allowed:
        raise RequestRejected(BAD_VALUE, f"parameter {name} must be one of {', '.join(map(str, allowed))}")
    return value
