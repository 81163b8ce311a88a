"""Anime requests follow Shoko's matching over SignalR, then Jellyfin decides."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging

from aiohttp import ClientResponse
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker import shoko_listener as shoko_module
from custom_components.media_request_tracker.const import (
    CONF_SHOKO_API_KEY,
    CONF_SHOKO_PASSWORD,
    CONF_SHOKO_URL,
    CONF_SHOKO_USERNAME,
    DOMAIN,
)
from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path
from tests.fakes.shoko import API_KEY, FILE_EVENTS, PASSWORD, USERNAME, FakeShoko
from tests.payloads import jellyseerr, payload

from .conftest import WEBHOOK_IDS, entry_with, wait_until

FRIEREN = "sensor.jellyfin_home_frieren_beyond_journey_s_end_2023"
SHOKO = "binary_sensor.jellyfin_home_shoko_connection"
FILE_ID = 1234


# Shoko's schedule, (1, 2, 5, 10, 30, 60) s reset after a minute, a minute lasting 1 s.
# A minute of Shoko time, in real seconds: long enough for a busy machine.
MINUTE = 2.0
FAST = {
    "keepalive": 0.1,
    "server_timeout": 1.0,
    "connect_timeout": 1.0,
    "handshake_timeout": 0.3,
    "backoff": tuple(delay / 60 * MINUTE for delay in (1, 2, 5, 10, 30, 60)),
    "stable_after": MINUTE,
}
# A v5 before 5.2 (State as a number), the last v5, and the newest v6 build.
FLOW_VERSIONS = pytest.mark.parametrize(
    "version", ["5.1.0", 5, 6], ids=["shoko5.1", "shoko5.3", "shoko6"]
)


@pytest.fixture(autouse=True)
def fast_signalr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shoko_module, "SIGNALR_TIMING", FAST)


async def _started(version: int | str) -> FakeShoko:
    hub = FakeShoko(version)
    await hub.start()
    return hub


@pytest.fixture(params=[5, 6], ids=["shoko5", "shoko6"])
async def fake_shoko(
    request: pytest.FixtureRequest, socket_enabled: None
) -> AsyncIterator[FakeShoko]:
    hub = await _started(request.param)
    yield hub
    await hub.stop()


@pytest.fixture
async def shoko_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry, fake_shoko: FakeShoko
) -> AsyncIterator[MockConfigEntry]:
    entry = _with_shoko(config_entry, fake_shoko)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await asyncio.wait_for(fake_shoko.connected.wait(), 5)
    yield entry
    # Unload cancels the listener; the harness fails the test on a task left behind.
    await hass.config_entries.async_unload(entry.entry_id)


def _with_shoko(config_entry: MockConfigEntry, hub: FakeShoko) -> MockConfigEntry:
    return entry_with(
        config_entry, **{CONF_SHOKO_URL: hub.url, CONF_SHOKO_API_KEY: API_KEY}
    )


def _events(fake_shoko: FakeShoko, name: str) -> str:
    return FILE_EVENTS[fake_shoko.major_version][name][0]


def _file_payload(fake_shoko: FakeShoko, name: str) -> dict:
    return payload(FILE_EVENTS[fake_shoko.major_version][name][1])


def _our_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.media_request_tracker")
        and record.levelno >= logging.INFO
    ]


async def _post(client, source: str, body: dict) -> ClientResponse:
    return await client.post(f"/api/webhook/{WEBHOOK_IDS[source]}", json=body)


async def test_anime_series_reaches_available_through_shoko_and_the_library(
    hass: HomeAssistant,
    hass_client_no_auth,
    shoko_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
    fake_jellyfin: FakeJellyfin,
) -> None:
    client = await hass_client_no_auth()
    request = jellyseerr("jellyseerr_anime_tv_pending", "MEDIA_APPROVED")
    request["extra"] = [{"name": "Requested Seasons", "value": "1"}]
    await _post(client, "jellyseerr", request)
    await _post(client, "sonarr", payload("sonarr_anime_download_episode"))
    assert hass.states.get(FRIEREN).state == "importing"

    await fake_shoko.emit(
        _events(fake_shoko, "detected"), _file_payload(fake_shoko, "detected")
    )
    await wait_until(lambda: hass.states.get(FRIEREN).state == "anime_matching")
    await fake_shoko.emit(
        _events(fake_shoko, "hashed"), _file_payload(fake_shoko, "hashed")
    )

    # Shokofin presents the file: no TMDB or TVDB id, other numbering, the Shoko file id in the path.
    show = fake_jellyfin.add_item(
        **series("Sousou no Frieren", 2023, {"AniDB": "17617", "Shoko Series": "310"})
    )
    fake_jellyfin.add_item(
        **episode(
            show, 1, 3, path=shokofin_path("Sousou no Frieren", 310, FILE_ID, 1, 3)
        )
    )
    await fake_shoko.emit(
        _events(fake_shoko, "matched"), _file_payload(fake_shoko, "matched")
    )

    await wait_until(lambda: hass.states.get(FRIEREN).state == "available")
    state = hass.states.get(FRIEREN)
    assert state.attributes["anidb_id"] == 17617
    assert state.attributes["is_anime"] is True
    assert [
        (entry["state"], entry["source"]) for entry in state.attributes["timeline"]
    ][-3:] == [
        ("anime_matching", "shoko"),
        ("anime_matching", "shoko"),
        ("available", "jellyfin"),
    ]
    assert hass.states.get(SHOKO).state == "on"


async def test_anime_film_filed_as_a_special_reaches_available(
    hass: HomeAssistant,
    hass_client_no_auth,
    shoko_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
    fake_jellyfin: FakeJellyfin,
) -> None:
    client = await hass_client_no_auth()
    film = payload("jellyseerr_movie_auto_approved")
    film.update(subject="Frieren Recap (2024)")
    film["media"]["tmdbId"] = "1170521"
    imported = payload("radarr_download")
    imported["movie"].update(
        title="Frieren Recap",
        year=2024,
        tmdbId=1170521,
        genres=["Animation"],
        originalLanguage={"id": 8, "name": "Japanese"},
    )
    imported["movieFile"]["path"] = (
        "/data/media/anime-movies/Frieren Recap (2024)/Frieren Recap (2024) [WEBDL-1080p].mkv"
    )
    await _post(client, "jellyseerr", film)
    await _post(client, "radarr", imported)
    entity = "sensor.jellyfin_home_frieren_recap_2024"
    assert hass.states.get(entity).state == "importing"

    detected = _file_payload(fake_shoko, "hashed")
    detected["RelativePath"] = (
        "Frieren Recap (2024)/Frieren Recap (2024) [WEBDL-1080p].mkv"
    )
    await fake_shoko.emit(_events(fake_shoko, "hashed"), detected)
    await wait_until(lambda: hass.states.get(entity).state == "anime_matching")

    show = fake_jellyfin.add_item(
        **series("Sousou no Frieren", 2023, {"AniDB": "17617"})
    )
    fake_jellyfin.add_item(
        **episode(
            show, 0, 1, path=shokofin_path("Sousou no Frieren", 310, FILE_ID, 0, 1)
        )
    )
    fake_jellyfin.add_item(**movie("Unrelated Film", 2024, {}))
    await fake_shoko.emit(
        _events(fake_shoko, "matched"), _file_payload(fake_shoko, "matched")
    )
    await wait_until(lambda: hass.states.get(entity).state == "available")


async def test_reconnection_processes_new_events_and_applies_none_twice(
    hass: HomeAssistant,
    hass_client_no_auth,
    shoko_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
    caplog,
) -> None:
    client = await hass_client_no_auth()
    await _post(
        client,
        "jellyseerr",
        jellyseerr("jellyseerr_anime_tv_pending", "MEDIA_APPROVED"),
    )
    await _post(client, "sonarr", payload("sonarr_anime_download_episode"))
    await fake_shoko.emit(
        _events(fake_shoko, "hashed"), _file_payload(fake_shoko, "hashed")
    )
    await fake_shoko.emit(
        _events(fake_shoko, "matched"), _file_payload(fake_shoko, "matched")
    )
    await wait_until(
        lambda: any(
            "Shoko matched" in e["detail"]
            for e in hass.states.get(FRIEREN).attributes["timeline"]
        )
    )

    caplog.clear()
    await asyncio.sleep(MINUTE)  # a connection that lasted
    await fake_shoko.drop()
    await wait_until(lambda: hass.states.get(SHOKO).state == "off")
    await asyncio.wait_for(fake_shoko.connected.wait(), 5)
    await wait_until(lambda: hass.states.get(SHOKO).state == "on")
    await fake_shoko.emit(
        _events(fake_shoko, "matched"), _file_payload(fake_shoko, "matched")
    )
    await fake_shoko.emit(
        _events(fake_shoko, "deleted"), _file_payload(fake_shoko, "deleted")
    )
    await wait_until(
        lambda: (
            hass.states.get(FRIEREN)
            .attributes["timeline"][-1]["detail"]
            .endswith("was deleted")
        )
    )

    details = [
        entry["detail"] for entry in hass.states.get(FRIEREN).attributes["timeline"]
    ]
    assert sum("Shoko matched" in detail for detail in details) == 1
    assert _our_logs(caplog) == [
        (
            "Lost the connection to Shoko Server (the hub closed the connection: "
            "Server is shutting down); reconnecting in the background"
        ),
        "Shoko Server connection is back",
    ]
    assert "Traceback" not in caplog.text


async def test_hub_that_never_answers_stays_off_and_unloads_cleanly(
    hass: HomeAssistant, config_entry: MockConfigEntry, fake_shoko: FakeShoko
) -> None:
    fake_shoko.answer_handshake = False
    entry = _with_shoko(config_entry, fake_shoko)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_until(lambda: fake_shoko.negotiations >= 3)
    assert hass.states.get(SHOKO).state == "off"
    # Unloading while it reconnects leaves nothing behind (the harness checks tasks).
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def _set_up_while(
    hass: HomeAssistant, config_entry: MockConfigEntry, hub: FakeShoko
) -> MockConfigEntry:
    entry = _with_shoko(config_entry, hub)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def test_malformed_negotiate_answer_is_retried_and_the_listener_lives(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
    caplog,
) -> None:
    fake_shoko.negotiate_body = (
        '{"negotiateVersion":1,"connectionId":"a","availableTransports":null}'
    )
    entry = await _set_up_while(hass, config_entry, fake_shoko)
    await wait_until(lambda: fake_shoko.negotiations >= 3)
    assert hass.states.get(SHOKO).state == "off"
    fake_shoko.negotiate_body = None
    await wait_until(lambda: hass.states.get(SHOKO).state == "on")
    assert _our_logs(caplog) == [
        (
            "Cannot connect to Shoko Server (the hub offers no WebSockets transport); "
            "retrying in the background"
        ),
        "Shoko Server connection is back",
    ]
    assert "Traceback" not in caplog.text
    await hass.config_entries.async_unload(entry.entry_id)


def _outage_warnings(caplog) -> int:
    return len(
        [
            m
            for m in _our_logs(caplog)
            if "Lost the connection" in m or "Cannot connect" in m
        ]
    )


async def test_hub_that_closes_every_session_is_not_hammered_and_the_sensor_holds(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
    caplog,
) -> None:
    fake_shoko.close_each_session = True
    changes: list[str] = []

    def record(event: Event[EventStateChangedData]) -> None:
        if event.data["entity_id"] == SHOKO and (state := event.data["new_state"]):
            changes.append(state.state)

    unsubscribe = hass.bus.async_listen("state_changed", record)
    entry = await _set_up_while(hass, config_entry, fake_shoko)
    await asyncio.sleep(MINUTE)
    unsubscribe()
    assert 2 <= fake_shoko.handshakes <= 7  # a handful a minute
    # Set up, the first session, lost, and no flapping after; on a busy machine
    # the first session may come late. A write that only changes attributes
    # repeats the state, so repeats count once.
    shown = [state for i, state in enumerate(changes) if changes[i - 1 : i] != [state]]
    assert shown in (["off"], ["off", "on"], ["off", "on", "off"])
    assert _outage_warnings(caplog) <= 1  # one warning for the whole outage
    await hass.config_entries.async_unload(entry.entry_id)


async def test_shoko_still_starting_is_waited_for(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
) -> None:
    """v6's hub answers 503 until Shoko has started (v5's hub is up at once)."""
    fake_shoko.started = False
    entry = await _set_up_while(hass, config_entry, fake_shoko)
    if fake_shoko.major_version >= 6:
        await wait_until(lambda: fake_shoko.negotiate_calls >= 3)
        assert fake_shoko.negotiations == 0
        assert hass.states.get(SHOKO).state == "off"
    fake_shoko.started = True
    await wait_until(lambda: hass.states.get(SHOKO).state == "on")
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_refused_key_asks_to_reauthenticate_on_v6_only(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    fake_shoko: FakeShoko,
) -> None:
    """v5's hub needs no key, so a revoked one goes unnoticed there (README)."""
    entry = entry_with(
        config_entry, **{CONF_SHOKO_URL: fake_shoko.url, CONF_SHOKO_API_KEY: "revoked"}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    if fake_shoko.major_version >= 6:
        await wait_until(
            lambda: any(
                flow["context"]["source"] == SOURCE_REAUTH
                for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            )
        )
        assert hass.states.get(SHOKO).state == "off"
    else:
        await wait_until(lambda: hass.states.get(SHOKO).state == "on")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_show_the_shoko_link_without_its_key(
    hass: HomeAssistant, shoko_entry: MockConfigEntry, fake_shoko: FakeShoko
) -> None:
    await wait_until(lambda: hass.states.get(SHOKO).state == "on")
    diagnostics = await async_get_config_entry_diagnostics(hass, shoko_entry)
    assert diagnostics["connections"]["shoko"] is True
    assert diagnostics["entry"]["data"][CONF_SHOKO_API_KEY] == "**REDACTED**"
    assert API_KEY not in str(diagnostics)


async def _shoko_step(hass: HomeAssistant, fake_jellyfin: FakeJellyfin) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    flow_id = result["flow_id"]
    await hass.config_entries.flow.async_configure(
        flow_id,
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["step_id"] == "shoko"
    return flow_id


@pytest.fixture
async def flow_shoko(
    version: int | str, socket_enabled: None
) -> AsyncIterator[FakeShoko]:
    async with FakeShoko(version) as hub:
        yield hub


@FLOW_VERSIONS
async def test_username_and_password_become_an_api_key_and_are_not_stored(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, flow_shoko: FakeShoko
) -> None:
    flow_id = await _shoko_step(hass, fake_jellyfin)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_SHOKO_URL: flow_shoko.url,
            CONF_SHOKO_USERNAME: USERNAME,
            CONF_SHOKO_PASSWORD: "wrong",
        },
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            CONF_SHOKO_URL: flow_shoko.url,
            CONF_SHOKO_USERNAME: USERNAME,
            CONF_SHOKO_PASSWORD: PASSWORD,
        },
    )
    assert result["step_id"] == "arr"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    data = result["data"]
    assert data[CONF_SHOKO_API_KEY] == API_KEY
    assert CONF_SHOKO_PASSWORD not in data
    assert PASSWORD not in str(data)
    await hass.async_block_till_done()


@FLOW_VERSIONS
@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({CONF_SHOKO_API_KEY: "wrong"}, {"base": "invalid_auth"}),
        ({}, {"base": "shoko_credentials_required"}),
        (
            {CONF_SHOKO_URL: "http://127.0.0.1:9", CONF_SHOKO_API_KEY: API_KEY},
            {"base": "cannot_connect"},
        ),
        (
            {CONF_SHOKO_URL: "", CONF_SHOKO_API_KEY: API_KEY},
            {CONF_SHOKO_URL: "url_required"},
        ),
    ],
)
async def test_shoko_step_errors_then_recovers(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    flow_shoko: FakeShoko,
    user_input: dict,
    errors: dict,
) -> None:
    flow_id = await _shoko_step(hass, fake_jellyfin)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SHOKO_URL: flow_shoko.url, **user_input}
    )
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_SHOKO_URL: flow_shoko.url, CONF_SHOKO_API_KEY: API_KEY}
    )
    assert result["step_id"] == "arr"


@FLOW_VERSIONS
async def test_shoko_still_starting_cannot_be_set_up_yet(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, flow_shoko: FakeShoko
) -> None:
    flow_shoko.started = False
    flow_id = await _shoko_step(hass, fake_jellyfin)
    answer = {CONF_SHOKO_URL: flow_shoko.url, CONF_SHOKO_API_KEY: API_KEY}
    result = await hass.config_entries.flow.async_configure(flow_id, answer)
    assert result["errors"] == {"base": "cannot_connect"}
    flow_shoko.started = True
    result = await hass.config_entries.flow.async_configure(flow_id, answer)
    assert result["step_id"] == "arr"
