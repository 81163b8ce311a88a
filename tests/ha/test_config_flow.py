"""Setting up a media stack through the UI, exactly as the interface fixes the steps."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import (
    CONF_ALLOW_EXTERNAL_WEBHOOKS,
    CONF_RETENTION_DAYS,
    CONF_TRACK_UNREQUESTED,
    DOMAIN,
)
from tests.fakes.jellyfin import SERVER_ID, FakeJellyfin
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess


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


async def test_full_setup_checks_jellyfin_and_shows_the_webhook_urls(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, qbittorrent: QBittorrentProcess
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, f"{fake_jellyfin.url}/", fake_jellyfin.api_key
    )
    assert result["step_id"] == "qbittorrent"
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {
            "qbittorrent_url": qbittorrent.url,
            "qbittorrent_username": "admin",
            "qbittorrent_password": PASSWORD,
        },
    )
    assert result["step_id"] == "shoko"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shoko_url": "", "shoko_api_key": ""}
    )
    assert result["step_id"] == "arr"
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"radarr_url": "http://127.0.0.1:7878", "radarr_api_key": "radarr-key"}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Jellyfin Home"
    assert result["result"].unique_id == SERVER_ID
    data = result["data"]
    assert data["jellyfin_url"] == fake_jellyfin.url
    assert data["qbittorrent_username"] == USERNAME
    assert "shoko_url" not in data
    assert data["radarr_api_key"] == "radarr-key"
    assert set(data["webhook_ids"]) == {"jellyseerr", "radarr", "sonarr", "jellyfin"}
    placeholders = result["description_placeholders"]
    for source, webhook_id in data["webhook_ids"].items():
        assert placeholders[f"{source}_webhook_url"].endswith(
            f"/api/webhook/{webhook_id}"
        )
    assert fake_jellyfin.calls["/System/Info"] == 1
    await hass.async_block_till_done()


async def test_empty_optional_steps_are_skipped(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(
        flow_id,
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    for _ in range(2):
        await hass.config_entries.flow.async_configure(flow_id, {})
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert set(result["data"]) == {"jellyfin_url", "jellyfin_api_key", "webhook_ids"}
    await hass.async_block_till_done()


async def test_wrong_api_key_is_invalid_auth_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(hass, flow_id, fake_jellyfin.url, "wrong")
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    assert result["step_id"] == "qbittorrent"


@pytest.mark.parametrize("status", [500, 503])
async def test_failing_jellyfin_is_cannot_connect_then_recovers(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, status: int
) -> None:
    fake_jellyfin.fail_with = status
    flow_id = await _start(hass)
    user_input = {
        "jellyfin_url": fake_jellyfin.url,
        "jellyfin_api_key": fake_jellyfin.api_key,
    }
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["errors"] == {"base": "cannot_connect"}
    fake_jellyfin.fail_with = None
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
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


async def test_unexpected_error_is_unknown(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin
) -> None:
    flow_id = await _start(hass)
    with patch(
        "custom_components.media_request_tracker.config_flow.JellyfinClient.async_get_server_info",
        side_effect=RuntimeError("boom"),
    ):
        result = await _submit_jellyfin(
            hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
        )
    assert result["errors"] == {"base": "unknown"}


async def test_same_jellyfin_server_twice_is_aborted(
    hass: HomeAssistant, fake_jellyfin: FakeJellyfin, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id,
        {"jellyfin_url": fake_jellyfin.url, "jellyfin_api_key": fake_jellyfin.api_key},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_options_show_the_webhook_urls_and_reload_the_entry(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(setup_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"]["radarr_webhook_url"].endswith(
        "/api/webhook/webhook-radarr-0123456789abcdef"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_TRACK_UNREQUESTED: False,
            CONF_ALLOW_EXTERNAL_WEBHOOKS: True,
            CONF_RETENTION_DAYS: 7,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert setup_integration.options[CONF_TRACK_UNREQUESTED] is False
    assert setup_integration.runtime_data.hub.tracker.options.track_unrequested is False
    assert (
        hass.data["webhook"]["webhook-radarr-0123456789abcdef"]["local_only"] is False
    )


async def _at_qbittorrent_step(hass: HomeAssistant, fake_jellyfin: FakeJellyfin) -> str:
    flow_id = await _start(hass)
    result = await _submit_jellyfin(
        hass, flow_id, fake_jellyfin.url, fake_jellyfin.api_key
    )
    assert result["step_id"] == "qbittorrent"
    return flow_id


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
    flow_id = await _at_qbittorrent_step(hass, fake_jellyfin)
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
