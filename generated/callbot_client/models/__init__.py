"""Contains all the data models used in inputs/outputs"""

from .del_call import DelCall
from .ping_request import PingRequest
from .ping_response import PingResponse
from .stop_order_error import StopOrderError
from .stop_order_request import StopOrderRequest
from .stop_order_response import StopOrderResponse

__all__ = (
    "DelCall",
    "PingRequest",
    "PingResponse",
    "StopOrderError",
    "StopOrderRequest",
    "StopOrderResponse",
)
