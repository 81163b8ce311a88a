"""Live download progress from real qBittorrent instances on loopback.

A seeder and a downloader (qbittorrent-nox from Debian's packages) share a
generated file, with peers added by hand and DHT, LSD and PeX off.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from http import HTTPStatus
import logging
from pathlib import Path
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.media_request_tracker.clients import (
    qbittorrent as qbittorrent_client,
)
from custom_components.media_request_tracker.const import (
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_STALL_MINUTES,
    DOMAIN,
)
from tests.payloads import payload
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess
from tests.services.torrent import Torrent, make_torrent

from .conftest import ENTRY_ID, WEBHOOK_IDS, entry_with, set_up

pytestmark = pytest.mark.skipif(
    not QBittorrentProcess.available(), reason="qbittorrent-nox is not installed"
)

ENTITY_ID = "sensor.jellyfin_home_dune_part_two_2024"
CONNECTION = "binary_sensor.jellyfin_home_qbittorrent_connection"
SIZE = 3 * 1024 * 1024
RATE = 384 * 1024  # bytes/s: a few seconds of visible progress


class Swarm:
    """A seeder, a downloader, and the torrent they share."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seeder = QBittorrentProcess(root, "seeder")
        self.downloader = QBittorrentProcess(root, "downloader")
        self.torrent: Torrent = make_torrent(
            root / "content", "Dune.Part.Two.2024.1080p.BluRay.x264-GRP.mkv", SIZE
        )

    async def start_download(self, *, with_peer: bool = True) -> None:
        await self.seeder.add(self.torrent, save_path=self.root / "content", seed=True)
        await self.downloader.add(
            self.torrent, save_path=self.downloader.downloads, download_limit=RATE
        )
        if with_peer:
            await self.downloader.add_peer(self.torrent.info_hash, self.seeder)


@pytest.fixture
async def swarm(socket_enabled: None, tmp_path: Path) -> AsyncIterator[Swarm]:
    swarm = Swarm(tmp_path)
    await asyncio.gather(swarm.seeder.start(), swarm.downloader.start())
    yield swarm
    await asyncio.gather(swarm.seeder.stop(), swarm.downloader.stop())


@pytest.fixture
def qbittorrent_requests() -> Iterator[AsyncMock]:
    """Every HTTP request the qBittorrent client makes, counted as it is made."""
    with patch.object(
        qbittorrent_client, "async_request", wraps=qbittorrent_client.async_request
    ) as requests:
        yield requests


def _qbittorrent_entry(
    config_entry: MockConfigEntry,
    swarm: Swarm,
    password: str = PASSWORD,
    **options: int,
) -> MockConfigEntry:
    return entry_with(
        config_entry,
        options={CONF_QBITTORRENT_INTERVAL: 1, **options},
        **{
            CONF_QBITTORRENT_URL: swarm.downloader.url,
            CONF_QBITTORRENT_USERNAME: USERNAME,
            CONF_QBITTORRENT_PASSWORD: password,
        },
    )


async def _request_and_grab(hass_client_no_auth, swarm: Swarm) -> None:
    client = await hass_client_no_auth()
    grab = payload("radarr_grab")
    grab["downloadId"] = swarm.torrent.info_hash.upper()  # Radarr sends upper case
    for source, body in (
        ("jellyseerr", payload("jellyseerr_movie_auto_approved")),
        ("radarr", grab),
    ):
        response = await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", json=body)
        assert response.status == HTTPStatus.OK


async def _downloading(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
) -> MockConfigEntry:
    """Set up with qBittorrent, request and grab the film, and start its download."""
    entry = _qbittorrent_entry(config_entry, swarm)
    await set_up(hass, entry)
    await _request_and_grab(hass_client_no_auth, swarm)
    await swarm.start_download()
    return entry


async def _wait_for(
    hass: HomeAssistant, entity_id: str, predicate, timeout: float = 45
) -> None:
    async with asyncio.timeout(timeout):
        while not ((state := hass.states.get(entity_id)) and predicate(state)):
            await asyncio.sleep(0.2)


@pytest.fixture
def watch(hass: HomeAssistant):
    """Every state the request sensor takes, in order."""
    seen: list = []

    def record(event: Event) -> None:
        if event.data["entity_id"] == ENTITY_ID and event.data["new_state"] is not None:
            seen.append(event.data["new_state"])

    unsubscribe = hass.bus.async_listen("state_changed", record)
    yield seen
    unsubscribe()


async def test_download_progress_is_followed_to_the_end(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
    watch,
) -> None:
    await set_up(hass, _qbittorrent_entry(config_entry, swarm))
    await _request_and_grab(hass_client_no_auth, swarm)
    assert hass.states.get(ENTITY_ID).state == "indexed", hass.states.get(
        ENTITY_ID
    ).attributes["timeline"]

    await swarm.start_download()
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "download_done")

    stages = list(dict.fromkeys(state.state for state in watch))
    assert stages == ["approved", "indexed", "downloading", "download_done"]
    downloading = [state for state in watch if state.state == "downloading"]
    progress = [state.attributes["progress"] for state in downloading]
    assert any(0 < value < 100 for value in progress), progress
    assert progress == sorted(progress)
    # Unknown figures are left out of the attributes (the interface allows it).
    assert any(state.attributes.get("download_speed") for state in downloading)
    assert any(state.attributes.get("eta") is not None for state in downloading)
    final = hass.states.get(ENTITY_ID)
    assert final.attributes["progress"] == 100.0
    assert final.attributes["size"] == SIZE
    assert final.attributes["stalled"] is False
    assert [
        (entry["state"], entry["source"]) for entry in final.attributes["timeline"]
    ][-2:] == [
        ("downloading", "qbittorrent"),
        ("download_done", "qbittorrent"),
    ]
    assert hass.states.get(CONNECTION).state == "on"


async def test_small_moves_do_not_write_new_states(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
    watch,
    qbittorrent_requests: AsyncMock,
) -> None:
    await _downloading(hass, hass_client_no_auth, config_entry, swarm)
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "download_done")
    polls = qbittorrent_requests.await_count
    # At most one state per visible step of progress (one point or more), never one
    # per poll. A start, stop or stall is shown at once whatever the progress, so
    # only states that differ from the one before in progress alone are compared.
    shown = [state.attributes for state in watch if "progress" in state.attributes]

    def notable(attributes) -> tuple:
        return (
            attributes["stalled"],
            not attributes.get("download_speed"),
            "eta" not in attributes,
        )

    progress = [
        (earlier["progress"], later["progress"])
        for earlier, later in zip(shown, shown[1:], strict=False)
        if notable(earlier) == notable(later)
        and later["progress"] != earlier["progress"]
    ]
    assert all(later - earlier >= 1 or later == 100 for earlier, later in progress)
    assert len(shown) <= polls


async def test_nothing_is_polled_while_nothing_downloads(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
    qbittorrent_requests: AsyncMock,
) -> None:
    entry = _qbittorrent_entry(config_entry, swarm)
    await set_up(hass, entry)
    client = await hass_client_no_auth()
    await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    await asyncio.sleep(2.5)
    coordinator = entry.runtime_data.qbittorrent
    assert qbittorrent_requests.await_count == 0
    assert coordinator.update_interval is None


async def test_download_done_stops_the_polling(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
    qbittorrent_requests: AsyncMock,
) -> None:
    entry = await _downloading(hass, hass_client_no_auth, config_entry, swarm)
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "download_done")
    coordinator = entry.runtime_data.qbittorrent
    calls = qbittorrent_requests.await_count
    await asyncio.sleep(2.5)
    assert qbittorrent_requests.await_count == calls
    assert coordinator.update_interval is None


async def test_expired_session_logs_in_again(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
) -> None:
    entry = await _downloading(hass, hass_client_no_auth, config_entry, swarm)
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "downloading")

    client = entry.runtime_data.qbittorrent.client
    logins = 0
    real_login = client.async_login

    async def counting_login() -> None:
        nonlocal logins
        logins += 1
        await real_login()

    client.async_login = counting_login
    # qBittorrent forgets sessions after an idle timeout; an unknown SID is what it then sees.
    client._session.cookie_jar.update_cookies(
        {"SID": "expired-session"}, URL(swarm.downloader.url)
    )
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "download_done")
    assert logins == 1
    assert hass.states.get(CONNECTION).state == "on"


async def test_wrong_credentials_start_a_reauth_flow(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
) -> None:
    entry = _qbittorrent_entry(config_entry, swarm, password="wrong")
    await set_up(hass, entry)
    await _request_and_grab(hass_client_no_auth, swarm)
    await _wait_for(hass, CONNECTION, lambda state: state.state == "off", timeout=10)
    await hass.async_block_till_done()

    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {CONF_QBITTORRENT_USERNAME: USERNAME, CONF_QBITTORRENT_PASSWORD: "still wrong"},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {CONF_QBITTORRENT_USERNAME: USERNAME, CONF_QBITTORRENT_PASSWORD: PASSWORD},
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_QBITTORRENT_PASSWORD] == PASSWORD
    await _wait_for(hass, CONNECTION, lambda state: state.state == "on", timeout=10)


async def test_qbittorrent_going_away_logs_once_and_recovers(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
    caplog,
) -> None:
    entry = _qbittorrent_entry(config_entry, swarm)
    await set_up(hass, entry)
    await _request_and_grab(hass_client_no_auth, swarm)
    await swarm.start_download(with_peer=False)
    await _wait_for(hass, CONNECTION, lambda state: state.state == "on", timeout=10)

    caplog.clear()
    await swarm.downloader.kill()
    await _wait_for(hass, CONNECTION, lambda state: state.state == "off", timeout=10)
    await asyncio.sleep(3)  # several more failed polls
    assert hass.states.get(ENTITY_ID).state == "indexed"
    errors = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.media_request_tracker")
        and r.levelno >= logging.WARNING
    ]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "Traceback" not in caplog.text
    assert PASSWORD not in caplog.text

    await swarm.downloader.start()
    await _wait_for(hass, CONNECTION, lambda state: state.state == "on", timeout=15)
    assert "Fetching qBittorrent data recovered" in caplog.text


async def test_torrent_removed_mid_download_is_kept_and_reported(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
) -> None:
    await _downloading(hass, hass_client_no_auth, config_entry, swarm)
    await _wait_for(hass, ENTITY_ID, lambda state: state.state == "downloading")
    await swarm.downloader.delete(swarm.torrent.info_hash)
    await _wait_for(
        hass,
        ENTITY_ID,
        lambda state: (
            state.attributes["timeline"][-1]["detail"]
            == "removed from qBittorrent before it finished"
        ),
        timeout=10,
    )
    assert hass.states.get(ENTITY_ID).state == "downloading"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"download_problem_{ENTRY_ID}_42"
    )
    assert issue is not None
    assert issue.translation_key == "download_removed"
    assert issue.translation_placeholders["title"] == "Dune: Part Two (2024)"


async def test_stall_past_the_threshold_is_shown(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    swarm: Swarm,
) -> None:
    entry = _qbittorrent_entry(config_entry, swarm, **{CONF_STALL_MINUTES: 30})
    await set_up(hass, entry)
    await _request_and_grab(hass_client_no_auth, swarm)
    await swarm.start_download(with_peer=False)  # nobody to download from
    coordinator = entry.runtime_data.qbittorrent
    await coordinator.async_refresh()
    assert hass.states.get(ENTITY_ID).attributes["stalled"] is False

    # Half an hour later by the integration's clock; the real processes keep real time.
    later = dt_util.utcnow() + timedelta(minutes=31)
    with patch(
        "custom_components.media_request_tracker.coordinator.dt_util.utcnow",
        return_value=later,
    ):
        await coordinator.async_refresh()
    state = hass.states.get(ENTITY_ID)
    assert state.attributes["stalled"] is True
    assert (
        state.attributes["timeline"][-1]["detail"] == "stalled: no data for 30 minutes"
    )
    assert state.state == "indexed"
