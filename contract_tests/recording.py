"""An ASGI wrapper that records, per HTTP request, what the server saw: the account, the path and the
client's port (one TCP connection keeps its port, so equal ports mean a reused connection)."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass(frozen=True)
class Seen:
    uuid: str
    path: str
    client_port: int


@dataclass
class RecordingApp:
    app: ASGIApp
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            client = scope.get("client") or ("", 0)
            self.seen.append(Seen(headers.get(b"uuid", b"").decode("latin-1"), scope["path"], client[1]))
        await self.app(scope, receive, send)

    def paths_of(self, uuid: str) -> list[str]:
        return [seen.path for seen in self.seen if seen.uuid == uuid]
