"""The qBittorrent client speaks both login styles and recovers an expired session.

qBittorrent 5.2 cannot be installed here (Debian ships 4.5), so its login is
served by a small loopback server that answers as 5.2's ``authcontroller.cpp``
does: 204 with a ``QBT_SID_<port>`` cookie, 401 for bad credentials, 403 once
banned.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import secrets

import aiohttp
from aiohttp import web
import pytest

from custom_components.media_request_tracker.clients.qbittorrent import (
    QBittorrentAuthError,
    QBittorrentBannedError,
    QBittorrentClient,
    QBittorrentConnectionError,
    QBittorrentError,
)

PASSWORD = "correct horse"


class Qbittorrent52:
    """Login and sync as qBittorrent 5.2 answers them."""

    def __init__(self) -> None:
        self.sessions: set[str] = set()
        self.failures = 0
        self.logins = 0
        self.port = 0
        self.maindata: object = {"rid": 1, "full_update": True, "torrents": {}}

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v2/auth/login", self.login)
        app.router.add_get("/api/v2/sync/maindata", self.sync)
        app.router.add_get("/api/v2/torrents/info", self.info)
        return app

    @property
    def cookie(self) -> str:
        return f"QBT_SID_{self.port}"

    async def login(self, request: web.Request) -> web.Response:
        if self.failures >= 5:
            return web.Response(
                status=403,
                text="Your IP address has been banned after too many failed authentication attempts.",
            )
        form = await request.post()
        if form.get("username") != "admin" or form.get("password") != PASSWORD:
            self.failures += 1
            return web.Response(status=401)
        self.logins += 1
        token = secrets.token_hex(16)
        self.sessions.add(token)
        response = web.Response(status=204)
        response.set_cookie(self.cookie, token, httponly=True, path="/")
        return response

    def _authorised(self, request: web.Request) -> bool:
        return request.cookies.get(self.cookie) in self.sessions

    async def sync(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=403, text="Forbidden")
        if self.maindata == "broken":
            return web.Response(text="{not json")
        return web.json_response(self.maindata)

    async def info(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.Response(status=403, text="Forbidden")
        return web.json_response([{"hash": "a" * 40, "progress": 0.5}, "junk"])


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[tuple[Qbittorrent52, str]]:
    fake = Qbittorrent52()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{fake.port}"
    await runner.cleanup()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        yield session


async def test_login_204_with_a_port_named_cookie_works(server, session) -> None:
    fake, url = server
    client = QBittorrentClient(session, url, "admin", PASSWORD)
    assert (await client.async_sync_maindata(0))["full_update"] is True
    assert fake.logins == 1


async def test_401_is_bad_credentials(server, session) -> None:
    _, url = server
    with pytest.raises(QBittorrentAuthError):
        await QBittorrentClient(session, url, "admin", "wrong").async_login()


async def test_ban_is_reported_as_such(server, session) -> None:
    fake, url = server
    fake.failures = 5
    with pytest.raises(QBittorrentBannedError):
        await QBittorrentClient(session, url, "admin", PASSWORD).async_login()


async def test_expired_session_is_renewed_once(server, session) -> None:
    fake, url = server
    client = QBittorrentClient(session, url, "admin", PASSWORD)
    await client.async_sync_maindata(0)
    fake.sessions.clear()  # qBittorrent's session timeout
    await client.async_sync_maindata(1)
    assert fake.logins == 2


async def test_torrents_info_keeps_only_records(server, session) -> None:
    _, url = server
    client = QBittorrentClient(session, url, "admin", PASSWORD)
    assert await client.async_torrents_info(["a" * 40]) == [
        {"hash": "a" * 40, "progress": 0.5}
    ]


@pytest.mark.parametrize("answer", ["broken", [1, 2]])
async def test_answers_that_are_not_sync_data_are_errors(
    server, session, answer
) -> None:
    fake, url = server
    fake.maindata = answer
    with pytest.raises(QBittorrentError):
        await QBittorrentClient(session, url, "admin", PASSWORD).async_sync_maindata(0)


async def test_unreachable_server_is_a_connection_error(session) -> None:
    with pytest.raises(QBittorrentConnectionError):
        await QBittorrentClient(
            session, "http://127.0.0.1:9", "admin", PASSWORD
        ).async_sync_maindata(0)


async def test_without_credentials_no_login_is_tried(server, session) -> None:
    fake, url = server
    with pytest.raises(QBittorrentAuthError):
        # Auth bypass is off on this server, so even the fresh login is refused.
        await QBittorrentClient(session, url).async_sync_maindata(0)
    assert fake.logins == 0
