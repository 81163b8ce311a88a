"""The qBittorrent client against every claimed release, and one real qbittorrent-nox.

Each test runs against the fake as 4.1, 4.6, 5.0, 5.1 and 5.2 answer (login
``Ok.``/``Fails.`` with a ``SID`` cookie up to 5.1, 204/401 with
``QBT_SID_<port>`` in 5.2; ``paused*`` states up to 4.6, ``stopped*`` from
5.0). Debian's qbittorrent-nox checks the fake's 4.x answers against the real
thing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.qbittorrent import (
    QBittorrentBannedError,
    QBittorrentClient,
)
from custom_components.media_request_tracker.core.torrents import (
    TorrentCondition,
    TorrentTable,
)
from tests.fakes.qbittorrent import QBITTORRENT_VERSIONS, FakeQBittorrent
from tests.fakes.receiver import Canned
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess

T0 = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)
DUNE = "3a7c2f0b9e4d1c6a8b5f2e0d9c7b6a5f4e3d2c1b"
FRIEREN = "b" * 40
SIZE = 4_000_000


def downloading(**fields: object) -> dict[str, object]:
    """A torrent as sync/maindata lists it (the fields the integration reads)."""
    return {
        "name": "Dune.Part.Two.2024.1080p.mkv",
        "state": "downloading",
        "progress": 0.25,
        "dlspeed": 500_000,
        "eta": 6,
        "size": SIZE,
        "completed": SIZE // 4,
        "amount_left": SIZE - SIZE // 4,
        **fields,
    }


@pytest.fixture(params=QBITTORRENT_VERSIONS)
async def qbittorrent(
    socket_enabled: None, request: pytest.FixtureRequest
) -> AsyncIterator[FakeQBittorrent]:
    async with FakeQBittorrent(version=request.param, password=PASSWORD) as server:
        yield server


def client_of(
    session: aiohttp.ClientSession, server: FakeQBittorrent, password: str = PASSWORD
) -> QBittorrentClient:
    return QBittorrentClient(session, server.url, server.username, password)


async def test_login_keeps_the_session_cookie_of_each_release(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    await client_of(session, qbittorrent).async_login()
    cookies = session.cookie_jar.filter_cookies(URL(qbittorrent.url))
    assert qbittorrent.logins == 1
    assert list(cookies) == [qbittorrent.cookie_name]


async def test_logging_in_again_on_a_live_session_succeeds(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    client = client_of(session, qbittorrent)
    await client.async_login()
    await client.async_login()
    assert qbittorrent.logins == 1


async def test_wrong_password_is_bad_credentials(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceAuthError):
        await client_of(session, qbittorrent, "wrong").async_login()
    assert qbittorrent.failed_logins == 1


async def test_the_ban_after_five_failures_is_reported_as_such(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    for _ in range(5):
        with pytest.raises(ServiceAuthError):
            await client_of(session, qbittorrent, "wrong").async_login()
    with pytest.raises(QBittorrentBannedError):
        await client_of(session, qbittorrent).async_login()
    assert qbittorrent.logins == 0


async def test_expired_session_is_renewed_once(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    client = client_of(session, qbittorrent)
    await client.async_sync_maindata(0)
    qbittorrent.expire_sessions()
    assert (await client.async_sync_maindata(1))["full_update"] is True
    assert qbittorrent.logins == 2


async def test_sync_sends_only_what_changed(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    client = client_of(session, qbittorrent)
    table = TorrentTable()
    qbittorrent.add_torrent(DUNE, **downloading())
    qbittorrent.add_torrent(FRIEREN, **downloading(name="Frieren.S01E01.mkv"))
    table.apply(await client.async_sync_maindata(table.rid), T0)
    qbittorrent.add_torrent(DUNE, progress=0.5, completed=SIZE // 2)
    qbittorrent.remove_torrent(FRIEREN)
    delta = await client.async_sync_maindata(table.rid)
    table.apply(delta, T0)
    assert "full_update" not in delta
    assert delta["torrents"] == {DUNE: {"progress": 0.5, "completed": SIZE // 2}}
    assert delta["torrents_removed"] == [FRIEREN]
    assert table.get(DUNE).progress == 0.5
    assert table.removed == {FRIEREN}


async def test_a_new_session_starts_the_sync_over(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    client = client_of(session, qbittorrent)
    table = TorrentTable()
    qbittorrent.add_torrent(DUNE, **downloading())
    qbittorrent.add_torrent(FRIEREN, **downloading())
    table.apply(await client.async_sync_maindata(table.rid), T0)
    qbittorrent.remove_torrent(FRIEREN)
    qbittorrent.expire_sessions()
    answer = await client.async_sync_maindata(table.rid)
    table.apply(answer, T0)
    assert answer["full_update"] is True
    assert table.removed == {FRIEREN}
    assert len(table) == 1


async def test_a_stopped_finished_torrent_is_complete_in_this_releases_words(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    qbittorrent.add_torrent(
        DUNE,
        **downloading(
            state=qbittorrent.state("UP"),
            progress=1,
            dlspeed=0,
            eta=8640000,
            completed=SIZE,
            amount_left=0,
        ),
    )
    qbittorrent.add_torrent(FRIEREN, **downloading(state=qbittorrent.state("DL")))
    table = TorrentTable()
    table.apply(await client_of(session, qbittorrent).async_sync_maindata(0), T0)
    dune, frieren = table.get(DUNE), table.get(FRIEREN)
    assert (dune.condition, dune.eta) == (TorrentCondition.COMPLETE, None)
    assert frieren.condition is TorrentCondition.DOWNLOADING


async def test_a_state_name_the_release_does_not_have_is_refused(
    qbittorrent: FakeQBittorrent,
) -> None:
    other = "pausedUP" if qbittorrent.state("UP") == "stoppedUP" else "stoppedUP"
    with pytest.raises(ValueError, match="has no state"):
        qbittorrent.add_torrent(DUNE, state=other)


async def test_bypassed_authentication_needs_no_credentials(
    socket_enabled: None, session: aiohttp.ClientSession
) -> None:
    for version in QBITTORRENT_VERSIONS:
        async with FakeQBittorrent(version=version, bypass_local_auth=True) as server:
            client = QBittorrentClient(session, server.url)
            await client.async_login()  # the config flow's check
            assert (await client.async_sync_maindata(0))["full_update"] is True
            assert server.logins == 0, version


async def test_without_credentials_no_login_is_tried(
    qbittorrent: FakeQBittorrent, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceAuthError):
        # Auth bypass is off on this server, so even the fresh login is refused.
        await QBittorrentClient(session, qbittorrent.url).async_sync_maindata(0)
    assert qbittorrent.logins == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]"])
async def test_answers_that_are_not_sync_data_are_errors(
    canned: Canned, session: aiohttp.ClientSession, body: bytes
) -> None:
    canned.body = body
    with pytest.raises(ServiceError):
        await QBittorrentClient(session, canned.url).async_sync_maindata(0)


async def test_unreachable_server_is_a_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    with pytest.raises(ServiceUnavailableError):
        await QBittorrentClient(
            session, "http://127.0.0.1:9", "admin", PASSWORD
        ).async_sync_maindata(0)


async def _observe(url: str) -> list[object]:
    """What a client sees of login, refusal and sync, in a fresh cookie jar."""
    seen: list[object] = []
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        async with session.get(f"{url}/api/v2/sync/maindata") as response:
            seen.append((response.status, await response.text()))
        for password in ("wrong", PASSWORD):
            async with session.post(
                f"{url}/api/v2/auth/login",
                data={"username": USERNAME, "password": password},
            ) as response:
                seen.append((response.status, await response.text()))
        seen.append(sorted(session.cookie_jar.filter_cookies(URL(url))))
        for rid in (0, 1):
            async with session.get(
                f"{url}/api/v2/sync/maindata", params={"rid": str(rid)}
            ) as response:
                body = await response.json()
            seen.append((body["rid"], body.get("full_update"), "torrents" in body))
    return seen


@pytest.mark.skipif(
    not QBittorrentProcess.available(), reason="qbittorrent-nox is not installed"
)
async def test_the_fake_answers_as_debians_qbittorrent_nox_does(
    socket_enabled: None, tmp_path: Path
) -> None:
    """Debian ships 4.5; its WebUI code matches 4.6's in all of these answers."""
    real = QBittorrentProcess(tmp_path, "real")
    await real.start()
    try:
        observed = await _observe(real.url)
    finally:
        await real.stop()
    async with FakeQBittorrent(version="4.6.7", password=PASSWORD) as fake:
        assert await _observe(fake.url) == observed
