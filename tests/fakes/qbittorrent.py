"""A fake qBittorrent WebUI (API v2) on loopback that answers as a given release does.

Only Debian's qbittorrent-nox (4.5) can be installed here, so the other
releases' login, session and sync answers come from this fake. It holds the
torrents a test gives it (field dicts as ``sync/maindata`` lists them) and
refuses a state name its release does not have. Every fact is listed with
its source in ``tests/fakes/UPSTREAM.md``.
"""

from __future__ import annotations

from collections import Counter
import copy
from dataclasses import dataclass, field
import secrets
from typing import Any

from aiohttp import web

from .server import LoopbackServer

# The newest tag of each claimed release line, oldest first.
QBITTORRENT_VERSIONS = ("4.1.9.1", "4.6.7", "5.0.5", "5.1.4", "5.2.3")

_STATES_4_1 = frozenset(
    {
        "error",
        "missingFiles",
        "uploading",
        "pausedUP",
        "queuedUP",
        "stalledUP",
        "checkingUP",
        "forcedUP",
        "allocating",
        "downloading",
        "metaDL",
        "pausedDL",
        "queuedDL",
        "stalledDL",
        "checkingDL",
        "forcedDL",
        "queuedForChecking",
        "checkingResumeData",
        "moving",
        "unknown",
    }
)
_STATES_4_6 = (_STATES_4_1 - {"allocating", "queuedForChecking"}) | {"forcedMetaDL"}
_STATES_5 = (_STATES_4_6 - {"pausedUP", "pausedDL"}) | {"stoppedUP", "stoppedDL"}


@dataclass(frozen=True, kw_only=True, slots=True)
class Release:
    """What differs between the releases, as their source says."""

    version: str
    webapi_version: str  # webapplication.h API_VERSION
    states: frozenset[str]  # serialize_torrent.cpp torrentStateToString
    login_204: bool  # 5.2: 204 / 401 instead of 200 "Ok." / "Fails."
    port_cookie: bool  # 5.2: QBT_SID_<port> instead of SID
    error_text_always: bool  # 4.6+: an HTTPError without message prints its status text

    @property
    def paused_word(self) -> str:
        """``paused`` up to 4.6, ``stopped`` from 5.0 (the state names say which)."""
        return "stopped" if "stoppedUP" in self.states else "paused"


RELEASES = {
    "4.1.9.1": Release(
        version="4.1.9.1",
        webapi_version="2.2.1",
        states=_STATES_4_1,
        login_204=False,
        port_cookie=False,
        error_text_always=False,
    ),
    "4.6.7": Release(
        version="4.6.7",
        webapi_version="2.9.3",
        states=_STATES_4_6,
        login_204=False,
        port_cookie=False,
        error_text_always=True,
    ),
    "5.0.5": Release(
        version="5.0.5",
        webapi_version="2.11.2",
        states=_STATES_5,
        login_204=False,
        port_cookie=False,
        error_text_always=True,
    ),
    "5.1.4": Release(
        version="5.1.4",
        webapi_version="2.11.4",
        states=_STATES_5,
        login_204=False,
        port_cookie=False,
        error_text_always=True,
    ),
    "5.2.3": Release(
        version="5.2.3",
        webapi_version="2.15.1",
        states=_STATES_5,
        login_204=True,
        port_cookie=True,
        error_text_always=True,
    ),
}

BANNED_TEXT = (
    "Your IP address has been banned after too many failed authentication attempts."
)


@dataclass
class _Session:
    """A WebUI session; its sync state lives here, as in qBittorrent."""

    last_sent_id: int = 0
    last_sent: dict[str, Any] | None = None
    accepted_id: int = 0
    accepted: dict[str, Any] | None = None


@dataclass
class FakeQBittorrent(LoopbackServer):
    """One qBittorrent WebUI of release ``version``."""

    version: str = QBITTORRENT_VERSIONS[-1]
    username: str = "admin"
    password: str = "adminadmin"
    # "Bypass authentication for clients on localhost" (``WebUI\\LocalHostAuth=false``).
    bypass_local_auth: bool = False
    max_auth_fail_count: int = 5  # Preferences default
    torrents: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    logins: int = 0
    failed_logins: int = 0
    _sessions: dict[str, _Session] = field(default_factory=dict)

    @property
    def release(self) -> Release:
        return RELEASES[self.version]

    @property
    def cookie_name(self) -> str:
        """``SID`` up to 5.1; 5.2 names it after the WebUI port."""
        return f"QBT_SID_{self.port}" if self.release.port_cookie else "SID"

    @property
    def banned(self) -> bool:
        return 0 < self.max_auth_fail_count <= self.failed_logins

    def state(self, meaning: str) -> str:
        """Name a stopped state as this release does: ``"UP"`` gives pausedUP or stoppedUP."""
        return f"{self.release.paused_word}{meaning}"

    def add_torrent(self, torrent_hash: str, **fields: Any) -> None:
        """Add or update a torrent with the fields ``sync/maindata`` would list."""
        state = fields.get("state")
        if state is not None and state not in self.release.states:
            raise ValueError(f"qBittorrent {self.version} has no state {state!r}")
        self.torrents.setdefault(torrent_hash.lower(), {}).update(fields)

    def remove_torrent(self, torrent_hash: str) -> None:
        self.torrents.pop(torrent_hash.lower(), None)

    def expire_sessions(self) -> None:
        """What the WebUI session timeout does (15 min in 4.1, 1 h by default later)."""
        self._sessions.clear()

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_post("/api/v2/auth/login", self._login)
        for action in ("app/version", "app/webapiVersion"):
            router.add_route("*", f"/api/v2/{action}", self._app)
        router.add_route("*", "/api/v2/sync/maindata", self._maindata)
        router.add_route("*", "/api/v2/torrents/info", self._info)

    # Sessions -------------------------------------------------------------

    def _session(self, request: web.Request) -> tuple[_Session | None, str | None]:
        """Return the request's session, starting one when auth is bypassed."""
        sid = request.cookies.get(self.cookie_name)
        if sid and sid in self._sessions:
            return self._sessions[sid], None
        if self.bypass_local_auth:
            return self._start_session()
        return None, None

    def _start_session(self) -> tuple[_Session, str]:
        sid = secrets.token_urlsafe(18)
        self._sessions[sid] = _Session()
        return self._sessions[sid], sid

    def _with_cookie(self, response: web.Response, sid: str | None) -> web.Response:
        if sid is not None:
            response.set_cookie(
                self.cookie_name,
                sid,
                httponly=True,
                path="/",
                samesite="Lax" if self.release.port_cookie else "Strict",
            )
        return response

    def _error(self, status: int, text: str, message: str = "") -> web.Response:
        """``WebApplication::processRequest``'s answer to an HTTPError."""
        if message or self.release.error_text_always:
            return web.Response(status=status, text=message or text)
        return web.Response(status=status)

    def _forbidden(self) -> web.Response:
        return self._error(403, "Forbidden")

    # Routes ---------------------------------------------------------------

    async def _login(self, request: web.Request) -> web.Response:
        self.calls["auth/login"] += 1
        form = await request.post()
        session, sid = self._session(request)
        if session is not None:  # already logged in (or bypassed)
            return self._with_cookie(self._login_ok(), sid)
        if self.banned:
            return self._error(403, "Forbidden", BANNED_TEXT)
        if form.get("username") == self.username and form.get("password") == (
            self.password
        ):
            self.failed_logins = 0
            self.logins += 1
            _, sid = self._start_session()
            return self._with_cookie(self._login_ok(), sid)
        if self.max_auth_fail_count > 0:
            self.failed_logins += 1
        if self.release.login_204:
            return self._error(401, "Unauthorized")
        return web.Response(text="Fails.")

    def _login_ok(self) -> web.Response:
        return (
            web.Response(status=204)
            if self.release.login_204
            else web.Response(text="Ok.")
        )

    async def _app(self, request: web.Request) -> web.Response:
        action = request.path.rsplit("/", 1)[-1]
        self.calls[f"app/{action}"] += 1
        session, sid = self._session(request)
        if session is None:
            return self._forbidden()
        text = (
            f"v{self.version}" if action == "version" else self.release.webapi_version
        )
        return self._with_cookie(web.Response(text=text), sid)

    async def _info(self, request: web.Request) -> web.Response:
        self.calls["torrents/info"] += 1
        session, sid = self._session(request)
        if session is None:
            return self._forbidden()
        wanted = {
            value.lower()
            for value in request.query.get("hashes", "").split("|")
            if value
        }
        records = [
            {"hash": torrent_hash, **fields}
            for torrent_hash, fields in self.torrents.items()
            if not wanted or torrent_hash in wanted
        ]
        return self._with_cookie(web.json_response(records), sid)

    async def _maindata(self, request: web.Request) -> web.Response:
        self.calls["sync/maindata"] += 1
        session, sid = self._session(request)
        if session is None:
            return self._forbidden()
        try:
            accepted = int(request.query.get("rid", "0"))
        except ValueError:
            accepted = 0  # QString::toInt
        current = {
            "torrents": copy.deepcopy(self.torrents),
            "categories": {},
            "server_state": {"connection_status": "connected"},
        }
        full = True
        if accepted > 0 and session.last_sent_id > 0:
            if session.last_sent_id == accepted:
                session.accepted_id, session.accepted = accepted, session.last_sent
            full = session.accepted_id != accepted
        if self.version == "4.1.9.1":
            # 4.1 counts on from the accepted id, 0 for a fresh request.
            last = session.last_sent_id if accepted > 0 else 0
        else:
            last = session.last_sent_id
        rid = last % 1000000 + 1
        if full or session.accepted is None:
            body: dict[str, Any] = {**current, "full_update": True}
            if self.version != "4.1.9.1":
                body |= {"tags": [], "trackers": {}}
        else:
            body = _changes(session.accepted, current)
        body["rid"] = rid
        session.last_sent_id, session.last_sent = rid, current
        return self._with_cookie(web.json_response(body), sid)


def _changes(before: dict[str, Any], now: dict[str, Any]) -> dict[str, Any]:
    """Only what changed: changed keys per torrent, new torrents whole, removed hashes."""
    body: dict[str, Any] = {}
    torrents: dict[str, Any] = {}
    old = before["torrents"]
    for torrent_hash, fields in now["torrents"].items():
        if torrent_hash not in old:
            torrents[torrent_hash] = fields
        elif delta := {
            key: value
            for key, value in fields.items()
            if old[torrent_hash].get(key) != value
        }:
            torrents[torrent_hash] = delta
    if torrents:
        body["torrents"] = torrents
    if removed := [key for key in old if key not in now["torrents"]]:
        body["torrents_removed"] = removed
    if state := {
        key: value
        for key, value in now["server_state"].items()
        if before["server_state"].get(key) != value
    }:
        body["server_state"] = state
    return body
