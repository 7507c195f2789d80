"""The receiver under Starlette (FastAPI: ``app.mount("/callbot", receiver.asgi_app())``), as the docs show it;
test_receiver_examples serves it. Run: ``uvicorn receiver:app``; callbacks go to /callbot/call, /callbot/order
and /callbot/task."""

from nxcloud_callbot import Delivery, WebhookReceiver
from nxcloud_callbot.models import OrderCallback, TaskCallback
from starlette.applications import Starlette
from starlette.routing import Mount

receiver = WebhookReceiver()  # the account of CALLBOT_UUID, CALLBOT_SECRET_KEY and CALLBOT_ALGORITHM
finished_orders: list[str] = []  # your own handling goes here


@receiver.on("order")
async def order_finished(delivery: Delivery[OrderCallback]) -> None:
    finished_orders.append(delivery.event.order_id)


@receiver.on("task")
def task_changed(delivery: Delivery[TaskCallback]) -> None:  # a plain function runs in a worker thread
    print(delivery.account, delivery.request_id, delivery.event.task_status)


app = Starlette(routes=[Mount("/callbot", app=receiver.asgi_app())])
