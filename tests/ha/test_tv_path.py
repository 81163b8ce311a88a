"""A requested series is followed episode by episode until all of it is in Jellyfin."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.media_request_tracker.const import EVENT_STATE_CHANGED
from tests.fakes.jellyfin import FakeJellyfin
from tests.payloads import (
    SEVERANCE_HASH,
    SEVERANCE_SERIES_ID,
    jellyfin_episode,
    jellyseerr,
    payload,
    sonarr_episode_import,
)

from .conftest import PostWebhook

ENTITY_ID = "sensor.jellyfin_home_severance_2022"


async def test_series_moves_through_every_stage(
    hass: HomeAssistant, post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin
) -> None:
    events = async_capture_events(hass, EVENT_STATE_CHANGED)

    await post_webhook("jellyseerr", payload("jellyseerr_tv_pending"))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "requested"
    assert state.attributes["seasons"] == [1]
    assert state.attributes["tvdb_id"] == 371980
    assert state.attributes["requested_by"] == "alice"

    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    assert hass.states.get(ENTITY_ID).state == "approved"

    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "indexed"
    assert state.attributes["download_hash"] == SEVERANCE_HASH
    assert (
        state.attributes["episodes_available"],
        state.attributes["episodes_total"],
    ) == (0, 9)

    await post_webhook("sonarr", sonarr_episode_import(1))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "importing"
    assert state.attributes["episodes_available"] == 1
    for episode in range(2, 10):
        await post_webhook("sonarr", sonarr_episode_import(episode))
    assert hass.states.get(ENTITY_ID).attributes["episodes_available"] == 9

    for episode in range(1, 9):
        assert (
            await post_webhook("jellyfin", jellyfin_episode(1, episode))
        ).status == HTTPStatus.OK
        assert hass.states.get(ENTITY_ID).state == "importing"
    # 18 webhooks in a burst share a few library checks, not one each.
    assert fake_jellyfin.calls["/Items"] <= 6
    assert hass.states.get(ENTITY_ID).attributes["jellyfin_id"] == SEVERANCE_SERIES_ID

    await post_webhook("jellyfin", jellyfin_episode(1, 9))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "available"
    assert [(e["state"], e["source"]) for e in state.attributes["timeline"]] == [
        ("requested", "jellyseerr"),
        ("approved", "jellyseerr"),
        ("indexed", "sonarr"),
        ("importing", "sonarr"),
        ("available", "jellyfin"),
    ]
    await hass.async_block_till_done()
    assert [(e.data["from_state"], e.data["to_state"]) for e in events] == [
        (None, "requested"),
        ("requested", "approved"),
        ("approved", "indexed"),
        ("indexed", "importing"),
        ("importing", "available"),
    ]
    assert {e.data["media_type"] for e in events} == {"tv"}


async def test_import_complete_event_counts_the_whole_pack(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    await post_webhook("sonarr", payload("sonarr_download_import_complete"))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "importing"
    assert state.attributes["episodes_available"] == 9


async def test_late_approval_is_rejected_in_the_timeline_and_logged_once(
    hass: HomeAssistant, post_webhook: PostWebhook, caplog
) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_tv_pending"))
    await post_webhook("sonarr", payload("sonarr_grab_season_pack"))
    for _ in range(3):
        response = await post_webhook(
            "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
        )
        assert response.status == HTTPStatus.OK

    state = hass.states.get(ENTITY_ID)
    assert state.state == "indexed"
    rejected = [
        entry for entry in state.attributes["timeline"] if entry.get("rejected")
    ]
    assert len(rejected) == 3
    assert rejected[0]["state"] == "approved"
    warnings = [
        r
        for r in caplog.records
        if r.levelname == "WARNING" and "request 43" in r.getMessage()
    ]
    assert len(warnings) == 1


async def test_jellyfin_that_cannot_be_reached_leaves_the_request_waiting(
    hass: HomeAssistant, post_webhook: PostWebhook, fake_jellyfin: FakeJellyfin, caplog
) -> None:
    await post_webhook(
        "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    )
    fake_jellyfin.fail_with = 503
    for episode in (1, 2):
        assert (
            await post_webhook("jellyfin", jellyfin_episode(1, episode))
        ).status == HTTPStatus.OK
    assert hass.states.get(ENTITY_ID).state == "approved"
    assert caplog.text.count("Cannot look up a series in Jellyfin") == 1
    assert "Traceback" not in caplog.text
