"""Requests survive Home Assistant stopping and starting again."""

from __future__ import annotations

from homeassistant import loader
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from tests.payloads import jellyseerr, payload

from .conftest import PostWebhook, entry_with

FILM = "sensor.jellyfin_home_dune_part_two_2024"
SERIES = "sensor.jellyfin_home_severance_2022"


async def test_requests_and_entity_ids_come_back_after_a_restart(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    hass_storage,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    before = {entity_id: hass.states.get(entity_id) for entity_id in (FILM, SERIES)}
    await hass.async_stop()

    async with async_test_home_assistant(
        config_dir=hass.config.config_dir
    ) as restarted:
        restarted.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        entry = entry_with(setup_integration)
        entry.add_to_hass(restarted)
        assert await restarted.config_entries.async_setup(entry.entry_id)
        await restarted.async_block_till_done()

        for entity_id, old in before.items():
            new = restarted.states.get(entity_id)
            assert new is not None, entity_id
            assert new.state == old.state
            assert new.attributes["timeline"] == old.attributes["timeline"]
            assert new.attributes["download_hash"] == old.attributes["download_hash"]
            assert new.attributes["entity_picture"] == old.attributes["entity_picture"]
        assert restarted.states.get(SERIES).attributes["episodes_total"] == 9
        assert restarted.states.get("sensor.jellyfin_home_active_requests").state == "2"
        await restarted.async_stop(force=True)
