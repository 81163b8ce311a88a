"""Whether Jellyseerr's slot sends to Home Assistant's own Seerr integration.

That integration (domain ``overseerr``) writes its webhook into the same
single slot at every set-up: its URL ends in ``/api/webhook/<webhook_id>``
of its entry (``entry.data["webhook_id"]``), or is the entry's Home
Assistant Cloud ``cloudhook_url``. Its event entity (unique id
``<entry_id>-media``) then shows every notification, so the slot holding
its URL is no conflict: the tracker reads that entity
(``tests/fakes/UPSTREAM.md``).
"""

from __future__ import annotations

from typing import Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .service import is_our_url

SEERR_DOMAIN: Final = "overseerr"
CONF_CLOUDHOOK_URL: Final = "cloudhook_url"


@callback
def async_seerr_event_entity(hass: HomeAssistant, slot_url: str) -> str | None:
    """Return the event entity of the loaded Seerr entry whose URL the slot holds."""
    for seerr in hass.config_entries.async_entries(SEERR_DOMAIN):
        if seerr.state is not ConfigEntryState.LOADED:
            continue
        webhook_id = seerr.data.get(CONF_WEBHOOK_ID)
        if not (
            (
                isinstance(webhook_id, str)
                and webhook_id
                and is_our_url(slot_url, webhook_id)
            )
            or slot_url == seerr.data.get(CONF_CLOUDHOOK_URL)
        ):
            continue
        return er.async_get(hass).async_get_entity_id(
            Platform.EVENT, SEERR_DOMAIN, f"{seerr.entry_id}-media"
        )
    return None
