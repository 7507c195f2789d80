"""The baseline of the sandbox's throughput: a bare Starlette app answering every operation with one fixed
body, served by uvicorn with the sandbox's settings. ``python -m bench.bare_app PORT [--signing-headers]``:
with the flag, every answer also carries five fixed signing headers, as a signed answer must (to show what
the wire format alone costs)."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

FIXED = b'{"retCode":0,"retMsg":"success","responseID":"r","code":0,"msg":"success","data":"x"}'
SIGNING_HEADERS = {
    "requestID": "0123456789abcdef0123456789abcdef",
    "uuid": "bench-uuid",
    "createTs": "1800000000",
    "algorithm": "MD5",
    "sign": "0123456789ABCDEF0123456789ABCDEF",
}


async def answer(request: Request) -> Response:
    await request.body()
    return Response(FIXED, media_type="application/json")


async def answer_with_headers(request: Request) -> Response:
    await request.body()
    return Response(FIXED, media_type="application/json", headers=SIGNING_HEADERS)


def main() -> None:
    paths = ("ping", "stopOrder", "listOrder")
    endpoint = answer_with_headers if "--signing-headers" in sys.argv[2:] else answer
    app = Starlette(routes=[Route(f"/callcentre/api/v3/{name}", endpoint, methods=["POST"]) for name in paths])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
