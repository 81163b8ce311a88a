"""Our webhooks are registered in Radarr, Sonarr and Jellyseerr, and removed again.

The fakes answer as the real APIs do and, like the real apps, post their test
event to the URL being saved: that reaches Home Assistant's real webhook here.
"""

from __future__ import annotations

import copy
from datetime import timedelta
import json
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.media_request_tracker.const import CONF_RADARR_API_KEY, DOMAIN
from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.media_request_tracker.registration.arr import (
    NOTIFICATION_NAME,
    RADARR_EVENTS,
    SONARR_EVENTS,
)
from custom_components.media_request_tracker.registration.jellyseerr_template import (
    JELLYSEERR_TEMPLATE,
)
from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyseerr import VERSIONS as JELLYSEERR_VERSIONS, FakeJellyseerr
from tests.payloads import payload

from .conftest import (
    ENTRY_ID,
    WEBHOOK_IDS,
    arr_data,
    instance_data,
    instance_id,
    tracker_entry,
)

OUR_LOGGER = "custom_components.media_request_tracker"
TAKEN_ISSUE = f"jellyseerr_webhook_taken_{ENTRY_ID}"
THEIR_URL = "http://n8n.local:5678/webhook/3f0c2b1a"
THEIR_TEMPLATE = '{"text": "{{subject}} by {{requestedBy_username}}"}'
# The Jellyseerr tests run on Jellyseerr 2.x and on Seerr 3.x.
each_jellyseerr_version = pytest.mark.parametrize(
    "jellyseerr_version", JELLYSEERR_VERSIONS
)
DUNE_AUTO_APPROVED = {
    "event": "Movie Request Automatically Approved",
    "subject": "Dune: Part Two (2024)",
    "message": "Follow the mythic journey of Paul Atreides as he unites with Chani and the Fremen while on a path of revenge against the conspirators who destroyed his family.",
    "image": "https://image.tmdb.org/t/p/w600_and_h900_bestv2/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg",
    "media": {
        "mediaType": "movie",
        "tmdbId": 693134,
        "tvdbId": None,
        "status": 3,
        "status4k": 1,
    },
    "request": {
        "id": 42,
        "requestedBy": {
            "displayName": "admin",
            "email": "admin@example.com",
            "avatar": "/avatarproxy/1a2b",
            "settings": {"discordId": None, "telegramChatId": None},
        },
    },
    "extra": [],
}


@pytest.fixture
def apps(radarr: FakeArr, sonarr: FakeArr) -> dict[str, FakeArr]:
    return {"radarr": radarr, "sonarr": sonarr}


def make_entry(fake_jellyfin: FakeJellyfin, **services: Any) -> MockConfigEntry:
    return tracker_entry(fake_jellyfin, **arr_data(services))


@pytest.fixture
def entry(
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    sonarr: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> MockConfigEntry:
    return make_entry(
        fake_jellyfin, radarr=radarr, sonarr=sonarr, jellyseerr=jellyseerr
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set the entry up (a reload if it is loaded), and wait for the registration."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    if entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_reload(entry.entry_id)
    else:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


def our_url(ha_url: str, source: str) -> str:
    return f"{ha_url}/api/webhook/{WEBHOOK_IDS[source]}"


def ours(app: FakeArr, ha_url: str, source: str) -> list[dict[str, Any]]:
    return [
        hook
        for hook in app.webhooks()
        if any(
            f["name"] == "url" and f.get("value") == our_url(ha_url, source)
            for f in hook["fields"]
        )
    ]


def our_records(
    caplog: pytest.LogCaptureFixture, level: int = logging.DEBUG
) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name.startswith(OUR_LOGGER) and r.levelno >= level
    ]


def assert_no_secret_logged(caplog: pytest.LogCaptureFixture, api_key: str) -> None:
    """Neither a webhook id nor the API key is in anything we logged."""
    for record in our_records(caplog):
        for secret in (*WEBHOOK_IDS.values(), api_key):
            assert secret not in record.getMessage()


# Radarr and Sonarr ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "events"), [("radarr", RADARR_EVENTS), ("sonarr", SONARR_EVENTS)]
)
async def test_one_webhook_is_added_with_only_the_events_we_track(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    apps: dict[str, FakeArr],
    ha_url: str,
    source: str,
    events: frozenset[str],
) -> None:
    await set_up(hass, entry)
    [hook] = ours(apps[source], ha_url, source)
    assert hook["name"] == NOTIFICATION_NAME
    assert apps[source].enabled_events(hook) == events
    assert hook["includeHealthWarnings"] is False
    assert {f["name"]: f.get("value") for f in hook["fields"]}["method"] == 1


@pytest.mark.parametrize("source", ["radarr", "sonarr"])
async def test_the_apps_test_event_reaches_home_assistant_and_is_answered_200(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    apps: dict[str, FakeArr],
    ha_url: str,
    source: str,
) -> None:
    await set_up(hass, entry)
    [(url, status, body)] = apps[source].deliveries
    assert (url, status, body["eventType"]) == (our_url(ha_url, source), 200, "Test")
    # Ignored: a test event makes no request.
    assert hass.states.async_entity_ids("sensor") == [
        "sensor.jellyfin_home_active_requests"
    ]


@pytest.mark.parametrize("source", ["radarr", "sonarr"])
async def test_a_second_set_up_changes_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, apps: dict[str, FakeArr], source: str
) -> None:
    await set_up(hass, entry)
    writes = list(apps[source].writes())
    stored = copy.deepcopy(apps[source].notifications)
    await set_up(hass, entry)
    assert apps[source].writes() == writes
    assert apps[source].notifications == stored


async def test_real_events_reach_the_tracker_through_the_registered_webhooks(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr
) -> None:
    await set_up(hass, entry)
    await radarr.send(radarr.payload("grab"))
    state = hass.states.get("sensor.jellyfin_home_dune_part_two_2024")
    assert state is not None
    assert state.state == "indexed"


async def test_an_upgrade_reaches_home_assistant_through_our_webhook(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr
) -> None:
    await set_up(hass, entry)
    await radarr.send(radarr.payload("grab"))
    upgrade = radarr.payload("download")
    upgrade["isUpgrade"] = True
    await radarr.send(upgrade)
    # Radarr sends an upgrade only where onDownload and onUpgrade are both on.
    assert [(status, body["eventType"]) for _, status, body in radarr.deliveries] == [
        (200, "Test"),
        (200, "Grab"),
        (200, "Download"),
    ]


async def test_a_file_deleted_for_an_upgrade_is_not_sent_to_us(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr
) -> None:
    await set_up(hass, entry)
    deleted = radarr.payload("movie_file_delete")
    assert deleted["deleteReason"] == "upgrade"
    await radarr.send(deleted)
    # onMovieFileDeleteForUpgrade stays off: the upgrade's own Download says it.
    assert [body["eventType"] for _, _, body in radarr.deliveries] == ["Test"]


async def test_a_season_pack_arrives_as_this_sonarr_sends_it(
    hass: HomeAssistant, entry: MockConfigEntry, sonarr: FakeArr
) -> None:
    await set_up(hass, entry)
    await sonarr.send(sonarr.payload("grab_season_pack"))
    await sonarr.send(sonarr.payload("download_episode"))
    await sonarr.send(sonarr.payload("download_import_complete"))
    assert [status for _, status, _ in sonarr.deliveries] == [200] * 4
    state = hass.states.get("sensor.jellyfin_home_severance_2022")
    assert state is not None
    assert state.state == "importing"
    assert state.attributes["episodes_available"] == 9


@pytest.mark.parametrize("sonarr_version", ["4.0.5"])
async def test_a_sonarr_before_import_complete_gets_the_other_events_and_is_left_alone(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    sonarr: FakeArr,
) -> None:
    entry = make_entry(fake_jellyfin, sonarr=sonarr)
    await set_up(hass, entry)
    [hook] = ours(sonarr, ha_url, "sonarr")
    assert "onImportComplete" not in hook
    assert sonarr.enabled_events(hook) == SONARR_EVENTS - {"onImportComplete"}
    writes = list(sonarr.writes())
    await set_up(hass, entry)
    assert sonarr.writes() == writes
    registrations = entry.runtime_data.registrations
    assert registrations[instance_id(entry, "sonarr")] == "registered"


def tick_health_issue(hook: dict[str, Any], source: str) -> None:
    hook["onHealthIssue"] = True


def move_home_assistant(hook: dict[str, Any], source: str) -> None:
    for field in hook["fields"]:
        if field["name"] == "url":
            field["value"] = (
                f"http://old-address:8123/api/webhook/{WEBHOOK_IDS[source]}"
            )


@pytest.mark.parametrize("change", [tick_health_issue, move_home_assistant])
@pytest.mark.parametrize("source", ["radarr", "sonarr"])
async def test_our_webhook_changed_in_the_app_is_put_back_and_nothing_else(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    apps: dict[str, FakeArr],
    ha_url: str,
    source: str,
    change: Any,
) -> None:
    app = apps[source]
    theirs = app.add_connection(
        "Notifiarr relay", url=THEIR_URL, events=("onGrab", "onHealthIssue")
    )
    await set_up(hass, entry)
    [hook] = ours(app, ha_url, source)
    change(app.notifications[hook["id"]], source)
    before = len(app.writes())
    await set_up(hass, entry)
    assert app.writes()[before:] == [("PUT", f"/api/v3/notification/{hook['id']}")]
    assert ours(app, ha_url, source) == [hook]
    assert app.notifications[theirs["id"]] == theirs


async def test_a_duplicate_of_ours_is_removed(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr, ha_url: str
) -> None:
    for name in ("Media Request Tracker", "Media Request Tracker copy"):
        radarr.add_connection(
            name, url=our_url(ha_url, "radarr"), events=tuple(RADARR_EVENTS)
        )
    await set_up(hass, entry)
    [kept] = ours(radarr, ha_url, "radarr")
    assert kept["name"] == "Media Request Tracker"


async def test_the_users_other_connections_are_left_alone(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr, ha_url: str
) -> None:
    theirs = radarr.add_connection(
        "Notifiarr relay", url=THEIR_URL, events=("onGrab",), password="hunter2"
    )
    discord = radarr.add_connection(
        "Discord", implementation="Discord", events=("onDownload",)
    )
    await set_up(hass, entry)
    assert radarr.notifications[theirs["id"]] == theirs
    assert radarr.notifications[discord["id"]] == discord
    assert len(ours(radarr, ha_url, "radarr")) == 1


async def test_a_name_taken_by_another_connection_gets_the_entry_title(
    hass: HomeAssistant, entry: MockConfigEntry, radarr: FakeArr, ha_url: str
) -> None:
    radarr.add_connection(NOTIFICATION_NAME, url=THEIR_URL)
    await set_up(hass, entry)
    [hook] = ours(radarr, ha_url, "radarr")
    assert hook["name"] == f"{NOTIFICATION_NAME} (Jellyfin Home)"


async def test_removing_the_entry_deletes_only_our_webhooks(
    hass: HomeAssistant, entry: MockConfigEntry, apps: dict[str, FakeArr], ha_url: str
) -> None:
    theirs = {
        name: app.add_connection("Relay", url=THEIR_URL) for name, app in apps.items()
    }
    await set_up(hass, entry)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    for name, app in apps.items():
        assert list(app.notifications.values()) == [theirs[name]]


async def test_an_app_that_cannot_reach_home_assistant_is_reported_without_the_url(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    radarr: FakeArr,
    fake_jellyfin: FakeJellyfin,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=OUR_LOGGER)
    # Home Assistant's internal URL is wrong: another server answers 404 there.
    await hass.config.async_update(internal_url=fake_jellyfin.url)
    await set_up(hass, entry)
    assert radarr.notifications == {}
    [warning] = [
        r for r in our_records(caplog, logging.WARNING) if "Radarr" in r.getMessage()
    ]
    assert "Unable to send test message" in warning.getMessage()
    assert "**REDACTED**" in warning.getMessage()
    assert_no_secret_logged(caplog, radarr.api_key)


# Jellyseerr -------------------------------------------------------------------


@each_jellyseerr_version
async def test_an_empty_jellyseerr_slot_gets_our_url_types_and_default_template(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr, ha_url: str
) -> None:
    await set_up(hass, entry)
    webhook = jellyseerr.webhook
    assert webhook["enabled"] is True
    assert webhook["options"]["webhookUrl"] == our_url(ha_url, "jellyseerr")
    # Pending, approved, available, failed, declined, auto-approved; no issues.
    assert webhook["types"] == 2 | 4 | 8 | 16 | 64 | 128
    assert jellyseerr.template() == JELLYSEERR_TEMPLATE
    assert jellyseerr.send_errors == []


@each_jellyseerr_version
async def test_jellyseerrs_test_notification_reaches_home_assistant_and_is_answered_200(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr, ha_url: str
) -> None:
    await set_up(hass, entry)
    [(url, status, body)] = jellyseerr.deliveries
    assert (url, status) == (our_url(ha_url, "jellyseerr"), 200)
    assert body == payload("jellyseerr_test")


@each_jellyseerr_version
async def test_a_request_in_jellyseerr_arrives_through_the_registered_template(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    await jellyseerr.notify("MEDIA_AUTO_APPROVED", DUNE_AUTO_APPROVED)
    assert jellyseerr.deliveries[-1][1:] == (
        200,
        payload("jellyseerr_movie_auto_approved"),
    )
    state = hass.states.get("sensor.jellyfin_home_dune_part_two_2024")
    assert state is not None
    assert state.state == "approved"
    assert state.attributes["requested_by"] == "admin"


@each_jellyseerr_version
async def test_a_series_request_arrives_with_its_requested_seasons(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    fixture = payload("jellyseerr_tv_pending")
    await set_up(hass, entry)
    await jellyseerr.notify(
        "MEDIA_PENDING",
        {
            "event": fixture["event"],
            "subject": fixture["subject"],
            "message": fixture["message"],
            "image": fixture["image"],
            "media": {
                "mediaType": "tv",
                "tmdbId": 95396,
                "tvdbId": 371980,
                "status": 2,
                "status4k": 1,
            },
            "request": {
                "id": 43,
                "requestedBy": {
                    "displayName": "alice",
                    "email": "alice@example.com",
                    "avatar": "/avatarproxy/1a2b",
                    "settings": {"discordId": None, "telegramChatId": None},
                },
            },
            "extra": [{"name": "Requested Seasons", "value": "1"}],
        },
    )
    assert jellyseerr.deliveries[-1][1:] == (200, fixture)
    state = hass.states.get("sensor.jellyfin_home_severance_2022")
    assert state is not None
    assert state.state == "requested"
    assert state.attributes["requested_by"] == "alice"


@each_jellyseerr_version
async def test_a_second_set_up_leaves_jellyseerr_alone(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    writes = list(jellyseerr.writes())
    await set_up(hass, entry)
    assert jellyseerr.writes() == writes


@each_jellyseerr_version
async def test_a_slot_taken_by_another_url_is_left_alone_and_raises_an_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=OUR_LOGGER)
    jellyseerr.set_webhook(THEIR_URL, types=4, auth_header="Bearer theirs")
    theirs = copy.deepcopy(jellyseerr.webhook)
    await set_up(hass, entry)
    assert jellyseerr.webhook == theirs
    assert jellyseerr.writes() == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE)
    assert issue is not None
    assert issue.translation_key == "jellyseerr_webhook_taken"
    assert not issue.is_fixable
    assert issue.translation_placeholders == {
        "jellyseerr_url": jellyseerr.url,
        "title": "Jellyfin Home",
    }
    assert not our_records(caplog, logging.WARNING)


@each_jellyseerr_version
async def test_a_disabled_slot_with_the_users_url_is_theirs_left_alone_with_an_issue(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    """Switched off for now, it still holds their URL, template and auth header."""
    jellyseerr.set_webhook(
        THEIR_URL,
        enabled=False,
        types=4,
        template_text=THEIR_TEMPLATE,
        auth_header="Bearer theirs",
    )
    theirs = copy.deepcopy(jellyseerr.webhook)
    await set_up(hass, entry)
    assert jellyseerr.webhook == theirs
    assert jellyseerr.writes() == []
    issue = ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE)
    assert issue is not None
    assert issue.translation_key == "jellyseerr_webhook_taken"


@each_jellyseerr_version
async def test_removing_the_entry_leaves_a_disabled_slot_of_the_user(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    jellyseerr.set_webhook(
        THEIR_URL,
        enabled=False,
        template_text=THEIR_TEMPLATE,
        auth_header="Bearer theirs",
    )
    theirs = copy.deepcopy(jellyseerr.webhook)
    await set_up(hass, entry)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert jellyseerr.webhook == theirs
    assert jellyseerr.writes() == []


@each_jellyseerr_version
async def test_the_issue_goes_once_the_slot_is_freed_and_a_set_up_takes_it(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr, ha_url: str
) -> None:
    jellyseerr.set_webhook(THEIR_URL)
    await set_up(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is not None
    # The user empties the URL in Jellyseerr, then reloads the integration.
    jellyseerr.set_webhook("", enabled=False)
    await set_up(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is None
    assert jellyseerr.webhook["enabled"] is True
    assert jellyseerr.webhook["options"]["webhookUrl"] == our_url(ha_url, "jellyseerr")


@each_jellyseerr_version
async def test_removing_the_entry_clears_the_slot_when_it_is_ours(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert jellyseerr.webhook["enabled"] is False
    assert jellyseerr.webhook["options"]["webhookUrl"] == ""


@each_jellyseerr_version
async def test_removing_the_entry_leaves_a_slot_that_is_not_ours(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    jellyseerr.set_webhook(THEIR_URL)
    theirs = copy.deepcopy(jellyseerr.webhook)
    await set_up(hass, entry)
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert jellyseerr.webhook == theirs
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is None


# Services that are down -------------------------------------------------------


async def test_a_service_that_is_down_does_not_stop_set_up_and_logs_one_warning_without_secrets(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=OUR_LOGGER)
    await radarr.stop()
    entry = make_entry(fake_jellyfin, radarr=radarr)
    await set_up(hass, entry)
    [warning] = our_records(caplog, logging.WARNING)
    assert "Could not register the webhook in Radarr" in warning.getMessage()
    assert "trying again in the background" in warning.getMessage()
    assert_no_secret_logged(caplog, radarr.api_key)


async def test_a_service_that_comes_back_is_registered_by_the_retry(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = radarr.port
    await radarr.stop()
    entry = make_entry(fake_jellyfin, radarr=radarr)
    await set_up(hass, entry)
    assert len(our_records(caplog, logging.WARNING)) == 1
    await radarr.start(port)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(ours(radarr, ha_url, "radarr")) == 1
    assert len(our_records(caplog, logging.WARNING)) == 1
    assert any(
        "Registered the webhook in Radarr" in r.getMessage()
        for r in our_records(caplog, logging.INFO)
    )


@pytest.mark.parametrize("source", ["radarr", "jellyseerr"])
async def test_a_refused_api_key_is_reported_once_and_not_retried(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    jellyseerr: FakeJellyseerr,
    caplog: pytest.LogCaptureFixture,
    source: str,
) -> None:
    service: FakeArr | FakeJellyseerr = {"radarr": radarr, "jellyseerr": jellyseerr}[
        source
    ]
    entry = make_entry(fake_jellyfin, **{source: service})
    service.api_key = "rotated-key"
    await set_up(hass, entry)
    [warning] = our_records(caplog, logging.WARNING)
    assert "the API key was refused" in warning.getMessage()
    calls = len(service.calls)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(hours=2))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(service.calls) == calls


async def test_home_assistant_without_a_url_registers_nothing_and_says_where_to_set_one(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await hass.config.async_update(internal_url=None)
    hass.config.api = None
    await set_up(hass, make_entry(fake_jellyfin, radarr=radarr))
    [warning] = our_records(caplog, logging.WARNING)
    assert "Settings → System → Network" in warning.getMessage()
    assert radarr.calls == []


async def test_removal_with_a_service_down_still_removes_the_entry(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    radarr: FakeArr,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await set_up(hass, entry)
    await radarr.stop()
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    [warning] = our_records(caplog, logging.WARNING)
    assert "remove it there by hand" in warning.getMessage()


async def test_an_entry_without_api_keys_calls_no_service(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> None:
    await set_up(hass, make_entry(fake_jellyfin))
    assert radarr.calls == []
    assert jellyseerr.calls == []


async def test_a_refused_key_asks_for_a_new_one_and_then_registers(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
) -> None:
    entry = make_entry(fake_jellyfin, radarr=radarr)
    radarr.api_key = "rotated-key"
    await set_up(hass, entry)
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == "reauth"
    assert flow["step_id"] == "reauth_radarr"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_RADARR_API_KEY: "rotated-key"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "reauth_successful"
    assert instance_data(entry, "radarr")["api_key"] == "rotated-key"
    assert [n["implementation"] for n in radarr.notifications.values()] == ["Webhook"]


async def test_removing_the_radarr_instance_removes_our_webhook_there(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
) -> None:
    entry = make_entry(fake_jellyfin, radarr=radarr)
    await set_up(hass, entry)
    assert len(radarr.notifications) == 1
    hass.config_entries.async_remove_subentry(entry, instance_id(entry, "radarr"))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.subentries == {}
    assert radarr.notifications == {}


async def test_diagnostics_tell_which_services_have_our_webhook(
    hass: HomeAssistant,
    ha_url: str,
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    sonarr: FakeArr,
) -> None:
    await sonarr.stop()
    entry = make_entry(fake_jellyfin, radarr=radarr, sonarr=sonarr)
    await set_up(hass, entry)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    registration = {
        instance["app"]: instance["registration"]
        for instance in diagnostics["instances"]
    }
    assert registration["Radarr"] == "registered"
    assert registration["Sonarr"].startswith("not registered: ")
    text = json.dumps(diagnostics)
    assert WEBHOOK_IDS["sonarr"] not in text
    assert sonarr.api_key not in text
