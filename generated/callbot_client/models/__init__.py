"""Contains all the data models used in inputs/outputs"""

from .add_batch_call_request import AddBatchCallRequest
from .add_orders_response import AddOrdersResponse
from .agent import Agent
from .call_callback import CallCallback
from .call_info_detail import CallInfoDetail
from .call_info_detail_record_detail_item import CallInfoDetailRecordDetailItem
from .call_info_list import CallInfoList
from .call_order import CallOrder
from .call_record import CallRecord
from .create_and_call_request import CreateAndCallRequest
from .create_task_func_flag import CreateTaskFuncFlag
from .create_task_request import CreateTaskRequest
from .create_task_sms_func_flag import CreateTaskSmsFuncFlag
from .del_call import DelCall
from .export_batch_call_request import ExportBatchCallRequest
from .export_batch_call_response import ExportBatchCallResponse
from .exported_call import ExportedCall
from .func_flag import FuncFlag
from .import_batch_call_content_encoding import ImportBatchCallContentEncoding
from .intent import Intent
from .list_call_options import ListCallOptions
from .list_call_request import ListCallRequest
from .list_call_response import ListCallResponse
from .list_order_detail_request import ListOrderDetailRequest
from .list_order_detail_response import ListOrderDetailResponse
from .list_order_options import ListOrderOptions
from .list_order_request import ListOrderRequest
from .list_order_response import ListOrderResponse
from .list_task_conditions import ListTaskConditions
from .list_task_request import ListTaskRequest
from .list_task_response import ListTaskResponse
from .manual_call_setting import ManualCallSetting
from .mgr_task_status_request import MgrTaskStatusRequest
from .mgr_task_status_response import MgrTaskStatusResponse
from .order_callback import OrderCallback
from .order_detail import OrderDetail
from .order_error import OrderError
from .order_info import OrderInfo
from .order_with_last_call import OrderWithLastCall
from .param import Param
from .ping_request import PingRequest
from .ping_response import PingResponse
from .range_filter import RangeFilter
from .ret_envelope import RetEnvelope
from .sms import Sms
from .sms_func_flag import SmsFuncFlag
from .stop_order_error import StopOrderError
from .stop_order_request import StopOrderRequest
from .stop_order_response import StopOrderResponse
from .task_callback import TaskCallback
from .task_create_setting import TaskCreateSetting
from .task_info import TaskInfo
from .task_info_stat import TaskInfoStat
from .task_operate import TaskOperate
from .task_stat import TaskStat
from .task_status import TaskStatus
from .update_task_request import UpdateTaskRequest

__all__ = (
    "AddBatchCallRequest",
    "AddOrdersResponse",
    "Agent",
    "CallCallback",
    "CallInfoDetail",
    "CallInfoDetailRecordDetailItem",
    "CallInfoList",
    "CallOrder",
    "CallRecord",
    "CreateAndCallRequest",
    "CreateTaskFuncFlag",
    "CreateTaskRequest",
    "CreateTaskSmsFuncFlag",
    "DelCall",
    "ExportBatchCallRequest",
    "ExportBatchCallResponse",
    "ExportedCall",
    "FuncFlag",
    "ImportBatchCallContentEncoding",
    "Intent",
    "ListCallOptions",
    "ListCallRequest",
    "ListCallResponse",
    "ListOrderDetailRequest",
    "ListOrderDetailResponse",
    "ListOrderOptions",
    "ListOrderRequest",
    "ListOrderResponse",
    "ListTaskConditions",
    "ListTaskRequest",
    "ListTaskResponse",
    "ManualCallSetting",
    "MgrTaskStatusRequest",
    "MgrTaskStatusResponse",
    "OrderCallback",
    "OrderDetail",
    "OrderError",
    "OrderInfo",
    "OrderWithLastCall",
    "Param",
    "PingRequest",
    "PingResponse",
    "RangeFilter",
    "RetEnvelope",
    "Sms",
    "SmsFuncFlag",
    "StopOrderError",
    "StopOrderRequest",
    "StopOrderResponse",
    "TaskCallback",
    "TaskCreateSetting",
    "TaskInfo",
    "TaskInfoStat",
    "TaskOperate",
    "TaskStat",
    "TaskStatus",
    "UpdateTaskRequest",
)
