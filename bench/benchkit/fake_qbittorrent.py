"""A fake qBittorrent WebUI on loopback whose torrents move in simulated time.

It speaks the part of API v2 the integration uses (``auth/login`` in the
4.x/5.0 ``Ok.`` style, ``app/version``, ``sync/maindata``, ``torrents/info``).
``sync/maindata`` answers like the real server: a full update for ``rid`` 0
or an unknown ``rid``, otherwise only the fields that changed since that
``rid``, with ``torrents_removed``. Time moves only when ``advance`` is
called, so an hour of downloads can be played in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import random
from typing import Any

from aiohttp import web

ETA_UNKNOWN = 8640000
MIB = 1024 * 1024
GIB = 1024 * MIB


@dataclass
class SimTorrent:
    """One download: a size, a base speed, and windows of simulated time without peers."""

    hash: str
    name: str
    size: int
    speed: float  # bytes/s when peers are there
    category: str
    added_on: int
    stalls: list[tuple[float, float]] = field(default_factory=list)
    completed: float = 0.0
    completion_on: int = -1
    dlspeed: int = 0
    rng: random.Random = field(default_factory=random.Random)

    @property
    def done(self) -> bool:
        """All bytes are there."""
        return self.completed >= self.size

    def advance(self, now: float, seconds: float) -> None:
        """Move ``seconds`` of simulated time ending at ``now``."""
        if self.done:
            self.dlspeed = 0
            return
        stalled = any(start <= now < end for start, end in self.stalls)
        # Real swarms wobble: +/- 25 % around the base speed.
        self.dlspeed = 0 if stalled else int(self.speed * self.rng.uniform(0.75, 1.25))
        self.completed = min(float(self.size), self.completed + self.dlspeed * seconds)
        if self.completed >= self.size:
            self.completion_on = int(now)
            self.dlspeed = 0

    def fields(self, now: float, save_path: str) -> dict[str, Any]:
        """Return the torrent as ``sync/maindata`` lists it (a realistic subset of its fields)."""
        completed = int(self.completed)
        left = self.size - completed
        if self.done:
            state, eta = "uploading", ETA_UNKNOWN
        elif self.dlspeed:
            state, eta = "downloading", left // self.dlspeed
        else:
            state, eta = "stalledDL", ETA_UNKNOWN
        return {
            "name": self.name,
            "size": self.size,
            "total_size": self.size,
            "progress": round(completed / self.size, 4),
            "dlspeed": self.dlspeed,
            "upspeed": 0,
            "eta": eta,
            "state": state,
            "completed": completed,
            "downloaded": completed,
            "amount_left": left,
            "num_seeds": 0 if state == "stalledDL" else 12,
            "num_leechs": 3,
            "ratio": 0,
            "added_on": self.added_on,
            "completion_on": self.completion_on,
            "save_path": save_path,
            "category": self.category,
            "tags": "",
            "time_active": int(now) - self.added_on,
            "last_activity": int(now),
        }


class FakeQBittorrent:
    """The server; the caller owns the simulated clock."""

    username = "admin"
    password = "adminadmin"

    def __init__(self, start: float) -> None:
        """Start empty at ``start`` (a Unix time)."""
        self.now = start
        self.torrents: dict[str, SimTorrent] = {}
        self.url = ""
        self.maindata_calls = 0
        self._rid = 0
        self._snapshots: dict[int, dict[str, dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/api/v2/auth/login", self._login)
        app.router.add_get("/api/v2/app/version", self._version)
        app.router.add_get("/api/v2/sync/maindata", self._maindata)
        app.router.add_get("/api/v2/torrents/info", self._info)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        """Close the server."""
        if self._runner is not None:
            await self._runner.cleanup()

    def add(self, torrent: SimTorrent) -> None:
        """Add a torrent, as Radarr or Sonarr does when it grabs."""
        self.torrents[torrent.hash] = torrent

    def remove(self, torrent_hash: str) -> None:
        """Delete a torrent (after import, as the *arr may)."""
        self.torrents.pop(torrent_hash, None)

    def advance(self, seconds: float) -> None:
        """Move every torrent ``seconds`` forward."""
        self.now += seconds
        for torrent in self.torrents.values():
            torrent.advance(self.now, seconds)

    def _current(self) -> dict[str, dict[str, Any]]:
        return {
            torrent_hash: torrent.fields(self.now, f"/data/torrents/{torrent.category}")
            for torrent_hash, torrent in self.torrents.items()
        }

    async def _login(self, request: web.Request) -> web.Response:
        form = await request.post()
        if (
            form.get("username") != self.username
            or form.get("password") != self.password
        ):
            return web.Response(text="Fails.")
        response = web.Response(text="Ok.")
        response.set_cookie("SID", "bench-session", httponly=True)
        return response

    async def _version(self, request: web.Request) -> web.Response:
        return web.Response(text="v5.0.4")

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response(
            [{"hash": key, **value} for key, value in self._current().items()]
        )

    async def _maindata(self, request: web.Request) -> web.Response:
        self.maindata_calls += 1
        rid = int(request.query.get("rid", "0"))
        current = self._current()
        previous = self._snapshots.get(rid) if rid else None
        self._rid += 1
        self._snapshots[self._rid] = current
        for old in [key for key in self._snapshots if key < self._rid - 5]:
            del self._snapshots[old]
        body: dict[str, Any] = {
            "rid": self._rid,
            "server_state": {
                "dl_info_speed": sum(t.dlspeed for t in self.torrents.values()),
                "connection_status": "connected",
            },
        }
        if previous is None:
            body["full_update"] = True
            body["torrents"] = current
            body["categories"] = {
                name: {"name": name, "savePath": f"/data/torrents/{name}"}
                for name in ("radarr", "sonarr")
            }
            return web.json_response(body)
        changes: dict[str, dict[str, Any]] = {}
        for torrent_hash, fields in current.items():
            before = previous.get(torrent_hash)
            delta = (
                fields
                if before is None
                else {
                    key: value
                    for key, value in fields.items()
                    if before.get(key) != value
                }
            )
            if delta:
                changes[torrent_hash] = delta
        if changes:
            body["torrents"] = changes
        if removed := [key for key in previous if key not in current]:
            body["torrents_removed"] = removed
        return web.json_response(body)
