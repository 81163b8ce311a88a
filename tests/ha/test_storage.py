"""Requests are durable before a webhook is answered, and bursts share writes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from http import HTTPStatus

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.media_request_tracker.const import CONF_RETENTION_DAYS
from tests.payloads import jellyseerr, payload

from .conftest import ENTRY_ID, STORAGE_KEY, PostWebhook


async def test_answer_comes_only_after_the_request_is_stored(
    hass: HomeAssistant, post_webhook: PostWebhook, hass_storage
) -> None:
    response = await post_webhook(
        "jellyseerr", payload("jellyseerr_movie_auto_approved")
    )
    assert response.status == HTTPStatus.OK
    # No timer has run: the save happened before the answer.
    stored = hass_storage[STORAGE_KEY]
    assert stored["version"] == 1
    (request,) = stored["data"]["requests"]
    assert (request["request_id"], request["stage"]) == ("42", "approved")


async def test_a_burst_of_100_webhooks_causes_a_handful_of_writes(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    hass_storage,
) -> None:
    store = setup_integration.runtime_data.hub.store
    saves_before = store.save_count
    real_save = store._file.async_save

    async def save_at_disk_speed(data):
        # The test storage writes to memory at once; a disk takes a while.
        await asyncio.sleep(0.005)
        await real_save(data)

    store._file.async_save = save_at_disk_speed
    bodies = [
        jellyseerr("jellyseerr_movie_auto_approved", request_id=str(1000 + n))
        for n in range(100)
    ]
    responses = await asyncio.gather(
        *(post_webhook("jellyseerr", body) for body in bodies)
    )
    assert {response.status for response in responses} == {HTTPStatus.OK}
    assert len(hass_storage[STORAGE_KEY]["data"]["requests"]) == 100
    assert store.save_count - saves_before <= 5


async def test_finished_requests_are_removed_after_retention(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage,
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, options={CONF_RETENTION_DAYS: 2}
    )
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    hooks = config_entry.data["webhook_ids"]
    await client.post(
        f"/api/webhook/{hooks['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    await client.post(
        f"/api/webhook/{hooks['jellyseerr']}", json=payload("jellyseerr_tv_pending")
    )
    await client.post(
        f"/api/webhook/{hooks['jellyfin']}", json=payload("jellyfin_item_added_movie")
    )

    freezer.tick(timedelta(days=2, hours=7))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()

    assert hass.states.get("sensor.jellyfin_home_dune_part_two_2024") is None
    assert (
        er.async_get(hass).async_get_entity_id(
            "sensor", "media_request_tracker", f"{ENTRY_ID}_42"
        )
        is None
    )
    assert hass.states.get("sensor.jellyfin_home_severance_2022").state == "requested"
    assert [r["request_id"] for r in hass_storage[STORAGE_KEY]["data"]["requests"]] == [
        "43"
    ]


async def test_removing_the_entry_deletes_its_storage(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    hass_storage,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    assert STORAGE_KEY in hass_storage
    await hass.config_entries.async_remove(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert STORAGE_KEY not in hass_storage


async def test_unreadable_stored_request_is_skipped(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_storage
) -> None:
    good = {
        "request_id": "9",
        "media_type": "movie",
        "title": "Alien",
        "year": 1979,
        "stage": "indexed",
        "requested_at": "2024-06-01T20:00:00+00:00",
        "tmdb_id": 348,
    }
    hass_storage[STORAGE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORAGE_KEY,
        "data": {"requests": [{"request_id": "broken"}, good]},
    }
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.jellyfin_home_alien_1979").state == "indexed"
    assert hass.states.get("sensor.jellyfin_home_active_requests").state == "1"
