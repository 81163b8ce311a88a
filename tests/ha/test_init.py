"""Loading and unloading an entry opens and closes its webhooks."""

from __future__ import annotations

from http import HTTPStatus

from homeassistant.components.webhook import DOMAIN as WEBHOOK_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.payloads import payload

from .conftest import WEBHOOK_IDS, stored_requests


async def test_webhooks_are_registered_and_removed_on_unload(
    hass: HomeAssistant, setup_integration: MockConfigEntry
) -> None:
    # Which senders are accepted is checked by our handler: tests/ha/test_local_only.py.
    handlers = hass.data[WEBHOOK_DOMAIN]
    assert set(WEBHOOK_IDS.values()) <= set(handlers)
    assert await hass.config_entries.async_unload(setup_integration.entry_id)
    await hass.async_block_till_done()
    assert setup_integration.state is ConfigEntryState.NOT_LOADED
    assert not set(WEBHOOK_IDS.values()) & set(handlers)


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
