"""The baseline of the sandbox's throughput: a bare Starlette app answering every operation with one fixed
body, served by uvicorn with the sandbox's settings. ``python -m bench.bare_app PORT``."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXED = b'{"retCode":0,"retMsg":"success","responseID":"r","code":0,"msg":"success","data":"x"}'


async def answer(request: Request) -> Response:
    await request.body()
    return Response(FIXED, media_type="application/json")


def main() -> None:
    paths = ("ping", "stopOrder", "listOrder")
    app = Starlette(routes=[Route(f"/callcentre/api/v3/{name}", answer, methods=["POST"]) for name in paths])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
