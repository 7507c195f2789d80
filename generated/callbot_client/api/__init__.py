"""Contains methods for accessing the API, and one typed method per operation of the spec.

SyncOperations and AsyncOperations have a method for every operation (its operationId in snake_case) whose
keyword arguments are the fields of the operation's request body, plus its header parameters, and an
``iter_<name>`` for every operation whose request body has an integer ``page``. They send nothing
themselves: a subclass implements ``_call`` and ``_call_or_raise`` (the hand-written callbot_signing layer).
Generated from the spec by openapi/templates/api_init.py.jinja: a new operation appears here by itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from enum import Enum
from typing import Any, Generic, NoReturn, Protocol, Self, TypeVar

from .. import models as _models
from ..types import UNSET, Unset

__all__ = ["AsyncOperations", "SyncOperations"]

_E = TypeVar("_E")
"""What an error reply becomes when the client does not raise; a client that raises binds Never."""


class _ResponseModel(Protocol):
    """Every generated response model: it can be read from the parsed JSON body."""

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...
    @classmethod
    def from_checked_dict(cls, src_dict: Mapping[str, Any]) -> Self: ...


_M = TypeVar("_M", bound=_ResponseModel)


def _is_instance(value: object, types: tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not taken for a number."""
    return isinstance(value, types) and (bool in types or not isinstance(value, bool))


def _type_names(types: tuple[type, ...]) -> str:
    return " or ".join(
        "None" if kind is type(None) else kind.__name__ for kind in types
    )


def _check_argument(
    operation: str,
    name: str,
    value: object,
    types: tuple[type, ...],
    expected: str,
    *,
    items: tuple[type, ...] | None = None,
    optional: bool = False,
) -> None:
    """A TypeError naming the argument unless ``value`` is one of ``types`` (or left out, when ``optional``),
    and, for a list, each item one of ``items``. Every method checks its arguments so before building the
    request: a wrong type never reaches the models' to_dict or the wire."""
    if optional and isinstance(value, Unset):
        return
    if not _is_instance(value, types):
        hint = ""
        for kind in types:
            if issubclass(kind, Enum):
                hint = f" (one of {', '.join(f'{kind.__name__}.{member.name}' for member in kind)})"
            elif isinstance(value, Mapping) and hasattr(kind, "from_dict"):
                hint = f" (a dict becomes one with {kind.__name__}.from_dict(...))"
        left_out = " or left out" if optional else ""
        raise TypeError(
            f"{operation}() argument {name} must be {expected}{left_out}{hint}, got {type(value).__name__}"
        )
    if items is not None:
        for index, item in enumerate(value if isinstance(value, list) else ()):
            if not _is_instance(item, items):
                raise TypeError(
                    f"{operation}() argument {name}[{index}] must be {_type_names(items)}, got {type(item).__name__}"
                )


def _nested_type_error(operation: str, error: Exception, **models: Any) -> NoReturn:
    """The request's to_dict failed although every argument has its type: one of the model arguments holds a
    value of the wrong type further down. A TypeError naming that argument."""
    for name, value in models.items():
        for model in value if isinstance(value, list) else [value]:
            if isinstance(model, Unset):
                continue
            try:
                model.to_dict()
            except (AttributeError, TypeError, ValueError) as exc:
                raise TypeError(
                    f"{operation}() argument {name} holds a value of the wrong type in one of its fields "
                    f"({type(exc).__name__}: {exc}): check the types of the fields you set"
                ) from exc
    raise TypeError(
        f"{operation}(): an argument holds a value of the wrong type ({type(error).__name__}: {error})"
    ) from error


class SyncOperations(Generic[_E]):
    """One method per operation of the spec, each returning the operation's response model (or ``_E``).

    ``_call`` and ``_call_or_raise`` are implemented by the hand-written client (callbot_signing.Callbot).
    """

    def _call(
        self,
        operation_id: str,
        path: str,
        body: dict[str, Any],
        response_model: type[_M],
        headers: dict[str, str],
    ) -> _M | _E:
        """Send one signed request and read the answer as ``response_model`` (implemented by the signing layer)."""
        raise NotImplementedError

    def _call_or_raise(
        self,
        operation_id: str,
        path: str,
        body: dict[str, Any],
        response_model: type[_M],
        headers: dict[str, str],
    ) -> _M:
        """Like ``_call``, but an error reply always raises (the iter_ methods use it)."""
        raise NotImplementedError

    def _page_repeated(self, operation_id: str, page: int) -> None:
        """Called when page ``page`` holds the same rows as the page before (a service that ignores ``page``
        would otherwise be paged forever); it must raise. The signing layer raises its typed error."""
        raise RuntimeError(
            f"{operation_id} answered page {page} with the rows of page {page - 1}"
        )

    def ping(
        self,
        *,
        data: str,
    ) -> _models.PingResponse | _E:
        """Ping (liveness probe)

        Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
        response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
        Wiki page "Callbot API Ping".

        Args:
            data (str): Pass-through value, echoed back in the response.

        Returns:
            PingResponse
        """
        _check_argument("ping", "data", data, (str,), "str")

        _body = _models.PingRequest(
            data=data,
        ).to_dict()

        _headers: dict[str, str] = {}

        return self._call(
            "ping", "/callcentre/api/v3/ping", _body, _models.PingResponse, _headers
        )

    def create_task(
        self,
        *,
        user_task_id: str,
        scene_id: str,
        account: str | Unset = UNSET,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.CreateTaskFuncFlag | Unset = UNSET,
        other: str | Unset = UNSET,
        task_callback_url: str | Unset = UNSET,
        order_callback_url: str | Unset = UNSET,
    ) -> _models.RetEnvelope | _E:
        """Create an auto-dial task

        Creates a task (campaign) for a script template (`sceneID`). Orders are added afterwards with
        addBatchCall or importBatchCall. Wiki page "Callbot API createTask" (partly readable: the example
        and the first rows of the body table).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str): Script (dialogue) template ID, from the console's Script Management.
            account (str | Unset):
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (CreateTaskFuncFlag | Unset): Feature switches as the createTask example shows
                them (no phoneEncrypt).
            other (str | Unset):
            task_callback_url (str | Unset): Presumably where task status callbacks are sent (see
                x-assumption).
            order_callback_url (str | Unset): Presumably where order callbacks are sent (see
                x-assumption).

        Returns:
            RetEnvelope
        """
        _check_argument("create_task", "user_task_id", user_task_id, (str,), "str")
        _check_argument("create_task", "scene_id", scene_id, (str,), "str")
        _check_argument("create_task", "account", account, (str,), "str", optional=True)
        _check_argument(
            "create_task",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "create_task",
            "func_flag",
            func_flag,
            (_models.CreateTaskFuncFlag,),
            "CreateTaskFuncFlag",
            optional=True,
        )
        _check_argument("create_task", "other", other, (str,), "str", optional=True)
        _check_argument(
            "create_task",
            "task_callback_url",
            task_callback_url,
            (str,),
            "str",
            optional=True,
        )
        _check_argument(
            "create_task",
            "order_callback_url",
            order_callback_url,
            (str,),
            "str",
            optional=True,
        )

        try:
            _body = _models.CreateTaskRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                account=account,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
                other=other,
                task_callback_url=task_callback_url,
                order_callback_url=order_callback_url,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "create_task",
                _exc,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return self._call(
            "createTask",
            "/callcentre/api/v3/createTask",
            _body,
            _models.RetEnvelope,
            _headers,
        )

    def create_and_call(
        self,
        *,
        user_task_id: str,
        scene_id: str,
        call_info_list: _models.CallInfoList,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.FuncFlag | Unset = UNSET,
    ) -> _models.AddOrdersResponse | _E:
        """Create a task and add its contacts in one call

        Creates a task and imports its orders in one request. Wiki page "Callbot API createTaskAndCall"
        (title "Create and Start Call"; the path says createAndCall). Only the example, the header rows and
        the retCode table were readable.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str): Script (dialogue) template ID.
            call_info_list (CallInfoList):
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (FuncFlag | Unset): Feature switches of a task (createTaskAndCall and updateTask
                spelling).

        Returns:
            AddOrdersResponse
        """
        _check_argument("create_and_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument("create_and_call", "scene_id", scene_id, (str,), "str")
        _check_argument(
            "create_and_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )
        _check_argument(
            "create_and_call",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "create_and_call",
            "func_flag",
            func_flag,
            (_models.FuncFlag,),
            "FuncFlag",
            optional=True,
        )

        try:
            _body = _models.CreateAndCallRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                call_info_list=call_info_list,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "create_and_call",
                _exc,
                call_info_list=call_info_list,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return self._call(
            "createAndCall",
            "/callcentre/api/v3/createAndCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )

    def mgr_task_status(
        self,
        *,
        user_task_id: str,
        task_operate: _models.TaskOperate,
        del_call: _models.DelCall | Unset = UNSET,
    ) -> _models.MgrTaskStatusResponse | _E:
        """Start, pause or finish a task

        Changes a task's status with `taskOperate` (1 start, 2 pause, 3 finish). Wiki page
        "Callbot API mgrTaskStatus".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            task_operate (TaskOperate): Task operation: 1 start, 2 pause, 3 complete / finish.
            del_call (DelCall | Unset): Whether to delete the undialed data: 0 keeps it, 1 deletes it
                (use with caution).

        Returns:
            MgrTaskStatusResponse
        """
        _check_argument("mgr_task_status", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "mgr_task_status",
            "task_operate",
            task_operate,
            (_models.TaskOperate,),
            "TaskOperate",
        )
        _check_argument(
            "mgr_task_status",
            "del_call",
            del_call,
            (_models.DelCall,),
            "DelCall",
            optional=True,
        )

        _body = _models.MgrTaskStatusRequest(
            user_task_id=user_task_id,
            task_operate=task_operate,
            del_call=del_call,
        ).to_dict()

        _headers: dict[str, str] = {}

        return self._call(
            "mgrTaskStatus",
            "/callcentre/api/v3/mgrTaskStatus",
            _body,
            _models.MgrTaskStatusResponse,
            _headers,
        )

    def update_task(
        self,
        *,
        user_task_id: str,
        scene_id: str | Unset = UNSET,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.FuncFlag | Unset = UNSET,
    ) -> _models.RetEnvelope | _E:
        """Update a task's settings

        Changes `taskCreateSetting` and `funcFlag` of a task that is paused or not started yet; nothing else
        can be changed. Changes take effect after 5 minutes; number-encryption and SMS changes do not apply
        to numbers already imported or completed. Wiki page "Callbot API updateTask" (partly readable; its
        table has no Required column).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str | Unset): Dialogue template ID.
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (FuncFlag | Unset): Feature switches of a task (createTaskAndCall and updateTask
                spelling).

        Returns:
            RetEnvelope
        """
        _check_argument("update_task", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "update_task", "scene_id", scene_id, (str,), "str", optional=True
        )
        _check_argument(
            "update_task",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "update_task",
            "func_flag",
            func_flag,
            (_models.FuncFlag,),
            "FuncFlag",
            optional=True,
        )

        try:
            _body = _models.UpdateTaskRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "update_task",
                _exc,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return self._call(
            "updateTask",
            "/callcentre/api/v3/updateTask",
            _body,
            _models.RetEnvelope,
            _headers,
        )

    def list_task(
        self,
        *,
        page: int,
        size: int,
        query_conditions: _models.ListTaskConditions,
    ) -> _models.ListTaskResponse | _E:
        """List tasks with their statistics

        Lists tasks with per-task statistics, a page at a time. Wiki page "Callbot API taskList".

        Args:
            page (int): Page number (the example uses 1).
            size (int): Page size (the example uses 100).
            query_conditions (ListTaskConditions): Filters; every one is optional.

        Returns:
            ListTaskResponse
        """
        _check_argument("list_task", "page", page, (int,), "int")
        _check_argument("list_task", "size", size, (int,), "int")
        _check_argument(
            "list_task",
            "query_conditions",
            query_conditions,
            (_models.ListTaskConditions,),
            "ListTaskConditions",
        )

        try:
            _body = _models.ListTaskRequest(
                page=page,
                size=size,
                query_conditions=query_conditions,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_task", _exc, query_conditions=query_conditions)
        _headers: dict[str, str] = {}

        return self._call(
            "listTask",
            "/callcentre/api/v3/listTask",
            _body,
            _models.ListTaskResponse,
            _headers,
        )

    def iter_list_task(
        self,
        *,
        size: int,
        query_conditions: _models.ListTaskConditions,
    ) -> Iterator[_models.TaskInfo]:
        """Every TaskInfo of list_task, page after page (page 1, 2, ...), fetched as you iterate.

        Lists tasks with per-task statistics, a page at a time. Wiki page "Callbot API taskList".

        It stops after an empty page or after a page shorter than size (when size is given). An error reply
        raises instead of being yielded, and so does a page that repeats the page before.

        Args:
            size (int): Page size (the example uses 100).
            query_conditions (ListTaskConditions): Filters; every one is optional.

        Yields:
            TaskInfo
        """
        _check_argument("iter_list_task", "size", size, (int,), "int")
        _check_argument(
            "iter_list_task",
            "query_conditions",
            query_conditions,
            (_models.ListTaskConditions,),
            "ListTaskConditions",
        )

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListTaskRequest(
                    page=_page,
                    size=size,
                    query_conditions=query_conditions,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error(
                    "iter_list_task", _exc, query_conditions=query_conditions
                )
            _headers: dict[str, str] = {}

            _response = self._call_or_raise(
                "listTask",
                "/callcentre/api/v3/listTask",
                _body,
                _models.ListTaskResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.task_data, Unset) else _response.task_data
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listTask", _page)
            _previous = _ends
            yield from _rows
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            _page += 1

    def add_batch_call(
        self,
        *,
        user_task_id: str,
        call_info_list: _models.CallInfoList,
    ) -> _models.AddOrdersResponse | _E:
        """Add contacts (orders) to a task

        Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
        (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            call_info_list (CallInfoList):

        Returns:
            AddOrdersResponse
        """
        _check_argument("add_batch_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "add_batch_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )

        try:
            _body = _models.AddBatchCallRequest(
                user_task_id=user_task_id,
                call_info_list=call_info_list,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("add_batch_call", _exc, call_info_list=call_info_list)
        _headers: dict[str, str] = {}

        return self._call(
            "addBatchCall",
            "/callcentre/api/v3/addBatchCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )

    def list_order(
        self,
        *,
        user_task_id: str,
        options: _models.ListOrderOptions,
        page: int | Unset = UNSET,
        size: int | Unset = UNSET,
    ) -> _models.ListOrderResponse | _E:
        """List orders with their last call

        Order-level list: each order with the status of its last call. Wiki page "Callbot API orderList"
        (request table readable up to `turnTime.enable`; response not readable).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListOrderOptions): Query conditions.
            page (int | Unset): Page number (the example uses 1).
            size (int | Unset): Page size (the example uses 100).

        Returns:
            ListOrderResponse
        """
        _check_argument("list_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "list_order",
            "options",
            options,
            (_models.ListOrderOptions,),
            "ListOrderOptions",
        )
        _check_argument("list_order", "page", page, (int,), "int", optional=True)
        _check_argument("list_order", "size", size, (int,), "int", optional=True)

        try:
            _body = _models.ListOrderRequest(
                user_task_id=user_task_id,
                options=options,
                page=page,
                size=size,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_order", _exc, options=options)
        _headers: dict[str, str] = {}

        return self._call(
            "listOrder",
            "/callcentre/api/v3/listOrder",
            _body,
            _models.ListOrderResponse,
            _headers,
        )

    def iter_list_order(
        self,
        *,
        user_task_id: str,
        options: _models.ListOrderOptions,
        size: int | Unset = UNSET,
    ) -> Iterator[_models.OrderWithLastCall]:
        """Every OrderWithLastCall of list_order, page after page (page 1, 2, ...), fetched as you iterate.

        Order-level list: each order with the status of its last call. Wiki page "Callbot API orderList"
        (request table readable up to `turnTime.enable`; response not readable).

        It stops after an empty page, after a page shorter than size (when size is given) or once totalCount
        rows (when the answer has it) have been seen. An error reply raises instead of being yielded, and so
        does a page that repeats the page before.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListOrderOptions): Query conditions.
            size (int | Unset): Page size (the example uses 100).

        Yields:
            OrderWithLastCall
        """
        _check_argument("iter_list_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "iter_list_order",
            "options",
            options,
            (_models.ListOrderOptions,),
            "ListOrderOptions",
        )
        _check_argument("iter_list_order", "size", size, (int,), "int", optional=True)

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListOrderRequest(
                    user_task_id=user_task_id,
                    options=options,
                    page=_page,
                    size=size,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error("iter_list_order", _exc, options=options)
            _headers: dict[str, str] = {}

            _response = self._call_or_raise(
                "listOrder",
                "/callcentre/api/v3/listOrder",
                _body,
                _models.ListOrderResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.order_list, Unset) else _response.order_list
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listOrder", _page)
            _previous = _ends
            yield from _rows
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            if (
                not isinstance(_response.total_count, Unset)
                and _seen >= _response.total_count
            ):
                return
            _page += 1

    def stop_order(
        self,
        *,
        user_task_id: str,
        order_ids: list[str],
        del_call: _models.DelCall | Unset = UNSET,
    ) -> _models.StopOrderResponse | _E:
        """Stop order calls

        Stops the calls of the given orders that have not been dialed yet. Stopping is irreversible: a
        stopped order is never dialed again. With `delCall` = 1 the undialed data of those orders is
        deleted as well, so use it with care. Orders that cannot be stopped are listed in `errList` with
        the reason. Wiki page "Callbot API stopOrder".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            order_ids (list[str]): Order ID list.
            del_call (DelCall | Unset): Whether to delete the undialed data: 0 keeps it, 1 deletes it
                (use with caution).

        Returns:
            StopOrderResponse
        """
        _check_argument("stop_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "stop_order", "order_ids", order_ids, (list,), "list[str]", items=(str,)
        )
        _check_argument(
            "stop_order",
            "del_call",
            del_call,
            (_models.DelCall,),
            "DelCall",
            optional=True,
        )

        _body = _models.StopOrderRequest(
            user_task_id=user_task_id,
            order_ids=order_ids,
            del_call=del_call,
        ).to_dict()

        _headers: dict[str, str] = {}

        return self._call(
            "stopOrder",
            "/callcentre/api/v3/stopOrder",
            _body,
            _models.StopOrderResponse,
            _headers,
        )

    def list_call(
        self,
        *,
        user_task_id: str,
        options: _models.ListCallOptions,
        page: int | Unset = UNSET,
        size: int | Unset = UNSET,
        accept_encoding: str | Unset = UNSET,
    ) -> _models.ListCallResponse | _E:
        """List calls

        Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
        compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
        response not readable).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListCallOptions): Query conditions.
            page (int | Unset): Page number (the example uses 1).
            size (int | Unset): Page size (the example uses 100).
            accept_encoding (str | Unset):

        Returns:
            ListCallResponse
        """
        _check_argument("list_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "list_call",
            "options",
            options,
            (_models.ListCallOptions,),
            "ListCallOptions",
        )
        _check_argument("list_call", "page", page, (int,), "int", optional=True)
        _check_argument("list_call", "size", size, (int,), "int", optional=True)
        _check_argument(
            "list_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        try:
            _body = _models.ListCallRequest(
                user_task_id=user_task_id,
                options=options,
                page=page,
                size=size,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_call", _exc, options=options)
        _headers: dict[str, str] = {}
        if not isinstance(accept_encoding, Unset):
            _headers["Accept-Encoding"] = str(accept_encoding)

        return self._call(
            "listCall",
            "/callcentre/api/v3/listCall",
            _body,
            _models.ListCallResponse,
            _headers,
        )

    def iter_list_call(
        self,
        *,
        user_task_id: str,
        options: _models.ListCallOptions,
        size: int | Unset = UNSET,
        accept_encoding: str | Unset = UNSET,
    ) -> Iterator[_models.CallRecord]:
        """Every CallRecord of list_call, page after page (page 1, 2, ...), fetched as you iterate.

        Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
        compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
        response not readable).

        It stops after an empty page, after a page shorter than size (when size is given) or once totalCount
        rows (when the answer has it) have been seen. An error reply raises instead of being yielded, and so
        does a page that repeats the page before.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListCallOptions): Query conditions.
            size (int | Unset): Page size (the example uses 100).
            accept_encoding (str | Unset):

        Yields:
            CallRecord
        """
        _check_argument("iter_list_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "iter_list_call",
            "options",
            options,
            (_models.ListCallOptions,),
            "ListCallOptions",
        )
        _check_argument("iter_list_call", "size", size, (int,), "int", optional=True)
        _check_argument(
            "iter_list_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListCallRequest(
                    user_task_id=user_task_id,
                    options=options,
                    page=_page,
                    size=size,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error("iter_list_call", _exc, options=options)
            _headers: dict[str, str] = {}
            if not isinstance(accept_encoding, Unset):
                _headers["Accept-Encoding"] = str(accept_encoding)

            _response = self._call_or_raise(
                "listCall",
                "/callcentre/api/v3/listCall",
                _body,
                _models.ListCallResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.call_list, Unset) else _response.call_list
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listCall", _page)
            _previous = _ends
            yield from _rows
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            if (
                not isinstance(_response.total_count, Unset)
                and _seen >= _response.total_count
            ):
                return
            _page += 1

    def list_order_detail(
        self,
        *,
        user_task_id: str,
        order_list: list[str],
    ) -> _models.ListOrderDetailResponse | _E:
        """Every call of the given orders

        For at most 500 order IDs, returns each order with all of its calls. Wiki page
        "Callbot API orderDetailList".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            order_list (list[str]): Order IDs, at most 500.

        Returns:
            ListOrderDetailResponse
        """
        _check_argument(
            "list_order_detail", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "list_order_detail",
            "order_list",
            order_list,
            (list,),
            "list[str]",
            items=(str,),
        )

        _body = _models.ListOrderDetailRequest(
            user_task_id=user_task_id,
            order_list=order_list,
        ).to_dict()

        _headers: dict[str, str] = {}

        return self._call(
            "listOrderDetail",
            "/callcentre/api/v3/listOrderDetail",
            _body,
            _models.ListOrderDetailResponse,
            _headers,
        )

    def export_batch_call(
        self,
        *,
        user_task_id: str,
        accept_encoding: str | Unset = UNSET,
    ) -> _models.ExportBatchCallResponse | _E:
        """Export the calls of the latest batch

        All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
        compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
        batchExportCall".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            accept_encoding (str | Unset):

        Returns:
            ExportBatchCallResponse
        """
        _check_argument(
            "export_batch_call", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "export_batch_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        _body = _models.ExportBatchCallRequest(
            user_task_id=user_task_id,
        ).to_dict()

        _headers: dict[str, str] = {}
        if not isinstance(accept_encoding, Unset):
            _headers["Accept-Encoding"] = str(accept_encoding)

        return self._call(
            "exportBatchCall",
            "/callcentre/api/v3/exportBatchCall",
            _body,
            _models.ExportBatchCallResponse,
            _headers,
        )

    def import_batch_call(
        self,
        *,
        user_task_id: str,
        call_info_list: _models.CallInfoList,
        content_encoding: _models.ImportBatchCallContentEncoding | Unset = UNSET,
    ) -> _models.AddOrdersResponse | _E:
        """Import orders as a new batch

        Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
        kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
        `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
        is in progress. Wiki page "Callbot API batchImportCall".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            call_info_list (CallInfoList):
            content_encoding (ImportBatchCallContentEncoding | Unset):

        Returns:
            AddOrdersResponse
        """
        _check_argument(
            "import_batch_call", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "import_batch_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )
        _check_argument(
            "import_batch_call",
            "content_encoding",
            content_encoding,
            (_models.ImportBatchCallContentEncoding,),
            "ImportBatchCallContentEncoding",
            optional=True,
        )

        try:
            _body = _models.AddBatchCallRequest(
                user_task_id=user_task_id,
                call_info_list=call_info_list,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("import_batch_call", _exc, call_info_list=call_info_list)
        _headers: dict[str, str] = {}
        if not isinstance(content_encoding, Unset):
            _headers["Content-Encoding"] = str(content_encoding)

        return self._call(
            "importBatchCall",
            "/callcentre/api/v3/importBatchCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )


class AsyncOperations(Generic[_E]):
    """One async method per operation of the spec, each returning the operation's response model (or ``_E``).

    ``_call`` and ``_call_or_raise`` are implemented by the hand-written client (callbot_signing).
    """

    async def _call(
        self,
        operation_id: str,
        path: str,
        body: dict[str, Any],
        response_model: type[_M],
        headers: dict[str, str],
    ) -> _M | _E:
        """Send one signed request and read the answer as ``response_model`` (implemented by the signing layer)."""
        raise NotImplementedError

    async def _call_or_raise(
        self,
        operation_id: str,
        path: str,
        body: dict[str, Any],
        response_model: type[_M],
        headers: dict[str, str],
    ) -> _M:
        """Like ``_call``, but an error reply always raises (the iter_ methods use it)."""
        raise NotImplementedError

    def _page_repeated(self, operation_id: str, page: int) -> None:
        """Called when page ``page`` holds the same rows as the page before (a service that ignores ``page``
        would otherwise be paged forever); it must raise. The signing layer raises its typed error."""
        raise RuntimeError(
            f"{operation_id} answered page {page} with the rows of page {page - 1}"
        )

    async def ping(
        self,
        *,
        data: str,
    ) -> _models.PingResponse | _E:
        """Ping (liveness probe)

        Liveness probe. The value sent in `data` is echoed back. Unlike every other operation, the
        response envelope is `code` / `msg` / `reqId` rather than `retCode` / `retMsg` / `responseID`.
        Wiki page "Callbot API Ping".

        Args:
            data (str): Pass-through value, echoed back in the response.

        Returns:
            PingResponse
        """
        _check_argument("ping", "data", data, (str,), "str")

        _body = _models.PingRequest(
            data=data,
        ).to_dict()

        _headers: dict[str, str] = {}

        return await self._call(
            "ping", "/callcentre/api/v3/ping", _body, _models.PingResponse, _headers
        )

    async def create_task(
        self,
        *,
        user_task_id: str,
        scene_id: str,
        account: str | Unset = UNSET,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.CreateTaskFuncFlag | Unset = UNSET,
        other: str | Unset = UNSET,
        task_callback_url: str | Unset = UNSET,
        order_callback_url: str | Unset = UNSET,
    ) -> _models.RetEnvelope | _E:
        """Create an auto-dial task

        Creates a task (campaign) for a script template (`sceneID`). Orders are added afterwards with
        addBatchCall or importBatchCall. Wiki page "Callbot API createTask" (partly readable: the example
        and the first rows of the body table).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str): Script (dialogue) template ID, from the console's Script Management.
            account (str | Unset):
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (CreateTaskFuncFlag | Unset): Feature switches as the createTask example shows
                them (no phoneEncrypt).
            other (str | Unset):
            task_callback_url (str | Unset): Presumably where task status callbacks are sent (see
                x-assumption).
            order_callback_url (str | Unset): Presumably where order callbacks are sent (see
                x-assumption).

        Returns:
            RetEnvelope
        """
        _check_argument("create_task", "user_task_id", user_task_id, (str,), "str")
        _check_argument("create_task", "scene_id", scene_id, (str,), "str")
        _check_argument("create_task", "account", account, (str,), "str", optional=True)
        _check_argument(
            "create_task",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "create_task",
            "func_flag",
            func_flag,
            (_models.CreateTaskFuncFlag,),
            "CreateTaskFuncFlag",
            optional=True,
        )
        _check_argument("create_task", "other", other, (str,), "str", optional=True)
        _check_argument(
            "create_task",
            "task_callback_url",
            task_callback_url,
            (str,),
            "str",
            optional=True,
        )
        _check_argument(
            "create_task",
            "order_callback_url",
            order_callback_url,
            (str,),
            "str",
            optional=True,
        )

        try:
            _body = _models.CreateTaskRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                account=account,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
                other=other,
                task_callback_url=task_callback_url,
                order_callback_url=order_callback_url,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "create_task",
                _exc,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return await self._call(
            "createTask",
            "/callcentre/api/v3/createTask",
            _body,
            _models.RetEnvelope,
            _headers,
        )

    async def create_and_call(
        self,
        *,
        user_task_id: str,
        scene_id: str,
        call_info_list: _models.CallInfoList,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.FuncFlag | Unset = UNSET,
    ) -> _models.AddOrdersResponse | _E:
        """Create a task and add its contacts in one call

        Creates a task and imports its orders in one request. Wiki page "Callbot API createTaskAndCall"
        (title "Create and Start Call"; the path says createAndCall). Only the example, the header rows and
        the retCode table were readable.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str): Script (dialogue) template ID.
            call_info_list (CallInfoList):
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (FuncFlag | Unset): Feature switches of a task (createTaskAndCall and updateTask
                spelling).

        Returns:
            AddOrdersResponse
        """
        _check_argument("create_and_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument("create_and_call", "scene_id", scene_id, (str,), "str")
        _check_argument(
            "create_and_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )
        _check_argument(
            "create_and_call",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "create_and_call",
            "func_flag",
            func_flag,
            (_models.FuncFlag,),
            "FuncFlag",
            optional=True,
        )

        try:
            _body = _models.CreateAndCallRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                call_info_list=call_info_list,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "create_and_call",
                _exc,
                call_info_list=call_info_list,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return await self._call(
            "createAndCall",
            "/callcentre/api/v3/createAndCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )

    async def mgr_task_status(
        self,
        *,
        user_task_id: str,
        task_operate: _models.TaskOperate,
        del_call: _models.DelCall | Unset = UNSET,
    ) -> _models.MgrTaskStatusResponse | _E:
        """Start, pause or finish a task

        Changes a task's status with `taskOperate` (1 start, 2 pause, 3 finish). Wiki page
        "Callbot API mgrTaskStatus".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            task_operate (TaskOperate): Task operation: 1 start, 2 pause, 3 complete / finish.
            del_call (DelCall | Unset): Whether to delete the undialed data: 0 keeps it, 1 deletes it
                (use with caution).

        Returns:
            MgrTaskStatusResponse
        """
        _check_argument("mgr_task_status", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "mgr_task_status",
            "task_operate",
            task_operate,
            (_models.TaskOperate,),
            "TaskOperate",
        )
        _check_argument(
            "mgr_task_status",
            "del_call",
            del_call,
            (_models.DelCall,),
            "DelCall",
            optional=True,
        )

        _body = _models.MgrTaskStatusRequest(
            user_task_id=user_task_id,
            task_operate=task_operate,
            del_call=del_call,
        ).to_dict()

        _headers: dict[str, str] = {}

        return await self._call(
            "mgrTaskStatus",
            "/callcentre/api/v3/mgrTaskStatus",
            _body,
            _models.MgrTaskStatusResponse,
            _headers,
        )

    async def update_task(
        self,
        *,
        user_task_id: str,
        scene_id: str | Unset = UNSET,
        task_create_setting: _models.TaskCreateSetting | Unset = UNSET,
        func_flag: _models.FuncFlag | Unset = UNSET,
    ) -> _models.RetEnvelope | _E:
        """Update a task's settings

        Changes `taskCreateSetting` and `funcFlag` of a task that is paused or not started yet; nothing else
        can be changed. Changes take effect after 5 minutes; number-encryption and SMS changes do not apply
        to numbers already imported or completed. Wiki page "Callbot API updateTask" (partly readable; its
        table has no Required column).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            scene_id (str | Unset): Dialogue template ID.
            task_create_setting (TaskCreateSetting | Unset): Dialing settings of a task.
            func_flag (FuncFlag | Unset): Feature switches of a task (createTaskAndCall and updateTask
                spelling).

        Returns:
            RetEnvelope
        """
        _check_argument("update_task", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "update_task", "scene_id", scene_id, (str,), "str", optional=True
        )
        _check_argument(
            "update_task",
            "task_create_setting",
            task_create_setting,
            (_models.TaskCreateSetting,),
            "TaskCreateSetting",
            optional=True,
        )
        _check_argument(
            "update_task",
            "func_flag",
            func_flag,
            (_models.FuncFlag,),
            "FuncFlag",
            optional=True,
        )

        try:
            _body = _models.UpdateTaskRequest(
                user_task_id=user_task_id,
                scene_id=scene_id,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error(
                "update_task",
                _exc,
                task_create_setting=task_create_setting,
                func_flag=func_flag,
            )
        _headers: dict[str, str] = {}

        return await self._call(
            "updateTask",
            "/callcentre/api/v3/updateTask",
            _body,
            _models.RetEnvelope,
            _headers,
        )

    async def list_task(
        self,
        *,
        page: int,
        size: int,
        query_conditions: _models.ListTaskConditions,
    ) -> _models.ListTaskResponse | _E:
        """List tasks with their statistics

        Lists tasks with per-task statistics, a page at a time. Wiki page "Callbot API taskList".

        Args:
            page (int): Page number (the example uses 1).
            size (int): Page size (the example uses 100).
            query_conditions (ListTaskConditions): Filters; every one is optional.

        Returns:
            ListTaskResponse
        """
        _check_argument("list_task", "page", page, (int,), "int")
        _check_argument("list_task", "size", size, (int,), "int")
        _check_argument(
            "list_task",
            "query_conditions",
            query_conditions,
            (_models.ListTaskConditions,),
            "ListTaskConditions",
        )

        try:
            _body = _models.ListTaskRequest(
                page=page,
                size=size,
                query_conditions=query_conditions,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_task", _exc, query_conditions=query_conditions)
        _headers: dict[str, str] = {}

        return await self._call(
            "listTask",
            "/callcentre/api/v3/listTask",
            _body,
            _models.ListTaskResponse,
            _headers,
        )

    async def iter_list_task(
        self,
        *,
        size: int,
        query_conditions: _models.ListTaskConditions,
    ) -> AsyncIterator[_models.TaskInfo]:
        """Every TaskInfo of list_task, page after page (page 1, 2, ...), fetched as you iterate.

        Lists tasks with per-task statistics, a page at a time. Wiki page "Callbot API taskList".

        It stops after an empty page or after a page shorter than size (when size is given). An error reply
        raises instead of being yielded, and so does a page that repeats the page before.

        Args:
            size (int): Page size (the example uses 100).
            query_conditions (ListTaskConditions): Filters; every one is optional.

        Yields:
            TaskInfo
        """
        _check_argument("iter_list_task", "size", size, (int,), "int")
        _check_argument(
            "iter_list_task",
            "query_conditions",
            query_conditions,
            (_models.ListTaskConditions,),
            "ListTaskConditions",
        )

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListTaskRequest(
                    page=_page,
                    size=size,
                    query_conditions=query_conditions,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error(
                    "iter_list_task", _exc, query_conditions=query_conditions
                )
            _headers: dict[str, str] = {}

            _response = await self._call_or_raise(
                "listTask",
                "/callcentre/api/v3/listTask",
                _body,
                _models.ListTaskResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.task_data, Unset) else _response.task_data
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listTask", _page)
            _previous = _ends
            for _row in _rows:
                yield _row
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            _page += 1

    async def add_batch_call(
        self,
        *,
        user_task_id: str,
        call_info_list: _models.CallInfoList,
    ) -> _models.AddOrdersResponse | _E:
        """Add contacts (orders) to a task

        Adds orders (one per phone number) to an existing task. Wiki page "Callbot API addBatchOrder"
        (title "Add Call Order"; the path says addBatchCall). Readable up to the `params` row.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            call_info_list (CallInfoList):

        Returns:
            AddOrdersResponse
        """
        _check_argument("add_batch_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "add_batch_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )

        try:
            _body = _models.AddBatchCallRequest(
                user_task_id=user_task_id,
                call_info_list=call_info_list,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("add_batch_call", _exc, call_info_list=call_info_list)
        _headers: dict[str, str] = {}

        return await self._call(
            "addBatchCall",
            "/callcentre/api/v3/addBatchCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )

    async def list_order(
        self,
        *,
        user_task_id: str,
        options: _models.ListOrderOptions,
        page: int | Unset = UNSET,
        size: int | Unset = UNSET,
    ) -> _models.ListOrderResponse | _E:
        """List orders with their last call

        Order-level list: each order with the status of its last call. Wiki page "Callbot API orderList"
        (request table readable up to `turnTime.enable`; response not readable).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListOrderOptions): Query conditions.
            page (int | Unset): Page number (the example uses 1).
            size (int | Unset): Page size (the example uses 100).

        Returns:
            ListOrderResponse
        """
        _check_argument("list_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "list_order",
            "options",
            options,
            (_models.ListOrderOptions,),
            "ListOrderOptions",
        )
        _check_argument("list_order", "page", page, (int,), "int", optional=True)
        _check_argument("list_order", "size", size, (int,), "int", optional=True)

        try:
            _body = _models.ListOrderRequest(
                user_task_id=user_task_id,
                options=options,
                page=page,
                size=size,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_order", _exc, options=options)
        _headers: dict[str, str] = {}

        return await self._call(
            "listOrder",
            "/callcentre/api/v3/listOrder",
            _body,
            _models.ListOrderResponse,
            _headers,
        )

    async def iter_list_order(
        self,
        *,
        user_task_id: str,
        options: _models.ListOrderOptions,
        size: int | Unset = UNSET,
    ) -> AsyncIterator[_models.OrderWithLastCall]:
        """Every OrderWithLastCall of list_order, page after page (page 1, 2, ...), fetched as you iterate.

        Order-level list: each order with the status of its last call. Wiki page "Callbot API orderList"
        (request table readable up to `turnTime.enable`; response not readable).

        It stops after an empty page, after a page shorter than size (when size is given) or once totalCount
        rows (when the answer has it) have been seen. An error reply raises instead of being yielded, and so
        does a page that repeats the page before.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListOrderOptions): Query conditions.
            size (int | Unset): Page size (the example uses 100).

        Yields:
            OrderWithLastCall
        """
        _check_argument("iter_list_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "iter_list_order",
            "options",
            options,
            (_models.ListOrderOptions,),
            "ListOrderOptions",
        )
        _check_argument("iter_list_order", "size", size, (int,), "int", optional=True)

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListOrderRequest(
                    user_task_id=user_task_id,
                    options=options,
                    page=_page,
                    size=size,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error("iter_list_order", _exc, options=options)
            _headers: dict[str, str] = {}

            _response = await self._call_or_raise(
                "listOrder",
                "/callcentre/api/v3/listOrder",
                _body,
                _models.ListOrderResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.order_list, Unset) else _response.order_list
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listOrder", _page)
            _previous = _ends
            for _row in _rows:
                yield _row
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            if (
                not isinstance(_response.total_count, Unset)
                and _seen >= _response.total_count
            ):
                return
            _page += 1

    async def stop_order(
        self,
        *,
        user_task_id: str,
        order_ids: list[str],
        del_call: _models.DelCall | Unset = UNSET,
    ) -> _models.StopOrderResponse | _E:
        """Stop order calls

        Stops the calls of the given orders that have not been dialed yet. Stopping is irreversible: a
        stopped order is never dialed again. With `delCall` = 1 the undialed data of those orders is
        deleted as well, so use it with care. Orders that cannot be stopped are listed in `errList` with
        the reason. Wiki page "Callbot API stopOrder".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            order_ids (list[str]): Order ID list.
            del_call (DelCall | Unset): Whether to delete the undialed data: 0 keeps it, 1 deletes it
                (use with caution).

        Returns:
            StopOrderResponse
        """
        _check_argument("stop_order", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "stop_order", "order_ids", order_ids, (list,), "list[str]", items=(str,)
        )
        _check_argument(
            "stop_order",
            "del_call",
            del_call,
            (_models.DelCall,),
            "DelCall",
            optional=True,
        )

        _body = _models.StopOrderRequest(
            user_task_id=user_task_id,
            order_ids=order_ids,
            del_call=del_call,
        ).to_dict()

        _headers: dict[str, str] = {}

        return await self._call(
            "stopOrder",
            "/callcentre/api/v3/stopOrder",
            _body,
            _models.StopOrderResponse,
            _headers,
        )

    async def list_call(
        self,
        *,
        user_task_id: str,
        options: _models.ListCallOptions,
        page: int | Unset = UNSET,
        size: int | Unset = UNSET,
        accept_encoding: str | Unset = UNSET,
    ) -> _models.ListCallResponse | _E:
        """List calls

        Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
        compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
        response not readable).

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListCallOptions): Query conditions.
            page (int | Unset): Page number (the example uses 1).
            size (int | Unset): Page size (the example uses 100).
            accept_encoding (str | Unset):

        Returns:
            ListCallResponse
        """
        _check_argument("list_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "list_call",
            "options",
            options,
            (_models.ListCallOptions,),
            "ListCallOptions",
        )
        _check_argument("list_call", "page", page, (int,), "int", optional=True)
        _check_argument("list_call", "size", size, (int,), "int", optional=True)
        _check_argument(
            "list_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        try:
            _body = _models.ListCallRequest(
                user_task_id=user_task_id,
                options=options,
                page=page,
                size=size,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("list_call", _exc, options=options)
        _headers: dict[str, str] = {}
        if not isinstance(accept_encoding, Unset):
            _headers["Accept-Encoding"] = str(accept_encoding)

        return await self._call(
            "listCall",
            "/callcentre/api/v3/listCall",
            _body,
            _models.ListCallResponse,
            _headers,
        )

    async def iter_list_call(
        self,
        *,
        user_task_id: str,
        options: _models.ListCallOptions,
        size: int | Unset = UNSET,
        accept_encoding: str | Unset = UNSET,
    ) -> AsyncIterator[_models.CallRecord]:
        """Every CallRecord of list_call, page after page (page 1, 2, ...), fetched as you iterate.

        Call-level list: one order can have several calls. With `Accept-Encoding: gzip` the response body is
        compressed. Wiki page "Callbot API callList" (Chinese only, request table cut after `intentName`;
        response not readable).

        It stops after an empty page, after a page shorter than size (when size is given) or once totalCount
        rows (when the answer has it) have been seen. An error reply raises instead of being yielded, and so
        does a page that repeats the page before.

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            options (ListCallOptions): Query conditions.
            size (int | Unset): Page size (the example uses 100).
            accept_encoding (str | Unset):

        Yields:
            CallRecord
        """
        _check_argument("iter_list_call", "user_task_id", user_task_id, (str,), "str")
        _check_argument(
            "iter_list_call",
            "options",
            options,
            (_models.ListCallOptions,),
            "ListCallOptions",
        )
        _check_argument("iter_list_call", "size", size, (int,), "int", optional=True)
        _check_argument(
            "iter_list_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        _page = 1
        _seen = 0
        _previous: list[dict[str, Any]] = []
        while True:
            try:
                _body = _models.ListCallRequest(
                    user_task_id=user_task_id,
                    options=options,
                    page=_page,
                    size=size,
                ).to_dict()

            # A wrong type inside a model argument.
            except (AttributeError, TypeError, ValueError) as _exc:
                _nested_type_error("iter_list_call", _exc, options=options)
            _headers: dict[str, str] = {}
            if not isinstance(accept_encoding, Unset):
                _headers["Accept-Encoding"] = str(accept_encoding)

            _response = await self._call_or_raise(
                "listCall",
                "/callcentre/api/v3/listCall",
                _body,
                _models.ListCallResponse,
                _headers,
            )
            _rows = (
                [] if isinstance(_response.call_list, Unset) else _response.call_list
            )
            _ends = [_rows[0].to_dict(), _rows[-1].to_dict()] if _rows else []
            if _ends and _ends == _previous:
                self._page_repeated("listCall", _page)
            _previous = _ends
            for _row in _rows:
                yield _row
            _seen += len(_rows)
            if not _rows:
                return
            if not isinstance(size, Unset) and len(_rows) < size:
                return
            if (
                not isinstance(_response.total_count, Unset)
                and _seen >= _response.total_count
            ):
                return
            _page += 1

    async def list_order_detail(
        self,
        *,
        user_task_id: str,
        order_list: list[str],
    ) -> _models.ListOrderDetailResponse | _E:
        """Every call of the given orders

        For at most 500 order IDs, returns each order with all of its calls. Wiki page
        "Callbot API orderDetailList".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            order_list (list[str]): Order IDs, at most 500.

        Returns:
            ListOrderDetailResponse
        """
        _check_argument(
            "list_order_detail", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "list_order_detail",
            "order_list",
            order_list,
            (list,),
            "list[str]",
            items=(str,),
        )

        _body = _models.ListOrderDetailRequest(
            user_task_id=user_task_id,
            order_list=order_list,
        ).to_dict()

        _headers: dict[str, str] = {}

        return await self._call(
            "listOrderDetail",
            "/callcentre/api/v3/listOrderDetail",
            _body,
            _models.ListOrderDetailResponse,
            _headers,
        )

    async def export_batch_call(
        self,
        *,
        user_task_id: str,
        accept_encoding: str | Unset = UNSET,
    ) -> _models.ExportBatchCallResponse | _E:
        """Export the calls of the latest batch

        All call data of the task's latest batch. With `Accept-Encoding: gzip` the response body is
        compressed. retCode 1001 means a batch import is in progress. Wiki page "Callbot API
        batchExportCall".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            accept_encoding (str | Unset):

        Returns:
            ExportBatchCallResponse
        """
        _check_argument(
            "export_batch_call", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "export_batch_call",
            "accept_encoding",
            accept_encoding,
            (str,),
            "str",
            optional=True,
        )

        _body = _models.ExportBatchCallRequest(
            user_task_id=user_task_id,
        ).to_dict()

        _headers: dict[str, str] = {}
        if not isinstance(accept_encoding, Unset):
            _headers["Accept-Encoding"] = str(accept_encoding)

        return await self._call(
            "exportBatchCall",
            "/callcentre/api/v3/exportBatchCall",
            _body,
            _models.ExportBatchCallResponse,
            _headers,
        )

    async def import_batch_call(
        self,
        *,
        user_task_id: str,
        call_info_list: _models.CallInfoList,
        content_encoding: _models.ImportBatchCallContentEncoding | Unset = UNSET,
    ) -> _models.AddOrdersResponse | _E:
        """Import orders as a new batch

        Imports orders as a new batch of the task: orders of the previous batch that were already dialed are
        kept, its undialed orders are deleted. The body is the same as addBatchCall's. With
        `Content-Encoding: gzip` the request body may be sent compressed. retCode 1001 means another import
        is in progress. Wiki page "Callbot API batchImportCall".

        Args:
            user_task_id (str): Task ID of the requester, generated by the caller and unique; a UUID
                is recommended.
            call_info_list (CallInfoList):
            content_encoding (ImportBatchCallContentEncoding | Unset):

        Returns:
            AddOrdersResponse
        """
        _check_argument(
            "import_batch_call", "user_task_id", user_task_id, (str,), "str"
        )
        _check_argument(
            "import_batch_call",
            "call_info_list",
            call_info_list,
            (_models.CallInfoList,),
            "CallInfoList",
        )
        _check_argument(
            "import_batch_call",
            "content_encoding",
            content_encoding,
            (_models.ImportBatchCallContentEncoding,),
            "ImportBatchCallContentEncoding",
            optional=True,
        )

        try:
            _body = _models.AddBatchCallRequest(
                user_task_id=user_task_id,
                call_info_list=call_info_list,
            ).to_dict()

        # A wrong type inside a model argument.
        except (AttributeError, TypeError, ValueError) as _exc:
            _nested_type_error("import_batch_call", _exc, call_info_list=call_info_list)
        _headers: dict[str, str] = {}
        if not isinstance(content_encoding, Unset):
            _headers["Content-Encoding"] = str(content_encoding)

        return await self._call(
            "importBatchCall",
            "/callcentre/api/v3/importBatchCall",
            _body,
            _models.AddOrdersResponse,
            _headers,
        )
