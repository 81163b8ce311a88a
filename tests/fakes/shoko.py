r"""A fake Shoko Server on loopback: its REST calls and its SignalR aggregate hub.

The hub speaks ASP.NET Core SignalR's JSON protocol over WebSockets as Shoko
does: negotiate (v1, with a connection token), a handshake ended by ``\\x1e``,
records ended by ``\\x1e`` (several may share a frame), pings (type 6) and
close messages (type 7). v5 is anonymous; v6 wants the ``apikey`` header.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

from aiohttp import WSMsgType, web

from .server import LoopbackServer

RS = "\x1e"
API_KEY = "shoko-test-key"
USERNAME, PASSWORD = "admin", "shoko-password"


class FakeShoko(LoopbackServer):
    """One Shoko Server; tests push events with ``emit``."""

    def __init__(self, major_version: int = 5) -> None:
        self.major_version = major_version
        self.sockets: list[web.WebSocketResponse] = []
        self.handshakes = 0
        self.negotiations = 0
        self.answer_handshake = True
        self.ping_interval = 0.2
        self.connected = asyncio.Event()
        self.feeds: list[str] = []
        self._tokens: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/api/v3/Init/Version", self._version)
        router.add_get("/api/v3/Init/Status", self._status)
        router.add_get("/api/v3/ImportFolder", self._import_folders)
        router.add_post("/api/auth", self._auth)
        router.add_post("/signalr/aggregate/negotiate", self._negotiate)
        router.add_get("/signalr/aggregate", self._hub)

    async def stop(self) -> None:
        """Go away as a server does when it stops: sockets closed, port freed."""
        for socket in list(self.sockets):
            await socket.close()
        for task in list(self._tasks):
            task.cancel()
        await super().stop()
        self.connected.clear()

    async def emit(self, target: str, *arguments: Any, together: bool = False) -> None:
        """Send an invocation to every connected client."""
        record = (
            json.dumps({"type": 1, "target": target, "arguments": list(arguments)}) + RS
        )
        for socket in list(self.sockets):
            await socket.send_str(record * 2 if together else record)

    async def send_raw(self, text: str) -> None:
        for socket in list(self.sockets):
            await socket.send_str(text)

    async def drop(self) -> None:
        """Close every connection with SignalR's close message and an error."""
        await self.send_raw(
            json.dumps(
                {"type": 7, "error": "Server is shutting down", "allowReconnect": True}
            )
            + RS
        )
        for socket in list(self.sockets):
            await socket.close()
        self.connected.clear()

    def _authorised(self, request: web.Request) -> bool:
        return self.major_version < 6 or request.headers.get("apikey") == API_KEY

    async def _version(self, request: web.Request) -> web.Response:
        version = (
            f"{self.major_version}.3.3.0" if self.major_version < 6 else "6.0.0.425"
        )
        return web.json_response(
            {
                "Server": {
                    "Version": version,
                    "ReleaseChannel": "Stable",
                    "Commit": "abc",
                    "Tag": f"v{version}",
                }
            }
        )

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "StartupMessage": "Complete!",
                "State": 2,
                "Uptime": "01:02:03",
                "DatabaseBlocked": {},
            }
        )

    async def _import_folders(self, request: web.Request) -> web.Response:
        if request.headers.get("apikey") != API_KEY:
            return web.Response(status=401)
        return web.json_response(
            [
                {
                    "ID": 2,
                    "Name": "Anime",
                    "Path": "/mnt/anime/",
                    "DropFolderType": "Destination",
                }
            ]
        )

    async def _auth(self, request: web.Request) -> web.Response:
        body = await request.json()
        if not {"user", "pass", "device"} <= set(body):
            return web.Response(status=400)
        if (body["user"], body["pass"]) != (USERNAME, PASSWORD):
            return web.Response(status=401)
        return web.json_response({"apikey": API_KEY})

    async def _negotiate(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=401)
        self.negotiations += 1
        token = secrets.token_urlsafe(16)
        self._tokens.add(token)
        return web.json_response(
            {
                "negotiateVersion": 1,
                "connectionId": secrets.token_urlsafe(16),
                "connectionToken": token,
                "availableTransports": [
                    {"transport": "WebSockets", "transferFormats": ["Text", "Binary"]},
                    {"transport": "ServerSentEvents", "transferFormats": ["Text"]},
                    {"transport": "LongPolling", "transferFormats": ["Text", "Binary"]},
                ],
            }
        )

    async def _hub(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return web.Response(status=401)
        token = request.query.get("id")
        if token is not None:
            if token not in self._tokens:
                return web.Response(status=404, text="No Connection with that ID")
            self._tokens.discard(token)  # a token is good for one connection
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.feeds = request.query.get("feeds", "").split(",")
        buffer = ""
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    break
                buffer += message.data
                while RS in buffer:
                    record, buffer = buffer.split(RS, 1)
                    await self._on_record(socket, json.loads(record))
        finally:
            if socket in self.sockets:
                self.sockets.remove(socket)
        return socket

    async def _on_record(
        self, socket: web.WebSocketResponse, record: dict[str, Any]
    ) -> None:
        if "protocol" in record:
            if not self.answer_handshake:
                return
            await socket.send_str("{}" + RS)
            self.handshakes += 1
            self.sockets.append(socket)
            group = "ShokoEvent" if self.major_version < 6 else "file"
            await socket.send_str(
                json.dumps(
                    {
                        "type": 1,
                        "target": f"{group}:OnConnected"
                        if self.major_version < 6
                        else "file:connected",
                        "arguments": [None],
                    }
                )
                + RS
            )
            task = asyncio.create_task(self._pinger(socket))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            self.connected.set()

    async def _pinger(self, socket: web.WebSocketResponse) -> None:
        while not socket.closed:
            await asyncio.sleep(self.ping_interval)
            if not socket.closed:
                await socket.send_str(json.dumps({"type": 6}) + RS)
