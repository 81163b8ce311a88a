"""Our webhook in Jellyseerr's single webhook slot.

The slot is taken if its URL is empty or already ours: enabled, our URL, the
notification types the tracker reads, and Jellyseerr's own default template
(which our parser reads), tested before it is saved. A slot with another URL
is the user's, enabled or not (a disabled one still holds their URL, template
and auth header): it is left alone and a repair issue says so, until a later
set-up finds it ours or empty (``tests/fakes/UPSTREAM.md``). Only a slot that
sends to Home Assistant's own Seerr integration is no conflict: it is left to
that integration, whose event entity the tracker then reads
(``overseerr.py``, ``seerr_listener.py``).
"""

from __future__ import annotations

from functools import cached_property
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.media_request_tracker.clients.http import safe_url
from custom_components.media_request_tracker.clients.jellyseerr import (
    JellyseerrClient,
    JellyseerrTestFailedError,
    WebhookAgentSettings,
)
from custom_components.media_request_tracker.const import DOMAIN, LOGGER
from custom_components.media_request_tracker.runtime_data import (
    MediaRequestTrackerConfigEntry,
)
from custom_components.media_request_tracker.seerr_listener import SeerrEntityListener

from .jellyseerr_template import JELLYSEERR_TEMPLATE, JELLYSEERR_TEMPLATE_TEXT
from .overseerr import async_seerr_event_entity
from .service import NotRegistered, Registrar, is_our_url, our_webhook_url
from .status import SLOT_TAKEN, through_seerr_integration

# Notification types (bits) that move a request: MEDIA_PENDING 2,
# MEDIA_APPROVED 4, MEDIA_AVAILABLE 8, MEDIA_FAILED 16, MEDIA_DECLINED 64,
# MEDIA_AUTO_APPROVED 128. Test notifications always pass.
JELLYSEERR_TYPES: Final = 2 | 4 | 8 | 16 | 64 | 128
ISSUE_JELLYSEERR_TAKEN: Final = "jellyseerr_webhook_taken"


class JellyseerrRegistrar(Registrar):
    """Keeps Jellyseerr's webhook slot sending to us, unless it is the user's."""

    @cached_property
    def _client(self) -> JellyseerrClient:
        return JellyseerrClient(
            async_get_clientsession(self.hass), self.service.url, self.service.api_key
        )

    async def async_register(self) -> str | None:
        """Take the slot if it is free or ours; else leave it, and say how.

        A slot of Home Assistant's Seerr integration is read through its
        event entity; any other URL raises the repair issue.
        """
        url = our_webhook_url(self.hass, self.service)
        current = await self._client.async_get_webhook()
        ours = is_our_url(current.webhook_url, self.service.webhook_id)
        if current.webhook_url and not ours:
            if entity_id := async_seerr_event_entity(self.hass, current.webhook_url):
                async_forget_taken_slot(self.hass, self.entry)
                self._listen(entity_id)
                return through_seerr_integration(entity_id)
            self._report_taken()
            return SLOT_TAKEN
        wanted = WebhookAgentSettings(
            enabled=True,
            types=JELLYSEERR_TYPES,
            webhook_url=url,
            payload_template=JELLYSEERR_TEMPLATE_TEXT,
            auth_header=current.auth_header if ours else "",
            support_variables=False,
            embed_poster=current.embed_poster,
        )
        if not (
            ours
            and current.enabled
            and current.types == wanted.types
            and current.webhook_url == wanted.webhook_url
            and not current.support_variables
            and current.template() == JELLYSEERR_TEMPLATE
        ):
            try:
                await self._client.async_test_webhook(wanted)
            except JellyseerrTestFailedError as err:
                raise NotRegistered(
                    "its test notification did not reach Home Assistant; check "
                    "that Jellyseerr can reach Home Assistant's URL "
                    "(Settings → System → Network)",
                    retry=True,
                ) from err
            await self._client.async_save_webhook(wanted)
        async_forget_taken_slot(self.hass, self.entry)
        return None

    async def async_unregister(self) -> None:
        """Empty and disable the slot if it is ours; keep its types and template."""
        current = await self._client.async_get_webhook()
        if not is_our_url(current.webhook_url, self.service.webhook_id):
            return
        await self._client.async_save_webhook(
            WebhookAgentSettings(
                enabled=False,
                types=current.types,
                webhook_url="",
                payload_template=(
                    current.payload_template
                    if current.template() is not None
                    else JELLYSEERR_TEMPLATE_TEXT
                ),
                embed_poster=current.embed_poster,
            )
        )

    def _listen(self, entity_id: str) -> None:
        LOGGER.info(
            "Jellyseerr's webhook sends to Home Assistant's Seerr integration; "
            "reading its notifications from %s",
            entity_id,
        )
        listener = SeerrEntityListener(
            self.hass, self.entry, self.entry.runtime_data.hub, entity_id
        )
        self.entry.async_on_unload(listener.async_start())

    def _report_taken(self) -> None:
        LOGGER.info("Jellyseerr's webhook holds another URL; left alone (see Repairs)")
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            _taken_issue_id(self.entry),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_JELLYSEERR_TAKEN,
            translation_placeholders={
                "jellyseerr_url": safe_url(self.service.url),
                "title": self.entry.title,
            },
        )


@callback
def async_forget_taken_slot(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Delete the repair issue: the slot is ours now, or the entry has no Jellyseerr."""
    ir.async_delete_issue(hass, DOMAIN, _taken_issue_id(entry))


def _taken_issue_id(entry: MediaRequestTrackerConfigEntry) -> str:
    return f"{ISSUE_JELLYSEERR_TAKEN}_{entry.entry_id}"
