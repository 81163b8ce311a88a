"""Home Assistant test set-up: a real ``hass``, a fake Jellyfin on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp import ClientResponse
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.media_request_tracker.const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_WEBHOOK_IDS,
    DOMAIN,
    REGISTRATION_SERVICES,
)
from custom_components.media_request_tracker.store import RequestStore
from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import JELLYFIN_VERSIONS, SERVER_ID, FakeJellyfin
from tests.payloads import SEVERANCE_SERIES_ID
from tests.services.qbittorrent import QBittorrentProcess

ENTRY_ID = "01JTESTENTRY0000000000000"
WEBHOOK_IDS = {
    "jellyseerr": "webhook-jellyseerr-0123456789abcdef",
    "radarr": "webhook-radarr-0123456789abcdef",
    "sonarr": "webhook-sonarr-0123456789abcdef",
    "jellyfin": "webhook-jellyfin-0123456789abcdef",
}
TRANSLATIONS = (
    Path(__file__).parents[2]
    / "custom_components"
    / "media_request_tracker"
    / "translations"
    / "en.json"
)
STORAGE_KEY = f"{DOMAIN}.{ENTRY_ID}"
# Times that change from run to run; snapshots leave them out.
VOLATILE = ("at", "requested_at", "updated_at", "stage_since")

type PostWebhook = Callable[[str, Any], Awaitable[ClientResponse]]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load our integration from custom_components/."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Home Assistant's snapshot format and folder, on every version we test."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture(autouse=True)
def config_dir_per_test(hass: HomeAssistant, tmp_path: Path) -> None:
    """Give each test its own config folder: the request journal is a real file."""
    hass.config.config_dir = str(tmp_path)


async def stored_requests(hass: HomeAssistant) -> dict[str, dict[str, Any]]:
    """What a restart would read: the snapshot with the journal replayed."""
    store = RequestStore(hass, ENTRY_ID)
    return {
        request.request_id: request.as_dict() for request in await store.async_load()
    }


@pytest.fixture
def jellyfin_version() -> str:
    """The release the fake Jellyfin answers as; a module that covers each overrides it."""
    return JELLYFIN_VERSIONS[-1]


@pytest.fixture
async def fake_jellyfin(
    socket_enabled: None, jellyfin_version: str
) -> AsyncIterator[FakeJellyfin]:
    server = FakeJellyfin(version=jellyfin_version)
    server.add_item(
        Id=SEVERANCE_SERIES_ID,
        Name="Severance",
        Type="Series",
        ProductionYear=2022,
        ProviderIds={"Tvdb": "371980", "Tmdb": "95396", "Imdb": "tt11280740"},
        Path="/media/tv/Severance",
    )
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def qbittorrent(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[QBittorrentProcess]:
    """One real qbittorrent-nox on loopback."""
    if not QBittorrentProcess.available():
        pytest.skip("qbittorrent-nox is not installed")
    server = QBittorrentProcess(tmp_path, "qbittorrent")
    await server.start()
    yield server
    await server.stop()


def tracker_entry(fake_jellyfin: FakeJellyfin, **data: Any) -> MockConfigEntry:
    """The test entry: the fake Jellyfin, fixed webhook ids, and any more data."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Jellyfin Home",
        entry_id=ENTRY_ID,
        unique_id=SERVER_ID,
        data={
            CONF_JELLYFIN_URL: fake_jellyfin.url,
            CONF_JELLYFIN_API_KEY: fake_jellyfin.api_key,
            CONF_WEBHOOK_IDS: dict(WEBHOOK_IDS),
            **data,
        },
    )


def entry_with(
    base: MockConfigEntry, *, options: dict[str, Any] | None = None, **data: Any
) -> MockConfigEntry:
    """A copy of an entry with more data or options, not yet added to hass."""
    return MockConfigEntry(
        domain=base.domain,
        title=base.title,
        entry_id=base.entry_id,
        unique_id=base.unique_id,
        data={**base.data, **data},
        options={**base.options, **(options or {})},
    )


def arr_data(servers: dict[str, Any]) -> dict[str, str]:
    """Entry data (and the arr step's answers) that reach each fake server by service name."""
    data: dict[str, str] = {}
    for service, server in servers.items():
        url_key, api_key_key = REGISTRATION_SERVICES[service]
        data[url_key] = server.url
        data[api_key_key] = server.api_key
    return data


def instance_id(entry: ConfigEntry, app: str) -> str:
    """The id of the entry's first instance of an app (``radarr``): its subentry's."""
    return next(
        subentry.subentry_id
        for subentry in entry.subentries.values()
        if subentry.subentry_type == app
    )


def instance_data(entry: ConfigEntry, app: str) -> Mapping[str, Any]:
    """The settings of the entry's first instance of an app (``radarr``)."""
    return entry.subentries[instance_id(entry, app)].data


async def wait_until(predicate: Callable[[], Any], timeout: float = 5) -> None:
    """Wait for something a background task brings about."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add the entry, set it up, and wait until it has settled."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


@pytest.fixture
def config_entry(fake_jellyfin: FakeJellyfin) -> MockConfigEntry:
    return tracker_entry(fake_jellyfin)


@pytest.fixture
async def setup_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    return await set_up(hass, config_entry)


@pytest.fixture
async def post_webhook(
    hass_client_no_auth, setup_integration: MockConfigEntry
) -> PostWebhook:
    client = await hass_client_no_auth()

    async def post(source: str, body: Any) -> ClientResponse:
        return await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", json=body)

    return post


@pytest.fixture
async def ha_url(hass: HomeAssistant, hass_client_no_auth) -> str:
    """Home Assistant's HTTP server listening on loopback, as its internal URL."""
    # The router freezes when the server starts: every view must exist before.
    assert await async_setup_component(hass, "webhook", {})
    client = await hass_client_no_auth()
    url = str(client.make_url("")).rstrip("/")
    await hass.config.async_update(internal_url=url)
    return url


@pytest.fixture
def no_registration() -> Iterator[None]:
    """Leave our webhooks out of the apps: for tests about something else."""
    with patch(
        "custom_components.media_request_tracker.async_schedule_register_upstream"
    ):
        yield


@pytest.fixture
async def radarr_4k(socket_enabled: None) -> AsyncIterator[FakeArr]:
    """The household's 4K Radarr, not yet an instance of the entry."""
    async with FakeArr("Radarr") as server:
        yield server
