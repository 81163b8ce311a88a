"""Approve and decline a pending request from Home Assistant, through Jellyseerr.

The fake Jellyseerr answers ``POST /api/v1/request/{id}/{status}`` as Seerr's
``routes/request.ts`` does and then sends the MEDIA_APPROVED or MEDIA_DECLINED
webhook through the slot our registration filled: the entity follows that.
"""

# ruff: noqa: F811

from __future__ import annotations

import copy
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.media_request_tracker.const import (
    CONF_JELLYSEERR_API_KEY,
    CONF_JELLYSEERR_URL,
    DOMAIN,
)
from tests.fakes.jellyseerr import FakeJellyseerr

# ``entry`` is the registration tests' fixture (an entry
# registered in the fake Jellyseerr), which the tests take as an argument.
from .test_registration import (  # noqa: F401
    DUNE_AUTO_APPROVED,
    each_jellyseerr_version,
    entry,
    set_up,
)

DUNE = "sensor.jellyfin_home_dune_part_two_2024"


def pending_dune() -> dict[str, Any]:
    """Dune's MEDIA_PENDING notification: the request waits for an admin."""
    notification = copy.deepcopy(DUNE_AUTO_APPROVED)
    notification["event"] = "New Movie Request"
    notification["media"]["status"] = 2
    return notification


async def request_dune(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await set_up(hass, entry)
    jellyseerr.add_request(pending_dune())
    await jellyseerr.notify("MEDIA_PENDING", pending_dune())
    await hass.async_block_till_done()
    assert hass.states.get(DUNE).state == "requested"


async def call(hass: HomeAssistant, action: str, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN, action, {"entity_id": DUNE, **data}, blocking=True
    )
    await hass.async_block_till_done()


def timeline(hass: HomeAssistant) -> list[tuple[str, str, str]]:
    return [
        (line["state"], line["source"], line["detail"])
        for line in hass.states.get(DUNE).attributes["timeline"]
    ]


@each_jellyseerr_version
async def test_approve_asks_jellyseerr_and_the_request_follows_its_webhook(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    await call(hass, "approve")
    assert ("POST", "/api/v1/request/42/approve") in jellyseerr.calls
    assert jellyseerr.request_status[42] == 2
    assert jellyseerr.deliveries[-1][1] == 200
    assert hass.states.get(DUNE).state == "approved"
    assert timeline(hass)[-1][1:] == ("user", "approved from Home Assistant")


@each_jellyseerr_version
async def test_decline_with_a_reason_declines_and_keeps_the_reason_in_the_timeline(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    await call(hass, "decline", reason="already on the shelf")
    assert ("POST", "/api/v1/request/42/decline") in jellyseerr.calls
    assert jellyseerr.request_status[42] == 3
    assert hass.states.get(DUNE).state == "declined"
    assert timeline(hass)[-1][1:] == (
        "user",
        "declined from Home Assistant: already on the shelf",
    )


async def refusal(hass: HomeAssistant, action: str = "approve") -> str | None:
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, action)
    return refused.value.translation_key


async def test_a_request_no_longer_pending_is_refused_without_asking_jellyseerr(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    await call(hass, "approve")
    asked = len(jellyseerr.writes())
    assert await refusal(hass, "decline") == "not_pending"
    assert len(jellyseerr.writes()) == asked
    assert hass.states.get(DUNE).state == "approved"


@each_jellyseerr_version
async def test_a_key_without_manage_requests_is_refused_and_nothing_moves(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    jellyseerr.manage_requests = False
    assert await refusal(hass) == "jellyseerr_forbidden"
    assert jellyseerr.request_status[42] == 1
    assert hass.states.get(DUNE).state == "requested"
    assert timeline(hass)[-1][1] == "jellyseerr"


async def test_an_unreachable_jellyseerr_is_refused_and_nothing_moves(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    jellyseerr.fail_with = 502
    assert await refusal(hass) == "jellyseerr_unreachable"
    assert hass.states.get(DUNE).state == "requested"


async def test_a_request_jellyseerr_no_longer_has_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    jellyseerr.requests.clear()
    assert await refusal(hass) == "not_in_jellyseerr"
    assert hass.states.get(DUNE).state == "requested"


async def test_an_entry_without_jellyseerr_credentials_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry, jellyseerr: FakeJellyseerr
) -> None:
    await request_dune(hass, entry, jellyseerr)
    data = dict(entry.data)
    del data[CONF_JELLYSEERR_URL], data[CONF_JELLYSEERR_API_KEY]
    hass.config_entries.async_update_entry(entry, data=data)
    await hass.async_block_till_done()
    asked = len(jellyseerr.writes())
    assert await refusal(hass) == "no_jellyseerr"
    assert len(jellyseerr.writes()) == asked
