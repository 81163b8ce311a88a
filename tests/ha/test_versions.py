"""Every release of Jellyfin and qBittorrent that the README claims, through Home Assistant.

The fakes answer as each release does (``tests/fakes/UPSTREAM.md``), so a
difference between releases breaks one of these tests rather than a user's
set-up: the config flow, and a film's way from request to available.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import (
    CONF_QBITTORRENT_INTERVAL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    DOMAIN,
)
from tests.fakes.jellyfin import JELLYFIN_VERSIONS, SERVER_ID, FakeJellyfin
from tests.fakes.jellyfin_items import movie
from tests.fakes.qbittorrent import QBITTORRENT_VERSIONS, FakeQBittorrent
from tests.payloads import DUNE_HASH, payload

from .conftest import WEBHOOK_IDS, entry_with, set_up, tracker_entry, wait_until

FILM = "sensor.jellyfin_home_dune_part_two_2024"
DUNE_ITEM = {"Tmdb": "693134", "Imdb": "tt15239678"}


@pytest.fixture(params=QBITTORRENT_VERSIONS)
async def fake_qbittorrent(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncIterator[FakeQBittorrent]:
    async with FakeQBittorrent(version=str(request.param)) as server:
        yield server


@pytest.fixture(autouse=True)
async def unload_entries(hass: HomeAssistant) -> AsyncIterator[None]:
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def post(client, source: str, body: dict) -> None:
    response = await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", json=body)
    assert response.status == HTTPStatus.OK


@pytest.mark.parametrize("jellyfin_version", JELLYFIN_VERSIONS)
async def test_set_up_names_the_entry_after_each_jellyfin_release(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    assert result["step_id"] == "qbittorrent"
    while result["type"] is FlowResultType.FORM:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert (result["title"], result["result"].unique_id) == ("Jellyfin Home", SERVER_ID)


@pytest.mark.parametrize("jellyfin_version", JELLYFIN_VERSIONS)
async def test_a_film_is_found_in_the_library_of_each_jellyfin_release(
    hass: HomeAssistant, hass_client_no_auth, fake_jellyfin: FakeJellyfin
) -> None:
    await set_up(hass, tracker_entry(fake_jellyfin))
    client = await hass_client_no_auth()
    await post(client, "jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post(client, "radarr", payload("radarr_grab"))
    item = fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post(client, "radarr", payload("radarr_download"))

    await wait_until(lambda: hass.states.get(FILM).state == "available")
    assert hass.states.get(FILM).attributes["jellyfin_id"] == item["Id"]


async def test_set_up_logs_in_to_each_qbittorrent_release(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    fake_qbittorrent: FakeQBittorrent,
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    login = {
        "qbittorrent_url": fake_qbittorrent.url,
        "qbittorrent_username": fake_qbittorrent.username,
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**login, "qbittorrent_password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**login, "qbittorrent_password": fake_qbittorrent.password},
    )
    assert result["step_id"] == "shoko"


async def test_a_download_is_followed_on_each_qbittorrent_release(
    hass: HomeAssistant,
    hass_client_no_auth,
    fake_jellyfin: FakeJellyfin,
    fake_qbittorrent: FakeQBittorrent,
) -> None:
    entry: MockConfigEntry = entry_with(
        tracker_entry(fake_jellyfin),
        options={CONF_QBITTORRENT_INTERVAL: 1},
        **{
            CONF_QBITTORRENT_URL: fake_qbittorrent.url,
            CONF_QBITTORRENT_USERNAME: fake_qbittorrent.username,
            CONF_QBITTORRENT_PASSWORD: fake_qbittorrent.password,
        },
    )
    await set_up(hass, entry)
    client = await hass_client_no_auth()
    await post(client, "jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post(client, "radarr", payload("radarr_grab"))
    assert hass.states.get(FILM).state == "indexed"

    fake_qbittorrent.add_torrent(
        DUNE_HASH,
        name="Dune.Part.Two.2024.1080p.BluRay.x264-GRP",
        state="downloading",
        progress=0.4,
        dlspeed=2_000_000,
        eta=600,
        size=12_884_901_888,
        amount_left=7_730_941_133,
    )
    await wait_until(lambda: hass.states.get(FILM).state == "downloading", timeout=10)
    attributes = hass.states.get(FILM).attributes
    assert (attributes["progress"], attributes["eta"]) == (40.0, 600)

    fake_qbittorrent.add_torrent(
        DUNE_HASH,
        state=fake_qbittorrent.state("UP"),
        progress=1.0,
        dlspeed=0,
        eta=8640000,
        amount_left=0,
    )
    await wait_until(lambda: hass.states.get(FILM).state == "download_done", timeout=10)
    attributes = hass.states.get(FILM).attributes
    assert attributes["progress"] == 100.0
    assert "download_speed" not in attributes
    assert "eta" not in attributes
