"""The receiver under Flask, as the docs show it, with two accounts and the claims in Redis (several
processes or hosts); test_receiver_examples serves it. Callbacks go to /callbot/call, /callbot/order and
/callbot/task."""

import os

import redis
from flask import Flask
from nxcloud_callbot import Delivery, RedisReplayStore, WebhookReceiver
from nxcloud_callbot.models import CallCallback
from werkzeug.middleware.dispatcher import DispatcherMiddleware

receiver = WebhookReceiver(
    {  # each account's uuid: its secret key, or (secret key, the console's algorithm)
        os.environ["SHOP_UUID"]: os.environ["SHOP_SECRET_KEY"],
        os.environ["CLINIC_UUID"]: (os.environ["CLINIC_SECRET_KEY"], "SHA256"),
    },
    store=RedisReplayStore(redis.Redis.from_url(os.environ["REDIS_URL"]), prefix="myapp:callbot:"),
)
calls: list[tuple[str, str]] = []  # your own handling goes here


@receiver.on("call")
def call_ended(delivery: Delivery[CallCallback]) -> None:
    calls.append((delivery.account, delivery.event.order_id))


app = Flask(__name__)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/callbot": receiver.wsgi_app()})  # type: ignore[method-assign]
