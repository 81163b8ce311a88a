"""Diagnostics carry settings, connections and timelines, and no secret."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.payloads import payload

from .conftest import VOLATILE, WEBHOOK_IDS, PostWebhook


async def test_diagnostics_redact_every_secret(
    hass: HomeAssistant, post_webhook: PostWebhook, setup_integration: MockConfigEntry
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    text = json.dumps(diagnostics)
    assert setup_integration.data["jellyfin_api_key"] not in text
    for webhook_id in WEBHOOK_IDS.values():
        assert webhook_id not in text
    assert diagnostics["entry"]["data"]["jellyfin_api_key"] == "**REDACTED**"
    assert diagnostics["entry"]["data"]["jellyfin_url"].startswith("http://127.0.0.1:")
    assert diagnostics["connections"]["qbittorrent"] is None
    assert diagnostics["requests"][0]["timeline"][0]["state"] == "approved"


async def test_diagnostics_hold_settings_connections_storage_and_timelines(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    # The library check each webhook starts has finished.
    await hass.async_block_till_done(wait_background_tasks=True)
    diagnostics = await async_get_config_entry_diagnostics(hass, setup_integration)
    assert diagnostics == snapshot(exclude=props(*VOLATILE, "jellyfin_url"))
