"""No credential follows a redirect, in any client.

A forward-auth proxy (Authelia, Authentik) in front of a service answers a
request that has none of its cookies with a redirect to its own login host.
aiohttp follows redirects unless told not to, and on a cross-origin redirect
drops only ``Authorization``: ``X-Api-Key`` and Shoko's ``apikey`` went along,
on 307 and 308 the method and body too (qBittorrent's password, Shoko's
login), and a redirect to another port on the same host took qBittorrent's
session cookie. Here each client meets a ``Redirector`` that points at a
``Recorder``, another origin on loopback; the recorder must receive nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
import secrets

import aiohttp
from aiohttp import web
import pytest

from custom_components.media_request_tracker.clients.arr import ArrClient
from custom_components.media_request_tracker.clients.http import (
    RedirectRefusedError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.jellyfin import JellyfinClient
from custom_components.media_request_tracker.clients.jellyseerr import (
    JellyseerrClient,
    WebhookAgentSettings,
)
from custom_components.media_request_tracker.clients.qbittorrent import (
    QBittorrentClient,
)
from custom_components.media_request_tracker.clients.shoko import ShokoClient
from tests.fakes.redirect import RecordedRequest, Recorder, Redirector

KEY = "api-key-0123456789abcdef"
PASSWORD = "correct-horse-battery"
SETTINGS = WebhookAgentSettings(
    enabled=True,
    types=4,
    webhook_url="http://ha.local:8123/api/webhook/secret-id",
    payload_template="{}",
)

type Call = Callable[[aiohttp.ClientSession, str], Awaitable[object]]

# One call of each client that carries its credential: a header, a form, a body.
CALLS: dict[str, Call] = {
    "radarr_list": lambda s, url: ArrClient(s, url, KEY).async_get_notifications(),
    "radarr_add": lambda s, url: ArrClient(s, url, KEY).async_add_notification(
        {"name": "Media Request Tracker"}
    ),
    "jellyfin": lambda s, url: JellyfinClient(s, url, KEY).async_get_server_info(),
    "jellyseerr_read": lambda s, url: JellyseerrClient(s, url, KEY).async_get_webhook(),
    "jellyseerr_save": lambda s, url: JellyseerrClient(s, url, KEY).async_save_webhook(
        SETTINGS
    ),
    "qbittorrent_login": lambda s, url: QBittorrentClient(
        s, url, "admin", PASSWORD
    ).async_login(),
    "shoko_key": lambda s, url: ShokoClient(s, url, KEY).async_check_key(5),
    "shoko_login": lambda s, url: ShokoClient(s, url).async_create_key(
        "admin", PASSWORD
    ),
}
REDIRECTS = (301, 302, 303, 307, 308)


@pytest.fixture
async def recorder(socket_enabled: None) -> AsyncIterator[Recorder]:
    async with Recorder() as server:
        yield server


def _credentials_in(requests: list[RecordedRequest]) -> list[RecordedRequest]:
    return [
        request
        for request in requests
        for secret in (KEY, PASSWORD, "MediaBrowser")
        if secret in str(request.headers) or secret.encode() in request.body
    ]


async def _error_of(call: Awaitable[object]) -> Exception | None:
    """What the call raised, so the recorder is checked first, whatever it was."""
    try:
        await call
    except Exception as err:  # noqa: BLE001 - the test inspects it
        return err
    return None


@pytest.mark.parametrize("status", REDIRECTS)
@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_a_redirect_to_another_host_is_refused_and_sends_it_nothing(
    recorder: Recorder, session: aiohttp.ClientSession, call: Call, status: int
) -> None:
    async with Redirector(recorder.url, status) as proxy:
        error = await _error_of(call(session, proxy.url))
    assert _credentials_in(recorder.requests) == []
    assert recorder.requests == []
    assert isinstance(error, RedirectRefusedError)
    # The client's own "cannot connect" error, which the config flow shows as such.
    assert isinstance(error, ServiceUnavailableError)


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
async def test_the_error_names_the_redirect_host_without_its_path_or_query(
    recorder: Recorder, session: aiohttp.ClientSession, call: Call
) -> None:
    async with Redirector(recorder.url, 302) as proxy:
        with pytest.raises(RedirectRefusedError) as raised:
            await call(session, proxy.url)
    message = str(raised.value)
    assert f"answered with a redirect (302) to {recorder.url};" in message
    assert raised.value.target == recorder.url
    for hidden in ("/login", "rd=", proxy.url, KEY, PASSWORD):
        assert hidden not in message


async def test_a_redirect_on_the_same_host_is_refused_too(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """``http`` to ``https``, or a base path added: fix the URL, we do not guess."""

    async def moved(request: web.Request) -> web.Response:
        return web.Response(status=308, headers={"Location": "/jellyfin/System/Info"})

    app = web.Application()
    app.router.add_get("/System/Info", moved)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        with pytest.raises(RedirectRefusedError) as raised:
            await JellyfinClient(session, url, KEY).async_get_server_info()
    finally:
        await runner.cleanup()
    assert raised.value.target == url


@pytest.mark.parametrize(
    "headers", [{}, {"Location": "http://[::1"}], ids=["none", "not-a-url"]
)
async def test_a_redirect_without_a_usable_location_is_refused_without_a_host(
    session: aiohttp.ClientSession, socket_enabled: None, headers: dict[str, str]
) -> None:
    async def bare(request: web.Request) -> web.Response:
        return web.Response(status=302, headers=headers)

    app = web.Application()
    app.router.add_get("/api/v3/ImportFolder", bare)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        with pytest.raises(RedirectRefusedError) as raised:
            await ShokoClient(session, url, KEY).async_check_key(5)
    finally:
        await runner.cleanup()
    assert raised.value.target is None
    assert "Shoko answered with a redirect (302);" in str(raised.value)


class LoggedInThenRedirected:
    """qBittorrent that logs in (204 and a cookie), then sends every call elsewhere."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.port = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/v2/auth/login", self.login)
        app.router.add_get("/api/v2/sync/maindata", self.sync)
        return app

    async def login(self, request: web.Request) -> web.Response:
        await request.post()
        response = web.Response(status=204)
        response.set_cookie(f"QBT_SID_{self.port}", secrets.token_hex(16), path="/")
        return response

    async def sync(self, request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": f"{self.target}/login"})


async def test_qbittorrents_session_cookie_does_not_follow_a_redirect_to_another_port(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """Cookies are per host, not per port: the same host's other port would get it."""
    async with Recorder() as recorder:
        fake = LoggedInThenRedirected(recorder.url)
        runner = web.AppRunner(fake.app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        fake.port = runner.addresses[0][1]
        try:
            client = QBittorrentClient(
                session, f"http://127.0.0.1:{fake.port}", "admin", PASSWORD
            )
            error = await _error_of(client.async_sync_maindata(0))
        finally:
            await runner.cleanup()
    assert [r for r in recorder.requests if "QBT_SID" in str(r.headers)] == []
    assert recorder.requests == []
    assert isinstance(error, RedirectRefusedError)
