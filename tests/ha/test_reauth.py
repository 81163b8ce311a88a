"""A revoked Jellyfin API key opens a re-authentication dialog that asks for a new one."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import CONF_JELLYFIN_API_KEY, DOMAIN
from tests.fakes.jellyfin import FakeJellyfin
from tests.payloads import payload

from .conftest import PostWebhook


async def test_revoked_jellyfin_key_asks_for_a_new_one(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    fake_jellyfin.api_key = "a-new-key"  # the old one was deleted in Jellyfin
    await setup_integration.runtime_data.verifier.async_refresh()
    await hass.async_block_till_done()
    assert (
        hass.states.get("binary_sensor.jellyfin_home_jellyfin_connection").state
        == "off"
    )

    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["step_id"] == "reauth_jellyfin"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_JELLYFIN_API_KEY: "still-wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_JELLYFIN_API_KEY: "a-new-key"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert setup_integration.data[CONF_JELLYFIN_API_KEY] == "a-new-key"
    assert (
        hass.states.get("sensor.jellyfin_home_dune_part_two_2024").state == "approved"
    )
