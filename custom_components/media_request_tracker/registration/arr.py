"""Our webhook in Radarr and Sonarr: one *Webhook* connection (``/api/v3/notification``).

It sends ``POST`` to our URL, with only the events the tracker acts on. Ours
is the connection whose URL ends in our webhook path. A second set-up changes
nothing; a connection of ours that differs is put back; any other connection
is never touched. The app sends its ``Test`` event to us before it saves, so
a URL it cannot reach is refused there (``tests/fakes/UPSTREAM.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any, Final

from homeassistant.helpers.aiohttp_client import async_get_clientsession

from custom_components.media_request_tracker.clients.arr import (
    ArrClient,
    ArrRejectedError,
)
from custom_components.media_request_tracker.core.model import Source

from .service import NotRegistered, Registrar, is_our_url, our_webhook_url

NOTIFICATION_NAME: Final = "Home Assistant – Media Request Tracker"
WEBHOOK_METHOD_POST: Final = 1

# Every event flag of a connection (v3 API), so that all but ours are set off.
# A flag the app does not know (Sonarr before 4.0.6 has no onImportComplete)
# is ignored by it and not compared.
RADARR_FLAGS: Final = (
    "onGrab",
    "onDownload",
    "onUpgrade",
    "onRename",
    "onMovieAdded",
    "onMovieDelete",
    "onMovieFileDelete",
    "onMovieFileDeleteForUpgrade",
    "onHealthIssue",
    "includeHealthWarnings",
    "onHealthRestored",
    "onApplicationUpdate",
    "onManualInteractionRequired",
)
SONARR_FLAGS: Final = (
    "onGrab",
    "onDownload",
    "onUpgrade",
    "onImportComplete",
    "onRename",
    "onSeriesAdd",
    "onSeriesDelete",
    "onEpisodeFileDelete",
    "onEpisodeFileDeleteForUpgrade",
    "onHealthIssue",
    "includeHealthWarnings",
    "onHealthRestored",
    "onApplicationUpdate",
    "onManualInteractionRequired",
)
# The events core/parsers/arr.py acts on: a grab (Grab), an import and an
# upgrade (Download; Sonarr's per-file event and, from 4.0.6, its once-per-
# release import-complete event), a deleted file or title, and a download that
# needs manual interaction (timeline notes). Left off: Rename, *Added, Health,
# HealthRestored and ApplicationUpdate, which it ignores, and file deletions
# for an upgrade, which the upgrade's own Download event already records.
RADARR_EVENTS: Final = frozenset(
    {
        "onGrab",
        "onDownload",
        "onUpgrade",
        "onMovieDelete",
        "onMovieFileDelete",
        "onManualInteractionRequired",
    }
)
SONARR_EVENTS: Final = frozenset(
    {
        "onGrab",
        "onDownload",
        "onUpgrade",
        "onImportComplete",
        "onSeriesDelete",
        "onEpisodeFileDelete",
        "onManualInteractionRequired",
    }
)
_FLAGS_AND_EVENTS: Final = {
    Source.RADARR: (RADARR_FLAGS, RADARR_EVENTS),
    Source.SONARR: (SONARR_FLAGS, SONARR_EVENTS),
}


class ArrRegistrar(Registrar):
    """Keeps our one Webhook connection in a Radarr or Sonarr as we need it."""

    @cached_property
    def _client(self) -> ArrClient:
        return ArrClient(
            async_get_clientsession(self.hass),
            self.service.url,
            self.service.api_key,
            app=self.service.title,
        )

    async def async_register(self) -> None:
        """Add our connection, put it back if it differs, and drop duplicates of it."""
        url = our_webhook_url(self.hass, self.service)
        try:
            notifications = await self._client.async_get_notifications()
            ours = [n for n in notifications if self._is_ours(n)]
            for duplicate in ours[1:]:
                await self._client.async_delete_notification(int(duplicate["id"]))
            if not ours:
                await self._client.async_add_notification(
                    {
                        "name": _free_name(notifications, self.entry.title),
                        "implementation": "Webhook",
                        "implementationName": "Webhook",
                        "configContract": "WebhookSettings",
                        **self._wanted_flags(),
                        "tags": [],
                        "fields": [
                            {"name": "url", "value": url},
                            {"name": "method", "value": WEBHOOK_METHOD_POST},
                        ],
                    }
                )
            elif self._differs(ours[0], url):
                await self._client.async_update_notification(
                    self._updated(ours[0], url)
                )
        except ArrRejectedError as err:
            # The app's own words, which may quote our URL: the caller scrubs them.
            reasons = "; ".join(f.message for f in err.failures if f.message)
            raise NotRegistered(
                f"it refused the connection: {reasons or err}", retry=True
            ) from err

    async def async_unregister(self) -> None:
        """Delete every connection of ours; the user's stay."""
        for notification in await self._client.async_get_notifications():
            if self._is_ours(notification):
                await self._client.async_delete_notification(int(notification["id"]))

    def _is_ours(self, resource: Mapping[str, Any]) -> bool:
        url = _field_value(resource, "url")
        return (
            resource.get("implementation") == "Webhook"
            and isinstance(url, str)
            and is_our_url(url, self.service.webhook_id)
        )

    def _wanted_flags(self) -> dict[str, bool]:
        flags, events = _FLAGS_AND_EVENTS[self.service.source]
        return {flag: flag in events for flag in flags}

    def _differs(self, resource: Mapping[str, Any], url: str) -> bool:
        if _field_value(resource, "url") != url:
            return True
        if _field_value(resource, "method") != WEBHOOK_METHOD_POST:
            return True
        return any(
            resource[flag] != wanted
            for flag, wanted in self._wanted_flags().items()
            if flag in resource
        )

    def _updated(self, resource: Mapping[str, Any], url: str) -> dict[str, Any]:
        """Ours with our URL and events; the rest (name, tags, headers) as the user left it."""
        wanted = {"url": url, "method": WEBHOOK_METHOD_POST}
        fields = [dict(field) for field in resource.get("fields") or []]
        for field in fields:
            if field.get("name") in wanted:
                field["value"] = wanted.pop(field["name"])
        fields.extend({"name": name, "value": value} for name, value in wanted.items())
        return {**resource, **self._wanted_flags(), "fields": fields}


def _field_value(resource: Mapping[str, Any], name: str) -> Any:
    for field in resource.get("fields") or []:
        if isinstance(field, dict) and field.get("name") == name:
            return field.get("value")
    return None


def _free_name(notifications: list[dict[str, Any]], entry_title: str) -> str:
    """Radarr and Sonarr want unique names; another entry may have taken ours."""
    taken = {str(n.get("name") or "").casefold() for n in notifications}
    own = f"{NOTIFICATION_NAME} ({entry_title})"
    for candidate in (
        NOTIFICATION_NAME,
        own,
        *(f"{own} {number}" for number in range(2, 100)),
    ):
        if candidate.casefold() not in taken:
            return candidate
    raise NotRegistered("every name we would use is taken", retry=False)
