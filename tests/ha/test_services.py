"""Actions act on request entities and refuse anything else with a clear error."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.media_request_tracker.const import DOMAIN
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import movie
from tests.payloads import payload

from .conftest import VOLATILE, PostWebhook, stored_requests

FILM = "sensor.jellyfin_home_dune_part_two_2024"
SERIES = "sensor.jellyfin_home_severance_2022"


@pytest.fixture
async def two_requests(hass: HomeAssistant, post_webhook: PostWebhook) -> None:
    await post_webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
    await post_webhook("jellyseerr", payload("jellyseerr_tv_pending"))


async def test_mark_available_is_a_user_step_in_the_timeline(
    hass: HomeAssistant, two_requests: None
) -> None:
    await hass.services.async_call(
        DOMAIN, "mark_available", {"entity_id": FILM}, blocking=True
    )
    state = hass.states.get(FILM)
    assert state.state == "available"
    assert (
        state.attributes["timeline"][-1]["source"],
        state.attributes["timeline"][-1]["detail"],
    ) == (
        "user",
        "marked available by hand",
    )


async def test_remove_deletes_entity_and_stored_request(
    hass: HomeAssistant, two_requests: None
) -> None:
    await hass.services.async_call(
        DOMAIN, "remove", {"entity_id": [FILM]}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(FILM) is None
    assert er.async_get(hass).async_get(FILM) is None
    assert list(await stored_requests(hass)) == ["43"]
    assert hass.states.get("sensor.jellyfin_home_active_requests").state == "1"


async def test_get_requests_returns_timelines_and_filters_by_state(
    hass: HomeAssistant, two_requests: None
) -> None:
    response = await hass.services.async_call(
        DOMAIN, "get_requests", {}, blocking=True, return_response=True
    )
    assert [
        (r["request_id"], r["state"], r["entity_id"]) for r in response["requests"]
    ] == [
        ("42", "approved", FILM),
        ("43", "requested", SERIES),
    ]
    assert response["requests"][0]["timeline"][0]["source"] == "jellyseerr"
    response = await hass.services.async_call(
        DOMAIN,
        "get_requests",
        {"state": "requested"},
        blocking=True,
        return_response=True,
    )
    assert [r["request_id"] for r in response["requests"]] == ["43"]


async def test_recheck_looks_in_the_library_now(
    hass: HomeAssistant, two_requests: None, fake_jellyfin: FakeJellyfin
) -> None:
    fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, {"Tmdb": "693134"}))
    await hass.services.async_call(DOMAIN, "recheck", {}, blocking=True)
    assert hass.states.get(FILM).state == "available"
    await hass.services.async_call(
        DOMAIN, "recheck", {"entity_id": SERIES}, blocking=True
    )


@pytest.mark.parametrize("service", ["mark_available", "remove", "recheck"])
async def test_an_entity_that_is_not_a_request_is_refused(
    hass: HomeAssistant, two_requests: None, service: str
) -> None:
    hass.states.async_set("sensor.kitchen_temperature", "21")
    for target in (
        "sensor.kitchen_temperature",
        "sensor.jellyfin_home_active_requests",
    ):
        with pytest.raises(ServiceValidationError) as error:
            await hass.services.async_call(
                DOMAIN, service, {"entity_id": target}, blocking=True
            )
        assert error.value.translation_key == "not_a_request"
    assert hass.states.get(FILM).state == "approved"


async def test_a_request_of_an_unloaded_entry_is_refused(
    hass: HomeAssistant, two_requests: None, setup_integration: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(setup_integration.entry_id)
    with pytest.raises(ServiceValidationError) as error:
        await hass.services.async_call(
            DOMAIN, "mark_available", {"entity_id": FILM}, blocking=True
        )
    assert error.value.translation_key == "not_loaded"


async def test_get_requests_answers_in_the_documented_shape(
    hass: HomeAssistant, two_requests: None, snapshot: SnapshotAssertion
) -> None:
    await hass.services.async_call(
        DOMAIN, "mark_available", {"entity_id": FILM}, blocking=True
    )
    response = await hass.services.async_call(
        DOMAIN, "get_requests", {}, blocking=True, return_response=True
    )
    assert response == snapshot(exclude=props(*VOLATILE))
