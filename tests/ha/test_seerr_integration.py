"""Beside Home Assistant's own Seerr integration, which takes Jellyseerr's webhook slot.

The fake Jellyseerr renders that integration's template and posts to its
webhook; the fake integration (``tests/fakes/ha_seerr.py``) turns it into the
state of its event entity as Home Assistant's source does; the tracker reads
that entity.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import DOMAIN
from custom_components.media_request_tracker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.fakes.arr import FakeArr
from tests.fakes.ha_seerr import REGISTERED_NOTIFICATIONS, FakeSeerrIntegration
from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyseerr import FakeJellyseerr
from tests.payloads import payload

from .test_registration import (
    DUNE_AUTO_APPROVED,
    OUR_LOGGER,
    TAKEN_ISSUE,
    THEIR_URL,
    each_jellyseerr_version,
    make_entry,
    our_records,
    our_url,
    set_up,
)

DUNE_SENSOR = "sensor.jellyfin_home_dune_part_two_2024"
SEVERANCE_SENSOR = "sensor.jellyfin_home_severance_2022"
SEERR_ENTITY = "event.jellyseerr_last_media_event"


@pytest.fixture
def entry(
    ha_url: str,  # noqa: F811 - the fixture above
    fake_jellyfin: FakeJellyfin,
    radarr: FakeArr,
    jellyseerr: FakeJellyseerr,
) -> MockConfigEntry:
    return make_entry(fake_jellyfin, radarr=radarr, jellyseerr=jellyseerr)


@pytest.fixture
def seerr(
    hass: HomeAssistant,
    ha_url: str,  # noqa: F811 - the fixture above
    jellyseerr: FakeJellyseerr,
) -> FakeSeerrIntegration:
    """Home Assistant 2025.4.4's Seerr integration, set up: it holds the slot."""
    integration = FakeSeerrIntegration(hass, "2025.4.4")
    integration.add()
    jellyseerr.set_webhook(
        integration.url(ha_url),
        types=REGISTERED_NOTIFICATIONS["2025.4.4"],
        template_text=integration.template_text,
    )
    return integration


def severance_pending() -> dict[str, Any]:
    fixture = payload("jellyseerr_tv_pending")
    return {
        "event": fixture["event"],
        "subject": fixture["subject"],
        "message": fixture["message"],
        "image": fixture["image"],
        "media": {
            "mediaType": "tv",
            "tmdbId": 95396,
            "tvdbId": 371980,
            "status": 2,
            "status4k": 1,
        },
        "request": {
            "id": 43,
            "requestedBy": {
                "displayName": "alice",
                "email": "alice@example.com",
                "avatar": "/avatarproxy/1a2b",
                "settings": {"discordId": None, "telegramChatId": None},
            },
        },
        "extra": [{"name": "Requested Seasons", "value": "1"}],
    }


async def registration(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    status: str = diagnostics["connections"]["webhook_registration"]["jellyseerr"]
    return status


@each_jellyseerr_version
async def test_a_slot_of_the_seerr_integration_is_left_to_it_without_an_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=OUR_LOGGER)
    theirs = copy.deepcopy(jellyseerr.webhook)
    await set_up(hass, entry)
    assert jellyseerr.webhook == theirs
    assert jellyseerr.writes() == []
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is None
    assert not our_records(caplog, logging.WARNING)
    assert await registration(hass, entry) == (
        f"through Home Assistant's Seerr integration: {SEERR_ENTITY}"
    )


@each_jellyseerr_version
async def test_a_request_arrives_through_the_seerr_integrations_event_entity(
    hass: HomeAssistant,
    ha_url: str,  # noqa: F811 - the fixture above
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
) -> None:
    await set_up(hass, entry)
    await jellyseerr.notify("MEDIA_AUTO_APPROVED", DUNE_AUTO_APPROVED)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert jellyseerr.deliveries[-1][:2] == (seerr.url(ha_url), 200)
    assert hass.states.get(SEERR_ENTITY).attributes["event_type"] == "auto_approved"
    state = hass.states.get(DUNE_SENSOR)
    assert state is not None
    assert state.state == "approved"
    assert state.attributes["requested_by"] == "admin"
    assert state.attributes["entity_picture"] == DUNE_AUTO_APPROVED["image"]


async def test_a_series_request_through_home_assistant_2025_4_loses_its_seasons(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
) -> None:
    """Its template has no ``{{extra}}``: the request is for the whole series."""
    await set_up(hass, entry)
    await jellyseerr.notify("MEDIA_PENDING", severance_pending())
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "extra" not in hass.states.get(SEERR_ENTITY).attributes
    state = hass.states.get(SEVERANCE_SENSOR)
    assert state is not None
    assert state.state == "requested"
    assert state.attributes["requested_by"] == "alice"
    assert state.attributes["seasons"] == []


async def test_home_assistant_2026_11s_entity_brings_the_requested_seasons(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    seerr: FakeSeerrIntegration,
) -> None:
    """Seerr 3.1.0 cannot send 2026.11's once-encoded template; a body rendered from it can."""
    await set_up(hass, entry)
    newer = FakeSeerrIntegration(hass, "2026.11.0")
    newer.entity_id = seerr.entity_id
    seerr.receive(newer.render("MEDIA_PENDING", severance_pending()))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(SEERR_ENTITY).attributes["extra"] == [
        {"name": "Requested Seasons", "value": "1"}
    ]
    state = hass.states.get(SEVERANCE_SENSOR)
    assert state is not None
    assert state.state == "requested"
    assert state.attributes["seasons"] == [1]


async def test_the_entity_coming_back_or_restored_is_not_a_new_notification(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
) -> None:
    await jellyseerr.notify("MEDIA_AUTO_APPROVED", DUNE_AUTO_APPROVED)
    last_event = hass.states.get(SEERR_ENTITY)
    await set_up(hass, entry)
    assert hass.states.get(DUNE_SENSOR) is None
    hass.states.async_set(SEERR_ENTITY, "unavailable", last_event.attributes)
    hass.states.async_set(SEERR_ENTITY, last_event.state, last_event.attributes)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(DUNE_SENSOR) is None


async def test_a_slot_with_an_unrelated_url_still_raises_the_issue(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
) -> None:
    jellyseerr.set_webhook(THEIR_URL)
    await set_up(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is not None
    assert (
        await registration(hass, entry) == "not registered: the slot holds another URL"
    )
    # An event of that entity is not read: the slot does not send to it.
    seerr.receive(seerr.render("MEDIA_AUTO_APPROVED", DUNE_AUTO_APPROVED))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(DUNE_SENSOR) is None


async def test_after_the_seerr_integration_is_removed_a_set_up_registers_as_before(
    hass: HomeAssistant,
    ha_url: str,  # noqa: F811 - the fixture above
    entry: MockConfigEntry,
    jellyseerr: FakeJellyseerr,
    seerr: FakeSeerrIntegration,
) -> None:
    await set_up(hass, entry)
    await seerr.remove()
    # Its URL stays in the slot, now leading nowhere: the user's to clear.
    await set_up(hass, entry)
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is not None
    assert (
        await registration(hass, entry) == "not registered: the slot holds another URL"
    )
    jellyseerr.set_webhook("", enabled=False)
    await set_up(hass, entry)
    assert jellyseerr.webhook["options"]["webhookUrl"] == our_url(ha_url, "jellyseerr")
    assert ir.async_get(hass).async_get_issue(DOMAIN, TAKEN_ISSUE) is None
    assert await registration(hass, entry) == "registered"
    await jellyseerr.notify("MEDIA_AUTO_APPROVED", DUNE_AUTO_APPROVED)
    assert hass.states.get(DUNE_SENSOR).state == "approved"
