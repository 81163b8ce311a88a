"""The config, reauth, reconfigure and options flows, as the user goes through them.

Every check is live, against the loopback fakes of Jellyfin, Shoko, Jellyseerr,
Radarr and Sonarr, and a real qbittorrent-nox.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import logging
from typing import Any

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.media_request_tracker as integration
from custom_components.media_request_tracker.config_flow import (
    MediaRequestTrackerConfigFlow,
)
from custom_components.media_request_tracker.const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_QBITTORRENT_INTERVAL,
    CONF_RETENTION_DAYS,
    CONF_STUCK_IMPORTING_HOURS,
    CONF_TRACK_UNREQUESTED,
    DOMAIN,
)
from custom_components.media_request_tracker.forms import (
    ARR_SCHEMA,
    QBITTORRENT_SCHEMA,
    REAUTH_JELLYFIN_SCHEMA,
    REAUTH_QBITTORRENT_SCHEMA,
    REAUTH_SCHEMAS,
    REAUTH_SHOKO_SCHEMA,
    RECONFIGURE_FORMS,
    RECONFIGURE_SCHEMA,
    SHOKO_SCHEMA,
    USER_SCHEMA,
)
from tests.fakes.arr import FakeArr
from tests.fakes.jellyfin import SERVER_ID, FakeJellyfin
from tests.fakes.jellyseerr import VERSIONS as JELLYSEERR_VERSIONS, FakeJellyseerr
from tests.fakes.shoko import (
    API_KEY as SHOKO_KEY,
    PASSWORD as SHOKO_PASSWORD,
    USERNAME as SHOKO_USER,
    FakeShoko,
)
from tests.payloads import payload
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess

from .conftest import (
    ENTRY_ID,
    TRANSLATIONS,
    WEBHOOK_IDS,
    arr_data,
    instance_data,
    set_up,
    tracker_entry,
    wait_until,
)
from .senders import (
    FROM_ELSEWHERE,
    TEST_PAYLOADS,
    async_trust_loopback_proxy,
    delivered,
)

# A key pasted with a line break in it cannot even be sent as a header.
BROKEN_KEY = "first-half\r\nsecond-half"


@pytest.fixture
async def sign_in_page(socket_enabled: None) -> AsyncIterator[str]:
    """A reverse proxy that answers every path with its sign-in page."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html>Sign in</html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
def arrs(
    jellyseerr: FakeJellyseerr, radarr: FakeArr, sonarr: FakeArr
) -> dict[str, Any]:
    return {"jellyseerr": jellyseerr, "radarr": radarr, "sonarr": sonarr}


@pytest.fixture
async def shoko(socket_enabled: None) -> AsyncIterator[FakeShoko]:
    async with FakeShoko(6) as server:  # v6: the hub itself wants the key
        yield server


@pytest.fixture(autouse=True)
async def unload_entries(hass: HomeAssistant) -> AsyncIterator[None]:
    """Unload what the flows set up, so no listener outlives the test."""
    yield
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.state is ConfigEntryState.LOADED:
            await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.fixture
def setups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The id of each entry set up from now on; a reload adds one."""
    calls: list[str] = []
    real = integration.async_setup_entry

    async def counting(hass: HomeAssistant, entry: Any) -> bool:
        calls.append(entry.entry_id)
        return await real(hass, entry)

    monkeypatch.setattr(integration, "async_setup_entry", counting)
    return calls


def _suggested(result: dict) -> dict[str, Any]:
    """What a form shows filled in."""
    return {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and key.description.get("suggested_value") is not None
    }


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return result["flow_id"]


async def _submit_jellyfin(
    hass: HomeAssistant, flow_id: str, url: str, api_key: str
) -> dict:
    return await hass.config_entries.flow.async_configure(
        flow_id, {"jellyfin_url": url, "jellyfin_api_key": api_key}
    )


async def _at_step(hass: HomeAssistant, fake_jellyfin: FakeJellyfin, step: str) -> str:
    """Start set-up and skip the steps before ``step``."""
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    while result["step_id"] != step:
        result = await hass.config_entries.flow.async_configure(flow_id, {})
    return flow_id


# Set-up: the user step (Jellyfin).


async def test_full_setup_checks_every_service_and_shows_the_webhook_urls(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    qbittorrent: QBittorrentProcess,
    shoko: FakeShoko,
    arrs: dict[str, Any],
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, f" {fake_jellyfin.url}/ ", f"{fake_jellyfin.api_key}\n"
    )
    assert result["step_id"] == "qbittorrent"
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "qbittorrent_url": qbittorrent.url,
            "qbittorrent_username": USERNAME,
            "qbittorrent_password": PASSWORD,
        },
    )
    assert result["step_id"] == "shoko"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_url": shoko.url, "shoko_api_key": SHOKO_KEY}
    )
    assert result["step_id"] == "arr"
    result = await hass.config_entries.flow.async_configure(flow_id, arr_data(arrs))

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Jellyfin Home"
    assert result["result"].unique_id == SERVER_ID
    data = result["data"]
    assert data["jellyfin_url"] == fake_jellyfin.url
    assert data["jellyfin_api_key"] == fake_jellyfin.api_key
    assert data["qbittorrent_username"] == USERNAME
    assert data["shoko_api_key"] == SHOKO_KEY
    assert data["jellyseerr_url"] == arrs["jellyseerr"].url
    assert set(data["webhook_ids"]) == {"jellyseerr", "radarr", "sonarr", "jellyfin"}
    # Radarr and Sonarr become instances, each on the entry's webhook for its app.
    entry = result["result"]
    for app in ("radarr", "sonarr"):
        assert instance_data(entry, app) == {
            "url": arrs[app].url,
            "api_key": arrs[app].api_key,
            "name": app.title(),
            "is_4k": False,
            "webhook_id": data["webhook_ids"][app],
        }
    placeholders = result["description_placeholders"]
    for source, webhook_id in data["webhook_ids"].items():
        assert placeholders[f"{source}_webhook_url"].endswith(
            f"/api/webhook/{webhook_id}"
        )
    assert fake_jellyfin.calls["/System/Info"] == 1


async def test_empty_optional_steps_are_skipped(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"radarr_url": " ", "radarr_api_key": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert set(result["data"]) == {"jellyfin_url", "jellyfin_api_key", "webhook_ids"}


async def test_without_a_known_address_the_webhooks_are_shown_as_paths(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    monkeypatch.setattr(hass.config, "api", None)  # no internal or external URL
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    webhook_ids = result["data"]["webhook_ids"]
    assert result["description_placeholders"] == {
        f"{source}_webhook_url": f"/api/webhook/{webhook_id}"
        for source, webhook_id in webhook_ids.items()
    }


async def test_wrong_api_key_is_invalid_auth_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(hass, flow_id, fake_jellyfin.url, "wrong")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["step_id"] == "qbittorrent"


@pytest.mark.parametrize("status", [500, 503])
async def test_failing_jellyfin_is_cannot_connect_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, status: int
) -> None:
    fake_jellyfin.fail_with = status
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["errors"] == {"base": "cannot_connect"}
    fake_jellyfin.fail_with = None
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["step_id"] == "qbittorrent"


async def test_unreachable_jellyfin_is_cannot_connect(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(hass, flow_id, "http://127.0.0.1:9", "key")
    assert result["errors"] == {"base": "cannot_connect"}


async def test_server_that_is_not_jellyfin_is_cannot_connect(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, f"{fake_jellyfin.url}/Items?x=", fake_jellyfin.api_key
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_unexpected_error_is_unknown_and_logged_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, caplog: pytest.LogCaptureFixture
) -> None:
    flow_id = await _start(hass)
    with caplog.at_level(logging.ERROR):
        result = await _submit_jellyfin(hass, flow_id, fake_jellyfin.url, BROKEN_KEY)
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while checking Jellyfin" in caplog.text
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["step_id"] == "qbittorrent"


async def test_same_jellyfin_server_twice_is_aborted(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# Set-up: qBittorrent, Shoko, and Jellyseerr, Radarr and Sonarr.


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"qbittorrent_password": "wrong"}, {"base": "invalid_auth"}),
        ({"qbittorrent_url": "http://127.0.0.1:9"}, {"base": "cannot_connect"}),
        ({"qbittorrent_url": ""}, {"qbittorrent_url": "url_required"}),
    ],
)
async def test_qbittorrent_is_logged_in_live_and_recovers(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    qbittorrent: QBittorrentProcess,
    change: dict,
    errors: dict,
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "qbittorrent")
    good = {
        "qbittorrent_url": qbittorrent.url,
        "qbittorrent_username": USERNAME,
        "qbittorrent_password": PASSWORD,
    }
    result = await hass.config_entries.flow.async_configure(flow_id, {**good, **change})
    assert result["step_id"] == "qbittorrent"
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(flow_id, good)
    assert result["step_id"] == "shoko"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"shoko_api_key": "wrong"}, {"base": "invalid_auth"}),
        (
            {"shoko_username": SHOKO_USER, "shoko_password": "wrong"},
            {"base": "invalid_auth"},
        ),
        ({}, {"base": "shoko_credentials_required"}),
        (
            {"shoko_url": "http://127.0.0.1:9", "shoko_api_key": SHOKO_KEY},
            {"base": "cannot_connect"},
        ),
        ({"shoko_url": "", "shoko_api_key": SHOKO_KEY}, {"shoko_url": "url_required"}),
    ],
)
async def test_shoko_is_checked_live_and_recovers(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    shoko: FakeShoko,
    user_input: dict,
    errors: dict,
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "shoko")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_url": shoko.url, **user_input}
    )
    assert result["step_id"] == "shoko"
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_url": shoko.url, "shoko_api_key": SHOKO_KEY}
    )
    assert result["step_id"] == "arr"


async def test_shoko_username_and_password_become_a_key_and_are_not_stored(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, shoko: FakeShoko
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "shoko")
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "shoko_url": shoko.url,
            "shoko_username": SHOKO_USER,
            "shoko_password": SHOKO_PASSWORD,
        },
    )
    assert result["step_id"] == "arr"
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["data"]["shoko_api_key"] == SHOKO_KEY
    assert SHOKO_PASSWORD not in json.dumps(result["data"])


@pytest.mark.parametrize(
    ("service", "change", "errors"),
    [
        ("radarr", {"radarr_api_key": "wrong"}, {"radarr_api_key": "invalid_auth"}),
        (
            "jellyseerr",
            {"jellyseerr_api_key": "wrong"},
            {"jellyseerr_api_key": "invalid_auth"},
        ),
        (
            "sonarr",
            {"sonarr_url": "http://127.0.0.1:9"},
            {"sonarr_url": "cannot_connect"},
        ),
        ("radarr", {"radarr_url": ""}, {"radarr_url": "url_required"}),
        ("sonarr", {"sonarr_api_key": ""}, {"sonarr_api_key": "api_key_required"}),
        ("jellyseerr", {"jellyseerr_api_key": BROKEN_KEY}, {"base": "unknown"}),
    ],
    ids=[
        "wrong-radarr-key",
        "wrong-jellyseerr-key",
        "sonarr-unreachable",
        "radarr-key-without-url",
        "sonarr-url-without-key",
        "broken-jellyseerr-key",
    ],
)
async def test_jellyseerr_radarr_and_sonarr_are_checked_live_and_recover(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    arrs: dict[str, Any],
    service: str,
    change: dict,
    errors: dict,
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    good = arr_data(arrs)
    result = await hass.config_entries.flow.async_configure(flow_id, good | change)
    assert result["step_id"] == "arr"
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(flow_id, good)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    stored = (
        result["data"]["jellyseerr_api_key"]
        if service == "jellyseerr"
        else instance_data(result["result"], service)["api_key"]
    )
    assert stored == arrs[service].api_key


async def test_sonarr_url_in_the_radarr_field_is_cannot_connect(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, radarr: FakeArr, sonarr: FakeArr
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"radarr_url": sonarr.url, "radarr_api_key": sonarr.api_key}
    )
    assert result["errors"] == {"radarr_url": "cannot_connect"}


@pytest.mark.parametrize("jellyseerr_version", JELLYSEERR_VERSIONS)
async def test_the_jellyseerr_key_is_checked_live_on_each_version(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, jellyseerr: FakeJellyseerr
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    user_input = {"jellyseerr_url": jellyseerr.url, "jellyseerr_api_key": "wrong"}
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["errors"] == {"jellyseerr_api_key": "invalid_auth"}
    user_input["jellyseerr_api_key"] = jellyseerr.api_key
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert jellyseerr.writes() == []


@pytest.mark.parametrize("jellyseerr_version", JELLYSEERR_VERSIONS)
async def test_failing_jellyseerr_is_cannot_connect_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, jellyseerr: FakeJellyseerr
) -> None:
    jellyseerr.fail_with = 502
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    user_input = {
        "jellyseerr_url": jellyseerr.url,
        "jellyseerr_api_key": jellyseerr.api_key,
    }
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["errors"] == {"jellyseerr_url": "cannot_connect"}
    jellyseerr.fail_with = None
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_sign_in_page_in_front_of_radarr_is_cannot_connect(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, sign_in_page: str
) -> None:
    flow_id = await _at_step(hass, fake_jellyfin, "arr")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"radarr_url": sign_in_page, "radarr_api_key": "radarr-key"}
    )
    assert result["errors"] == {"radarr_url": "cannot_connect"}


# Re-authentication.


@pytest.mark.parametrize("service", ["jellyseerr", "radarr", "sonarr"])
async def test_arr_reauth_started_by_name_asks_for_that_key(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    arrs: dict[str, Any],
    setups: list[str],
    service: str,
) -> None:
    entry = tracker_entry(fake_jellyfin, **arr_data(arrs))
    await set_up(hass, entry)
    setups.clear()
    arrs[service].api_key = "rotated-key"  # the user made a new key in the app

    entry.async_start_reauth(hass, data={"service": service})
    await hass.async_block_till_done()
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["step_id"] == f"reauth_{service}"

    key = f"{service}_api_key"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {key: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert result["description_placeholders"]["url"] == arrs[service].url
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {key: "rotated-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    stored = (
        entry.data[key]
        if service == "jellyseerr"
        else instance_data(entry, service)["api_key"]
    )
    assert stored == "rotated-key"
    assert entry.data["webhook_ids"] == WEBHOOK_IDS
    assert setups == [ENTRY_ID]  # reloaded once, with the new key


async def test_jellyfin_reauth_started_by_name_asks_for_a_new_key(
    hass: HomeAssistant, setup_integration: MockConfigEntry, fake_jellyfin: FakeJellyfin
) -> None:
    fake_jellyfin.api_key = "a-new-key"
    result = await setup_integration.start_reauth_flow(
        hass, data={"service": "jellyfin"}
    )
    assert result["step_id"] == "reauth_jellyfin"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_api_key": "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_api_key": " a-new-key "}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert setup_integration.data["jellyfin_api_key"] == "a-new-key"


async def test_reauth_without_a_name_finds_that_jellyfin_refuses(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    entry = tracker_entry(fake_jellyfin)
    entry.add_to_hass(hass)
    fake_jellyfin.api_key = "a-new-key"
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_jellyfin"
    assert result["description_placeholders"]["url"] == fake_jellyfin.url


async def test_reauth_without_a_name_finds_that_qbittorrent_refuses(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, qbittorrent: QBittorrentProcess
) -> None:
    entry = tracker_entry(
        fake_jellyfin,
        qbittorrent_url=qbittorrent.url,
        qbittorrent_username=USERNAME,
        qbittorrent_password="changed-since",
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["url"] == qbittorrent.url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"qbittorrent_password": "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"qbittorrent_password": PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data["qbittorrent_password"] == PASSWORD
    assert entry.data["qbittorrent_username"] == USERNAME


@pytest.mark.parametrize(
    "data",
    [None, {"service": "radarr"}, {"service": "plex"}],
    ids=["no-name", "radarr-not-set-up", "unknown-service"],
)
async def test_reauth_when_nothing_refuses_is_not_needed(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, data: dict | None
) -> None:
    entry = tracker_entry(fake_jellyfin)  # no Radarr set up, and there is no Plex
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass, data=data)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_not_needed"


async def test_shoko_refusing_the_key_at_its_hub_asks_for_shoko_credentials(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, shoko: FakeShoko
) -> None:
    entry = tracker_entry(
        fake_jellyfin, shoko_url=shoko.url, shoko_api_key="revoked-key"
    )
    await set_up(hass, entry)
    await wait_until(
        lambda: hass.config_entries.flow.async_progress_by_handler(DOMAIN), timeout=10
    )
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["step_id"] == "reauth_shoko"

    flow_id = flow["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["errors"] == {"base": "shoko_credentials_required"}
    assert result["description_placeholders"]["url"] == shoko.url
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_username": SHOKO_USER, "shoko_password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_username": SHOKO_USER, "shoko_password": SHOKO_PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data["shoko_api_key"] == SHOKO_KEY
    assert "shoko_password" not in entry.data
    await asyncio.wait_for(shoko.connected.wait(), 5)  # the reloaded listener is in


# Reconfiguration.


async def test_reconfigure_moves_every_service_and_keeps_keys_and_webhooks(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    qbittorrent: QBittorrentProcess,
    shoko: FakeShoko,
    arrs: dict[str, Any],
) -> None:
    entry = tracker_entry(
        fake_jellyfin,
        jellyfin_url="http://jellyfin.old:8096",
        qbittorrent_url="http://qbittorrent.old:8080",
        qbittorrent_username=USERNAME,
        qbittorrent_password=PASSWORD,
        shoko_url="http://shoko.old:8111",
        shoko_api_key=SHOKO_KEY,
        jellyseerr_url="http://jellyseerr.old",
        jellyseerr_api_key=arrs["jellyseerr"].api_key,
    )
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result) == {"jellyfin_url": "http://jellyfin.old:8096"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_url": fake_jellyfin.url}
    )
    assert result["step_id"] == "reconfigure_qbittorrent"
    assert _suggested(result) == {
        "qbittorrent_url": "http://qbittorrent.old:8080",
        "qbittorrent_username": USERNAME,
    }
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {"qbittorrent_url": qbittorrent.url, "qbittorrent_username": USERNAME},
    )
    assert result["step_id"] == "reconfigure_shoko"
    assert _suggested(result) == {"shoko_url": "http://shoko.old:8111"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"shoko_url": shoko.url}
    )
    # Radarr and Sonarr are instances, reconfigured one by one.
    assert result["step_id"] == "reconfigure_arr"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyseerr_url": arrs["jellyseerr"].url}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert dict(entry.data) == {
        "jellyfin_url": fake_jellyfin.url,
        "jellyfin_api_key": fake_jellyfin.api_key,
        "qbittorrent_url": qbittorrent.url,
        "qbittorrent_username": USERNAME,
        "qbittorrent_password": PASSWORD,
        "shoko_url": shoko.url,
        "shoko_api_key": SHOKO_KEY,
        **arr_data({"jellyseerr": arrs["jellyseerr"]}),
        "webhook_ids": WEBHOOK_IDS,
    }
    assert entry.title == "Jellyfin Home"


async def test_reconfigure_with_a_step_left_empty_stops_using_that_service(
    hass: HomeAssistant,
    fake_jellyfin: FakeJellyfin,
    shoko: FakeShoko,
    setups: list[str],
) -> None:
    entry = tracker_entry(fake_jellyfin, shoko_url=shoko.url, shoko_api_key=SHOKO_KEY)
    await set_up(hass, entry)
    setups.clear()
    result = await entry.start_reconfigure_flow(hass)
    for answer in ({"jellyfin_url": fake_jellyfin.url}, {}, {"shoko_url": ""}, {}):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], answer
        )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert "shoko_url" not in entry.data
    assert "shoko_api_key" not in entry.data
    assert setups == [ENTRY_ID]  # reloaded once
    assert entry.runtime_data.shoko is None


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"jellyfin_api_key": "wrong"}, {"base": "invalid_auth"}),
        ({"jellyfin_url": "http://127.0.0.1:9"}, {"base": "cannot_connect"}),
        ({"jellyfin_api_key": BROKEN_KEY}, {"base": "unknown"}),
    ],
)
async def test_reconfigure_checks_jellyfin_live_and_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, change: dict, errors: dict
) -> None:
    entry = tracker_entry(fake_jellyfin)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_url": fake_jellyfin.url, **change}
    )
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_url": fake_jellyfin.url}
    )
    assert result["step_id"] == "reconfigure_qbittorrent"


async def test_reconfigure_to_another_jellyfin_server_is_aborted(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Jellyfin Cabin",
        unique_id="0123456789abcdef0123456789abcdef",
        data={**tracker_entry(fake_jellyfin).data, "jellyfin_url": "http://cabin:8096"},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"jellyfin_url": fake_jellyfin.url}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert entry.data["jellyfin_url"] == "http://cabin:8096"


# Options.


async def test_options_show_the_webhook_urls_and_reload_the_entry_once(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    setups: list[str],
) -> None:
    await async_trust_loopback_proxy(hass)
    await set_up(hass, config_entry)
    setups.clear()
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["radarr_webhook_url"].endswith(
        "/api/webhook/webhook-radarr-0123456789abcdef"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_TRACK_UNREQUESTED: False,
            CONF_ALLOW_EXTERNAL_WEBHOOKS: True,
            CONF_QBITTORRENT_INTERVAL: 30.0,
            CONF_STUCK_IMPORTING_HOURS: 3.0,
            CONF_RETENTION_DAYS: 7,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setups == [ENTRY_ID]
    options = config_entry.options
    assert options[CONF_QBITTORRENT_INTERVAL] == 30
    assert isinstance(options[CONF_QBITTORRENT_INTERVAL], int)
    assert options[CONF_STUCK_IMPORTING_HOURS] == 3
    client = await hass_client_no_auth()
    # Track downloads nobody requested: off, so a grab alone tracks nothing.
    grab = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['radarr']}", json=payload("radarr_grab")
    )
    assert (await grab.json())["result"] == "ignored"
    remote = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['radarr']}",
        json=payload(TEST_PAYLOADS["radarr"]),
        headers=FROM_ELSEWHERE,
    )
    assert await delivered(remote)


async def test_options_form_shows_the_saved_values_and_defaults(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_RETENTION_DAYS: 9}
    )
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert defaults[CONF_RETENTION_DAYS] == 9
    assert defaults[CONF_STUCK_IMPORTING_HOURS] == 1


# Strings.

STEP_SCHEMAS = {
    "user": USER_SCHEMA,
    "qbittorrent": QBITTORRENT_SCHEMA,
    "shoko": SHOKO_SCHEMA,
    "arr": ARR_SCHEMA,
    "reauth_jellyfin": REAUTH_JELLYFIN_SCHEMA,
    "reauth_confirm": REAUTH_QBITTORRENT_SCHEMA,
    "reauth_shoko": REAUTH_SHOKO_SCHEMA,
    **{f"reauth_{service}": schema for service, schema in REAUTH_SCHEMAS.items()},
    "reconfigure": RECONFIGURE_SCHEMA,
    "reconfigure_qbittorrent": QBITTORRENT_SCHEMA,
    "reconfigure_shoko": SHOKO_SCHEMA,
    "reconfigure_arr": RECONFIGURE_FORMS[2].schema,
}


def test_every_form_field_error_and_abort_has_english_text() -> None:
    strings = json.loads(TRANSLATIONS.read_text(encoding="utf-8"))["config"]
    forms = {
        name.removeprefix("async_step_")
        for name in vars(MediaRequestTrackerConfigFlow)
        if name.startswith("async_step_")
    } - {"reauth"}  # the entry point of reauth shows no form of its own
    assert set(strings["step"]) == forms == set(STEP_SCHEMAS)
    for step, schema in STEP_SCHEMAS.items():
        fields = {str(key) for key in schema.schema}
        assert set(strings["step"][step]["data"]) == fields, step
        assert set(strings["step"][step]["data_description"]) == fields, step
    assert set(strings["error"]) == {
        "cannot_connect",
        "invalid_auth",
        "unknown",
        "url_required",
        "api_key_required",
        "shoko_credentials_required",
    }
    assert set(strings["abort"]) == {
        "already_configured",
        "reauth_successful",
        "reauth_not_needed",
        "reconfigure_successful",
        "unique_id_mismatch",
        "instance_removed",
    }
