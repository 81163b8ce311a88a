"""Requests reach available by looking at the Jellyfin library, without Jellyfin's webhook."""

from __future__ import annotations

import asyncio
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import (
    CONF_STUCK_IMPORTING_HOURS,
    CONF_VERIFY_INTERVAL,
    DOMAIN,
)
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie
from tests.payloads import (
    SEVERANCE_SERIES_ID,
    jellyseerr,
    payload,
    sonarr_episode_import,
)

from .conftest import ENTRY_ID, PostWebhook, entry_with, set_up
from .fix_flows import fix_flows

FILM = "sensor.jellyfin_home_dune_part_two_2024"
SERIES = "sensor.jellyfin_home_severance_2022"
DUNE_ITEM = {"Tmdb": "693134", "Imdb": "tt15239678"}


async def _wait_for_state(
    hass: HomeAssistant, entity_id: str, state: str, timeout: float = 5
) -> float:
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        while hass.states.get(entity_id).state != state:
            await asyncio.sleep(0.02)
    return time.monotonic() - started


async def test_film_becomes_available_within_a_second_of_its_import(
    hass: HomeAssistant, post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_grab"))
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post_webhook("radarr", payload("radarr_download"))
    assert await _wait_for_state(hass, FILM, "available") < 1
    timeline = hass.states.get(FILM).attributes["timeline"]
    assert (timeline[-1]["source"], timeline[-1]["detail"]) == (
        "jellyfin",
        "found in the Jellyfin library",
    )


async def test_series_becomes_available_when_its_episodes_are_in_the_library(
    hass: HomeAssistant, post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> None:
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    show = next(
        item for item in fake_jellyfin.items if item["Id"] == SEVERANCE_SERIES_ID
    )
    for number in range(1, 10):
        fake_jellyfin.add_item(**episode(show, 1, number))
        await post_webhook("sonarr", sonarr_episode_import(number))
    assert await _wait_for_state(hass, SERIES, "available") < 2
    assert hass.states.get(SERIES).attributes["jellyfin_id"] == SEVERANCE_SERIES_ID


async def test_item_that_appears_after_several_cycles_is_found_with_one_call_per_cycle(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("radarr", payload("radarr_download"))
    verifier = setup_integration.runtime_data.verifier
    await verifier.async_refresh()
    for _ in range(3):
        before = fake_jellyfin.calls["/Items"]
        await verifier.async_refresh()
        assert fake_jellyfin.calls["/Items"] - before == 1
        assert hass.states.get(FILM).state == "importing"
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await verifier.async_refresh()
    assert hass.states.get(FILM).state == "available"


async def test_cycle_costs_one_call_however_many_requests_wait(
    hass: HomeAssistant,
    post_webhook: PostWebhook,
    setup_integration: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    for number in range(20):
        body = jellyseerr(
            "jellyseerr_movie_auto_approved", request_id=str(100 + number)
        )
        body["media"]["tmdbId"] = str(5000 + number)
        await post_webhook("jellyseerr", body)
    verifier = setup_integration.runtime_data.verifier
    await verifier.async_refresh()
    before = fake_jellyfin.calls["/Items"]
    await verifier.async_refresh()
    assert fake_jellyfin.calls["/Items"] - before == 1


async def test_re_request_already_in_the_library_is_available_at_once(
    hass: HomeAssistant, post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> None:
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, DUNE_ITEM))
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await _wait_for_state(hass, FILM, "available")
    assert [
        entry["state"] for entry in hass.states.get(FILM).attributes["timeline"]
    ] == ["approved", "available"]
    assert (
        hass.states.get("sensor.jellyfin_home_active_requests").attributes["available"]
        == 1
    )
    assert hass.states.get(f"{FILM}_2") is None


async def test_import_jellyfin_never_shows_becomes_a_repair_that_can_mark_it_available(
    hass: HomeAssistant,
    hass_client_no_auth,
    config_entry: MockConfigEntry,
    fake_jellyfin: FakeJellyfin,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    config_entry = await set_up(
        hass,
        entry_with(
            config_entry,
            options={CONF_STUCK_IMPORTING_HOURS: 0, CONF_VERIFY_INTERVAL: 60},
        ),
    )
    webhooks = await hass_client_no_auth()
    hooks = config_entry.data["webhook_ids"]
    await webhooks.post(
        f"/api/webhook/{hooks['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    await webhooks.post(
        f"/api/webhook/{hooks['radarr']}", json=payload("radarr_download")
    )
    config_entry.runtime_data.hub.async_check_stuck()

    issue_id = f"stuck_{ENTRY_ID}_42"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_key == "stuck_not_imported"
    assert issue.translation_placeholders["title"] == "Dune: Part Two (2024)"
    assert issue.translation_placeholders["stage"] == "importing"

    flows = fix_flows(hass)
    flow = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert flow["type"] == "menu"
    assert flow["menu_options"] == ["recheck", "mark_available"]
    recheck = await flows.async_configure(flow["flow_id"], {"next_step_id": "recheck"})
    assert recheck["type"] == "abort"
    assert recheck["reason"] == "still_stuck"

    flow = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    confirm = await flows.async_configure(
        flow["flow_id"], {"next_step_id": "mark_available"}
    )
    assert confirm["step_id"] == "mark_available"
    result = await flows.async_configure(confirm["flow_id"], {})
    assert result["type"] == "create_entry"
    state = hass.states.get(FILM)
    assert state.state == "available"
    assert state.attributes["timeline"][-1]["source"] == "user"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
