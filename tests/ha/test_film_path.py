"""A requested film is followed from Jellyseerr to Jellyfin through webhooks."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.media_request_tracker.const import EVENT_STATE_CHANGED
from tests.payloads import DUNE_HASH, payload

from .conftest import ENTRY_ID, PostWebhook

ENTITY_ID = "sensor.jellyfin_home_dune_part_two_2024"
POSTER = (
    "https://image.tmdb.org/t/p/w600_and_h900_bestv2/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
)


async def test_film_moves_through_every_stage(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    events = async_capture_events(hass, EVENT_STATE_CHANGED)

    response = await post_webhook(
        "jellyseerr", payload("jellyseerr_movie_auto_approved")
    )
    assert response.status == HTTPStatus.OK
    state = hass.states.get(ENTITY_ID)
    assert state is not None
    assert state.state == "approved"
    assert state.attributes["friendly_name"] == "Jellyfin Home Dune: Part Two (2024)"
    assert state.attributes["entity_picture"] == POSTER
    assert state.attributes["request_id"] == "42"
    assert state.attributes["title"] == "Dune: Part Two"
    assert state.attributes["year"] == 2024
    assert state.attributes["media_type"] == "movie"
    assert state.attributes["tmdb_id"] == 693134
    assert state.attributes["requested_by"] == "admin"
    assert state.attributes["device_class"] == "enum"

    assert (
        await post_webhook("radarr", payload("radarr_grab"))
    ).status == HTTPStatus.OK
    state = hass.states.get(ENTITY_ID)
    assert state.state == "indexed"
    assert state.attributes["download_hash"] == DUNE_HASH
    assert state.attributes["imdb_id"] == "tt15239678"
    assert state.attributes["size"] == 12884901888

    assert (
        await post_webhook("radarr", payload("radarr_download"))
    ).status == HTTPStatus.OK
    assert hass.states.get(ENTITY_ID).state == "importing"

    assert (
        await post_webhook("jellyfin", payload("jellyfin_item_added_movie"))
    ).status == HTTPStatus.OK
    state = hass.states.get(ENTITY_ID)
    assert state.state == "available"
    assert state.attributes["jellyfin_id"] == "4f1c2d3e4b5a69788796a5b4c3d2e1f0"
    assert [(e["state"], e["source"]) for e in state.attributes["timeline"]] == [
        ("approved", "jellyseerr"),
        ("indexed", "radarr"),
        ("importing", "radarr"),
        ("available", "jellyfin"),
    ]

    await hass.async_block_till_done()
    assert [
        (e.data["from_state"], e.data["to_state"], e.data["source"]) for e in events
    ] == [
        (None, "approved", "jellyseerr"),
        ("approved", "indexed", "radarr"),
        ("indexed", "importing", "radarr"),
        ("importing", "available", "jellyfin"),
    ]
    assert events[-1].data == {
        "entry_id": ENTRY_ID,
        "request_id": "42",
        "entity_id": ENTITY_ID,
        "title": "Dune: Part Two",
        "media_type": "movie",
        "from_state": "importing",
        "to_state": "available",
        "source": "jellyfin",
    }


async def test_summary_counts_active_requests_by_state(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    summary = "sensor.jellyfin_home_active_requests"
    assert hass.states.get(summary).state == "0"
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("jellyseerr", payload("jellyseerr_tv_pending"))
    state = hass.states.get(summary)
    assert state.state == "2"
    assert state.attributes["approved"] == 1
    assert state.attributes["requested"] == 1

    await post_webhook("jellyfin", payload("jellyfin_item_added_movie"))
    state = hass.states.get(summary)
    assert state.state == "1"
    assert state.attributes["available"] == 1


async def test_radarr_poster_is_used_when_the_request_has_none(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    request = payload("jellyseerr_movie_auto_approved")
    request["image"] = ""
    await post_webhook("jellyseerr", request)
    assert "entity_picture" not in hass.states.get(ENTITY_ID).attributes
    await post_webhook("radarr", payload("radarr_grab"))
    assert hass.states.get(ENTITY_ID).attributes["entity_picture"] == (
        "https://image.tmdb.org/t/p/original/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
    )


async def test_unrequested_grab_appears_with_no_requester(
    hass: HomeAssistant, post_webhook: PostWebhook
) -> None:
    await post_webhook("radarr", payload("radarr_grab"))
    state = hass.states.get(ENTITY_ID)
    assert state.state == "indexed"
    assert "requested_by" not in state.attributes  # unknown values are left out
    assert state.attributes["request_id"] == "radarr_3a7c2f0b9e4d"
