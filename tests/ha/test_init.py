"""Loading and unloading an entry opens and closes its webhooks."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.payloads import payload

from .conftest import WEBHOOK_IDS, set_up, stored_requests
from .senders import (
    FROM_ELSEWHERE,
    TEST_PAYLOADS,
    async_trust_loopback_proxy,
    delivered,
)


async def test_webhooks_refuse_senders_outside_the_local_network_by_default(
    hass: HomeAssistant, hass_client_no_auth, config_entry: MockConfigEntry
) -> None:
    await async_trust_loopback_proxy(hass)
    await set_up(hass, config_entry)
    client = await hass_client_no_auth()
    for source, fixture in TEST_PAYLOADS.items():
        url = f"/api/webhook/{WEBHOOK_IDS[source]}"
        remote = await client.post(url, json=payload(fixture), headers=FROM_ELSEWHERE)
        assert not await delivered(remote), source
        assert await delivered(await client.post(url, json=payload(fixture))), source


async def test_unloaded_entry_changes_nothing_on_a_webhook(
    hass: HomeAssistant,
    hass_client_no_auth,
    setup_integration: MockConfigEntry,
) -> None:
    await hass.config_entries.async_unload(setup_integration.entry_id)
    client = await hass_client_no_auth()
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}",
        json=payload("jellyseerr_movie_auto_approved"),
    )
    # Home Assistant answers 200 for unknown ids so as not to reveal which exist.
    assert response.status == HTTPStatus.OK
    assert not await stored_requests(hass)
