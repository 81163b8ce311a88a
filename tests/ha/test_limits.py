"""A flood of requests or text from a sender is bounded, and never silently."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import DOMAIN
from tests.fakes.jellyfin import FakeJellyfin
from tests.payloads import jellyseerr, payload

from .conftest import WEBHOOK_IDS, set_up, tracker_entry

TITLE_LIMIT = 200


async def flood(client, count: int) -> None:
    for request_id in range(1, count + 1):
        body = jellyseerr("jellyseerr_movie_auto_approved", request_id=str(request_id))
        body["subject"] = f"Film {request_id}"
        response = await client.post(
            f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}", json=body
        )
        assert response.status == 200


def request_sensors(hass: HomeAssistant) -> list[str]:
    return [
        state.entity_id
        for state in hass.states.async_all("sensor")
        if "request_id" in state.attributes
    ]


async def test_requests_past_the_limit_raise_a_repair_and_make_no_entity(
    hass: HomeAssistant, hass_client_no_auth, fake_jellyfin: FakeJellyfin
) -> None:
    with patch("custom_components.media_request_tracker.settings.REQUEST_LIMIT", 3):
        entry: MockConfigEntry = await set_up(hass, tracker_entry(fake_jellyfin))
    client = await hass_client_no_auth()
    await flood(client, 5)
    await hass.async_block_till_done()

    assert len(request_sensors(hass)) == 3
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"request_limit_{entry.entry_id}_"
    )
    assert issue is not None
    assert issue.translation_placeholders == {
        "limit": "3",
        "refused": "2",
        "title": "Film 5",
    }


async def test_the_limit_repair_goes_when_a_request_is_removed(
    hass: HomeAssistant, hass_client_no_auth, fake_jellyfin: FakeJellyfin
) -> None:
    with patch("custom_components.media_request_tracker.settings.REQUEST_LIMIT", 3):
        entry: MockConfigEntry = await set_up(hass, tracker_entry(fake_jellyfin))
    client = await hass_client_no_auth()
    await flood(client, 4)
    await hass.services.async_call(
        DOMAIN,
        "remove",
        {"entity_id": request_sensors(hass)[0]},
        blocking=True,
    )
    assert (
        ir.async_get(hass).async_get_issue(DOMAIN, f"request_limit_{entry.entry_id}_")
        is None
    )


async def test_a_huge_title_makes_a_bounded_friendly_name(
    hass: HomeAssistant, post_webhook
) -> None:
    body = payload("jellyseerr_movie_auto_approved")
    body["subject"] = "Dune " * 180_000
    response = await post_webhook("jellyseerr", body)
    assert response.status == 200
    (entity_id,) = request_sensors(hass)
    state = hass.states.get(entity_id)
    assert len(state.attributes["title"]) == TITLE_LIMIT
    assert len(state.attributes["friendly_name"]) < TITLE_LIMIT + 40
