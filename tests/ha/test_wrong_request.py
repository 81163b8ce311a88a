"""An old, finished request never steals the events of a new one for the same title."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from tests.payloads import jellyseerr, payload

from .conftest import PostWebhook

OLD = "sensor.jellyfin_home_dune_part_two_2024"
NEW = "sensor.jellyfin_home_dune_part_two_2024_2"


async def test_new_request_gets_grab_import_and_availability(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    old_grab = payload("radarr_grab")
    old_grab["downloadId"] = "1" * 40
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_movie_auto_approved", request_id="7")
    )
    await post_webhook("radarr", old_grab)
    await post_webhook("jellyfin", payload("jellyfin_item_added_movie"))
    assert hass.states.get(OLD).state == "available"
    old_timeline = hass.states.get(OLD).attributes["timeline"]

    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    assert hass.states.get(NEW).attributes["request_id"] == "42"
    await post_webhook("radarr", payload("radarr_grab"))
    assert hass.states.get(NEW).state == "indexed"
    await post_webhook("radarr", payload("radarr_download"))
    assert hass.states.get(NEW).state == "importing"
    await post_webhook("jellyfin", payload("jellyfin_item_added_movie"))
    assert hass.states.get(NEW).state == "available"

    assert hass.states.get(OLD).state == "available"
    assert hass.states.get(OLD).attributes["timeline"] == old_timeline
    assert hass.states.get(OLD).attributes["download_hash"] == "1" * 40


async def test_upgrade_of_a_finished_request_is_noted_and_does_not_regress(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("jellyfin", payload("jellyfin_item_added_movie"))
    await post_webhook("radarr", payload("radarr_grab"))
    upgrade = payload("radarr_download")
    upgrade["isUpgrade"] = True
    await post_webhook("radarr", upgrade)

    state = hass.states.get(OLD)
    assert state.state == "available"
    assert [e["detail"] for e in state.attributes["timeline"][-2:]] == [
        "upgrade grabbed Dune.Part.Two.2024.1080p.BluRay.x264-GRP; stays available",
        "upgrade imported; stays available",
    ]
    assert hass.states.get("sensor.jellyfin_home_active_requests").state == "0"
