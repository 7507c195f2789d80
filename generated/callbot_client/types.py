"""Contains some shared types for properties"""

import threading
from collections.abc import Mapping, MutableMapping
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Generic, Literal, TypeVar

from attrs import define


class Unset:
    """The type of UNSET, a field left out: one object, which pickling and copying keep."""

    def __bool__(self) -> Literal[False]:
        return False

    def __reduce__(self) -> str:
        return "UNSET"  # unpickled as this module's UNSET

    def __copy__(self) -> "Unset":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "Unset":
        return self


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    # nxcloud-callbot: never None. The endpoint template parses every documented answer or raises
    # (UnexpectedStatus, or the signing layer's typed errors), so callers need no None check.
    parsed: T


# nxcloud-callbot: models built lazily from an answer already checked against the spec.
_FILL_LOCK = threading.RLock()
_set = object.__setattr__
_new = object.__new__
_SHELLS: dict[type, type] = {}


class _LazyModel:
    """The base of every generated model: the slot where a model made by ``from_checked_dict`` keeps the checked
    JSON object it is read from until its fields are set (a model made by its constructor or ``from_dict``
    never has it)."""

    __slots__ = ("_source",)

    if TYPE_CHECKING:
        _source: Mapping[str, Any]
    else:

        def __getattr__(self, name: str) -> Any:
            # A slot not set: while another thread sets this model's fields, wait for it; else there is none.
            if name != "_source":
                with _FILL_LOCK:
                    pass
            return object.__getattribute__(self, name)

    def _fill(self, d: Mapping[str, Any]) -> None:
        raise NotImplementedError


class _Unbuilt:
    """Mixed into a model class to make the class of its models not built yet (see ``from_checked_dict``).

    Such a model holds only ``_source``. The first use of it (a field read, set or deleted, ==, repr, copy,
    pickle) turns it into an instance of the model class itself (same slots: ``__class__`` can be switched)
    and sets every field from ``_source``, under a lock that readers of a field not set yet wait for.
    """

    __slots__ = ()
    _built_class: type

    def _build(self) -> None:
        with _FILL_LOCK:
            real = getattr(type(self), "_built_class", None)
            if real is None:
                return  # another thread built it meanwhile
            try:
                source = object.__getattribute__(self, "_source")
            except (
                AttributeError
            ):  # made by the constructor (attrs.evolve does that on a model's class)
                source = None
            _set(self, "__class__", real)
            if source is not None:
                self._fill(source)
                object.__delattr__(self, "_source")

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:  # a slot not set yet
            if name == "_source":
                raise AttributeError(name)
            self._build()
            return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._build()
        _set(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._build()
        object.__delattr__(self, name)

    def __eq__(self, other: object) -> bool:
        self._build()
        return self == other

    def __ne__(self, other: object) -> bool:
        self._build()
        return self != other

    def __repr__(self) -> str:
        self._build()
        return repr(self)

    def __reduce_ex__(self, protocol: Any) -> Any:  # copy, deepcopy and pickle
        self._build()
        return self.__reduce_ex__(protocol)


def _unbuilt_class(model: type) -> type:
    """The class of ``model``'s objects not built yet (made once per model class)."""
    shell = _SHELLS.get(model)
    if shell is None:
        shell = _SHELLS[model] = type(
            model.__name__,
            (_Unbuilt, model),
            {
                "__slots__": (),
                "__module__": model.__module__,
                "__qualname__": model.__qualname__,
                "_built_class": model,
            },
        )
    return shell


def _unbuilt(model: type, source: Mapping[str, Any]) -> Any:
    """A ``model`` object that will be built from ``source`` when first used."""
    obj = _new(_SHELLS.get(model) or _unbuilt_class(model))
    _set(obj, "_source", source)
    return obj


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset"]
