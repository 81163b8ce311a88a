r"""A fake Shoko Server on loopback: its REST calls and its SignalR aggregate hub.

It answers as the release it is given does (``tests/fakes/UPSTREAM.md``
names the source file and tag of every fact): ``5`` is v5.3.3, ``6`` is
v6.0.0-dev.425, and a full version such as ``"5.1.0"`` picks the older v5
shapes (``State`` as a number before 5.2.0).

The hub speaks ASP.NET Core SignalR's JSON protocol over WebSockets: negotiate
(v1, with a connection token good for one connection), a handshake ended by
``\x1e``, records ended by ``\x1e`` (several may share a frame), pings (type 6)
and close messages (type 7). Events go only to the connections that joined
their group through ``?feeds=``, as ``Clients.Group(...)`` does. v5's hub is
anonymous; v6's wants a key. Only the feeds the integration uses are modelled
(v5 ``shoko``; v6 ``file``, ``release``, ``metadata``); others are ignored.
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
RELEASES = {5: "5.3.3", 6: "6.0.0-dev.425"}
# v5 group names come from the emitter class (ShokoEventEmitter -> "ShokoEvent");
# v6 groups are the lower-cased feed names, and their events are "<group>:<name>".
V5_GROUPS = {"shoko": "ShokoEvent"}
V6_GROUPS = {"file": "file", "release": "release", "metadata": "metadata"}
# What each major sends for one file's life: (event name, payload fixture).
# v6 names a match and a failed match only by the file id.
FILE_EVENTS = {
    5: {
        "detected": ("ShokoEvent:FileDetected", "shoko_v5_file_detected"),
        "hashed": ("ShokoEvent:FileHashed", "shoko_v5_file_hashed"),
        "matched": ("ShokoEvent:FileMatched", "shoko_v5_file_matched"),
        "not_matched": ("ShokoEvent:FileNotMatched", "shoko_v5_file_not_matched"),
        "deleted": ("ShokoEvent:FileDeleted", "shoko_v5_file_deleted"),
    },
    6: {
        "detected": ("file:detected", "shoko_v6_file_detected"),
        "hashed": ("file:hashed", "shoko_v6_file_hashed"),
        "matched": ("release:saved", "shoko_v6_release_saved"),
        "not_matched": ("release:search.completed", "shoko_v6_release_search_failed"),
        "deleted": ("file:deleted", "shoko_v6_file_deleted"),
    },
}
NOT_RUNNING_V5 = (
    "The Server is not running. Use the First Time Setup Wizard or check your "
    "settings and logs to ensure the server is starting correctly."
)
NOT_RUNNING_V6 = (
    "The server is starting up. Check your logs to ensure the server is starting "
    "correctly."
)


class FakeShoko(LoopbackServer):
    """One Shoko Server; tests push events with ``emit``.

    Knobs for unlucky worlds: ``started`` (False: still starting), and for the
    hub ``answer_handshake``, ``close_each_session`` (a clean Close right after
    the handshake), ``negotiate_body`` and ``handshake_reply`` (sent instead of
    the real answers), ``hang_upgrade`` (the WebSocket upgrade never answers)
    and ``upgrade_redirect_to`` (a proxy that redirects the upgrade elsewhere).
    """

    def __init__(self, version: int | str = 5) -> None:
        self.version = RELEASES[version] if isinstance(version, int) else version
        release, _, dev = self.version.partition("-dev.")
        self.release = tuple(int(part) for part in release.split("."))
        self.dev_build = int(dev) if dev else None
        self.major_version = self.release[0]
        self.started = True
        self.sockets: list[web.WebSocketResponse] = []
        self.groups: dict[web.WebSocketResponse, set[str]] = {}
        self.handshakes = 0
        self.negotiate_calls = 0  # every POST, answered or refused
        self.negotiations = 0  # negotiations that gave a connection token
        self.answer_handshake = True
        self.close_each_session = False
        self.negotiate_body: str | None = None
        self.handshake_reply: str | None = None
        self.hang_upgrade = False
        self.upgrade_redirect_to: str | None = None
        self.ping_interval = 0.2
        self.connected = asyncio.Event()
        self.feeds: list[str] = []
        self._tokens: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    # Version facts -------------------------------------------------------

    @property
    def is_v6(self) -> bool:
        return self.major_version >= 6

    def _folder_route(self) -> str:
        # ImportFolderController in v5; ManagedFolderController in v6.
        return "/api/v3/ManagedFolder" if self.is_v6 else "/api/v3/ImportFolder"

    def _state(self) -> int | str:
        # v5.0 and v5.1 write the StartupState enum as its number; 5.2.0 put a
        # StringEnumConverter on the enum type, and v6 on the property.
        name, number = ("Started", 2) if self.started else ("Starting", 1)
        return name if self.release >= (5, 2) else number

    # Routes ----------------------------------------------------------------

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/api/v3/Init/Version", self._version)
        router.add_get("/api/v3/Init/Status", self._status)
        router.add_get(self._folder_route(), self._folders)
        router.add_post("/api/auth", self._auth)
        router.add_post("/signalr/aggregate/negotiate", self._negotiate)
        router.add_get("/signalr/aggregate", self._hub)

    async def stop(self) -> None:
        """Go away as a server does when it stops: sockets closed, port freed."""
        for socket in list(self.sockets):
            await socket.close()
        for task in list(self._tasks):
            task.cancel()
        self._stopping.set()
        await super().stop()
        self._stopping.clear()
        self.connected.clear()

    async def emit(self, target: str, *arguments: Any, together: bool = False) -> None:
        """Send an invocation to every connection in the target's group."""
        group = target.split(":", 1)[0]
        record = (
            json.dumps({"type": 1, "target": target, "arguments": list(arguments)}) + RS
        )
        for socket in list(self.sockets):
            if group in self.groups.get(socket, set()):
                await socket.send_str(record * 2 if together else record)

    async def send_raw(self, data: str | bytes) -> None:
        """Send a text frame, or a binary one for bytes."""
        for socket in list(self.sockets):
            if isinstance(data, bytes):
                await socket.send_bytes(data)
            else:
                await socket.send_str(data)

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

    def _keys(self, request: web.Request, *, hub: bool = False) -> list[str]:
        """The keys CustomAuthHandler reads: v5 the header and the query, v6 also Bearer."""
        keys = [*request.headers.getall("apikey", [])]
        if self.is_v6:
            keys += [
                value.removeprefix("Bearer ")
                for value in request.headers.getall("Authorization", [])
                if value.startswith("Bearer ")
            ]
        keys += request.query.getall("apikey", [])
        if self.is_v6 and hub and not keys:
            keys = request.query.getall("access_token", [])
        return keys

    def _refusal(
        self, request: web.Request, *, hub: bool = False
    ) -> web.Response | None:
        """What an endpoint that needs a key answers instead, or None to go on."""
        if not self.started:
            # v5's ServerNotRunningFilter (MVC only: the hub is not behind it);
            # v6's ServerNotRunningMiddleware, before authentication.
            if self.is_v6:
                return web.Response(status=503, text=NOT_RUNNING_V6)
            if not hub:
                return web.json_response(NOT_RUNNING_V5, status=503)
        if hub and not self.is_v6:
            return None  # v5's AggregateHub has no [Authorize]
        if API_KEY not in self._keys(request, hub=hub):
            return web.Response(status=401)
        return None

    async def _version(self, request: web.Request) -> web.Response:
        if self.is_v6:
            server = {
                "Version": self.version,
                "ReleaseChannel": "Dev" if self.dev_build else "Stable",
                "Commit": "775bbe9d9e7954444ec0e5514346a13b64a9c934",
                "Tag": f"v{self.version}",
                "ReleaseDate": "2026-08-21T08:15:05Z",
            }
            return web.json_response({"Server": server})
        assembly = ".".join(str(part) for part in (*self.release, 0))
        return web.json_response(
            {
                "Server": {
                    "Version": assembly,
                    "Commit": "892461188e5f1cc3ccf1b9b6eb1d4dfd31bea6f8",
                    "ReleaseChannel": "Stable",
                    "ReleaseDate": "2026-03-27T03:02:59Z",
                    "Tag": f"v{self.version}",
                },
                "Commons": {"Version": assembly},
                "Models": {"Version": assembly},
                "MediaInfo": {"Version": None},
            }
        )

    async def _status(self, request: web.Request) -> web.Response:
        message = None if self.started else "Initializing..."
        if not self.is_v6:
            return web.json_response(
                {
                    "StartupMessage": message,
                    "State": self._state(),
                    "Uptime": "01:02:03" if self.started else None,
                    "DatabaseBlocked": {
                        "Progress": None,
                        "Blocked": False,
                        "Status": None,
                    },
                }
            )
        status: dict[str, Any] = {"State": self._state(), "StartupMessage": message}
        if self.started and API_KEY in self._keys(request):
            status |= {
                "CanShutdown": True,
                "CanRestart": False,
                "BootstrappedAt": "2026-08-22T07:00:00Z",
                "StartedAt": "2026-08-22T07:00:12Z",
                "Uptime": "01:02:03",
                "StartupTime": "00:00:12",
                "DatabaseBlocked": {"Blocked": False, "Reason": ""},
            }
        return web.json_response(status)

    async def _folders(self, request: web.Request) -> web.Response:
        if (refusal := self._refusal(request)) is not None:
            return refusal
        return web.json_response(
            [
                {
                    "Name": "Anime",
                    "Size": 12,
                    "ID": 2,
                    "WatchForNewFiles": True,
                    "DropFolderType": "Destination",
                    "Path": "/mnt/anime/",
                    "FileSize": 17592186044,
                }
            ]
        )

    async def _auth(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.Response(status=400)
        # AuthUser: user, pass (may be empty) and device are [Required].
        if not isinstance(body, dict) or any(
            not isinstance(body.get(key), str) for key in ("user", "pass", "device")
        ):
            return web.Response(status=400)
        if not body["user"].strip() or not body["device"].strip():
            return web.Response(status=400)
        # v5 trims the password before checking it; v6 does not.
        password = body["pass"] if self.is_v6 else body["pass"].strip()
        if (body["user"].strip(), password) != (USERNAME, PASSWORD):
            return web.Response(status=401)
        # The same device gets its existing key back (AuthTokensRepository).
        return web.json_response({"apikey": API_KEY})

    async def _negotiate(self, request: web.Request) -> web.Response:
        self.negotiate_calls += 1
        if (refusal := self._refusal(request, hub=True)) is not None:
            return refusal
        self.negotiations += 1
        if self.negotiate_body is not None:
            return web.Response(
                text=self.negotiate_body, content_type="application/json"
            )
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
        if self.upgrade_redirect_to is not None:
            raise web.HTTPTemporaryRedirect(
                f"{self.upgrade_redirect_to}{request.path_qs}"
            )
        if self.hang_upgrade:
            await self._stopping.wait()
            return web.Response(status=503)
        if (refusal := self._refusal(request, hub=True)) is not None:
            return refusal
        token = request.query.get("id")
        if token is not None:
            if token not in self._tokens:
                return web.Response(status=404, text="No Connection with that ID")
            self._tokens.discard(token)  # a token is good for one connection
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        # Feeds are split on commas, lower-cased and trimmed; unknown ones are ignored.
        self.feeds = [
            feed.strip().lower()
            for value in request.query.getall("feeds", [])
            for feed in value.split(",")
            if feed.strip()
        ]
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
            self.groups.pop(socket, None)
        return socket

    async def _on_record(
        self, socket: web.WebSocketResponse, record: dict[str, Any]
    ) -> None:
        if "protocol" not in record:
            return  # pings and anything else a client sends
        if not self.answer_handshake:
            return
        if self.handshake_reply is not None:
            await socket.send_str(self.handshake_reply)
            return
        await socket.send_str("{}" + RS)
        self.handshakes += 1
        if self.close_each_session:
            await socket.send_str(json.dumps({"type": 7}) + RS)
            await socket.close()
            return
        self.sockets.append(socket)
        await self._join(socket)
        task = asyncio.create_task(self._pinger(socket))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.connected.set()

    async def _join(self, socket: web.WebSocketResponse) -> None:
        """Join the asked feeds' groups and send what each sends on joining."""
        groups = V6_GROUPS if self.is_v6 else V5_GROUPS
        joined = {groups[feed] for feed in self.feeds if feed in groups}
        self.groups[socket] = joined
        # v5 sends "<Group>:OnConnected" with the feed's initial state (null for
        # ShokoEvent); v6 sends "<group>:connected" only for feeds that have an
        # initial state, and file, release and metadata have none.
        if not self.is_v6 and "ShokoEvent" in joined:
            await socket.send_str(
                json.dumps(
                    {"type": 1, "target": "ShokoEvent:OnConnected", "arguments": [None]}
                )
                + RS
            )

    async def _pinger(self, socket: web.WebSocketResponse) -> None:
        while not socket.closed:
            await asyncio.sleep(self.ping_interval)
            if not socket.closed:
                await socket.send_str(json.dumps({"type": 6}) + RS)
