"""The sandbox in its own process, for the sections of `make bench` that call it over loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from callbot_signing import connect

from .report import SECRET, UUID

# --- a sandbox in its own process --------------------------------------------------------------------------


class SandboxProcess:
    """``callbot-sandbox`` in its own process, with the task ``bench-task`` (orders o-1, o-2) made.

    ``replays``: serve a signed request again (``--allow-replayed-requests``), so that the bare clients of
    a load generator can resend headers signed once and the server does the same work for every client."""

    def __init__(self, *, replays: bool = True) -> None:
        from callbot_sandbox.testing import free_port, wait_until_ready

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            str(Path(sys.executable).parent / "callbot-sandbox"),
            "--port",
            str(self.port),
            "--clock",
            "virtual",
            "--log-level",
            "warning",
            *(["--allow-replayed-requests"] if replays else []),
        ]
        env = {**os.environ, "CALLBOT_SANDBOX_ACCOUNTS": f"{UUID}:{SECRET}"}
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_until_ready(self.url, UUID, SECRET, self.process)
        with connect(self.url, UUID, SECRET) as client:
            for path, body in (
                ("createTask", {"productID": "callbot", "userTaskID": "bench-task", "sceneID": "s"}),
                (
                    "addBatchCall",
                    {
                        "productID": "callbot",
                        "userTaskID": "bench-task",
                        "callInfoList": {
                            "orderCallbackUrl": "",
                            "callCallbackUrl": "",
                            "callList": [{"orderID": o, "userPhone": "8613800000000"} for o in ("o-1", "o-2")],
                        },
                    },
                ),
            ):
                assert client.get_httpx_client().post(f"/callcentre/api/v3/{path}", json=body).json()["retCode"] == 0

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
