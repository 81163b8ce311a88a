"""A fake of Home Assistant's own Seerr integration (domain ``overseerr``).

Its library (``python-overseerr``) is not installed here, so the real
integration cannot load in the test Home Assistant. This fake does what its
source does at each supported release (``HA_VERSIONS``; the facts, with file
and tag, are in ``tests/fakes/UPSTREAM.md``, "Home Assistant's overseerr
integration"):

- a loaded config entry holding ``webhook_id``, whose webhook (POST only)
  receives what Jellyseerr renders from the integration's template;
- an event entity, unique id ``<entry_id>-media``, whose state on each
  ``MEDIA_*`` notification is the time of the event, with ``event_type`` (the
  type without ``MEDIA_``, lower case), the body without ``notification_type``,
  ``image``, ``issue`` and ``comment``, ``media.status``/``status4k`` lower
  case, ``tmdb_id``/``tvdb_id`` integers (``""`` → ``None``), ``request_id`` an
  integer, and the poster as ``entity_picture``.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    mock_integration,
)

from .jellyseerr import render

HA_VERSIONS = ("2025.4.4", "2026.11.0")
SEERR_WEBHOOK_ID = "5e3c1f0a9b8d4e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"

# const.py REGISTERED_NOTIFICATIONS (python-overseerr NotificationType bits).
REGISTERED_NOTIFICATIONS = {
    "2025.4.4": 2 | 4 | 64 | 8 | 16 | 128,
    "2026.11.0": 2 | 4 | 64 | 8 | 16 | 128 | 256 | 512 | 1024 | 2048,
}
# event.py EVENTS: the one event entity and its event types, the same at both.
EVENT_TYPES = [
    "pending",
    "approved",
    "available",
    "failed",
    "declined",
    "auto_approved",
]

_REQUESTED_BY = {
    "requested_by_email": "{{requestedBy_email}}",
    "requested_by_username": "{{requestedBy_username}}",
    "requested_by_avatar": "{{requestedBy_avatar}}",
}
_ISSUE = {
    "issue_id": "{{issue_id}}",
    "issue_type": "{{issue_type}}",
    "issue_status": "{{issue_status}}",
    "reported_by_email": "{{reportedBy_email}}",
    "reported_by_username": "{{reportedBy_username}}",
    "reported_by_avatar": "{{reportedBy_avatar}}",
}
_COMMENT = {
    "comment_message": "{{comment_message}}",
    "commented_by_email": "{{commentedBy_email}}",
    "commented_by_username": "{{commentedBy_username}}",
    "commented_by_avatar": "{{commentedBy_avatar}}",
}
# const.py JSON_PAYLOAD, key for key.
TEMPLATES: dict[str, dict[str, Any]] = {
    "2025.4.4": {
        "notification_type": "{{notification_type}}",
        "subject": "{{subject}}",
        "message": "{{message}}",
        "image": "{{image}}",
        "{{media}}": {
            "media_type": "{{media_type}}",
            "tmdb_id": "{{media_tmdbid}}",
            "tvdb_id": "{{media_tvdbid}}",
            "status": "{{media_status}}",
            "status4k": "{{media_status4k}}",
        },
        "{{request}}": {
            "request_id": "{{request_id}}",
            **_REQUESTED_BY,
            "requested_by_settings_discord_id": "{{requestedBy_settings_discordId}}",
            "requested_by_settings_telegram_chat_id": "{{requestedBy_settings_telegramChatId}}",
        },
        "{{issue}}": {
            **_ISSUE,
            "reported_by_settings_discord_id": "{{reportedBy_settings_discordId}}",
            "reported_by_settings_telegram_chat_id": "{{reportedBy_settings_telegramChatId}}",
        },
        "{{comment}}": {
            **_COMMENT,
            "commented_by_settings_discord_id": "{{commentedBy_settings_discordId}}",
            "commented_by_settings_telegram_chat_id": "{{commentedBy_settings_telegramChatId}}",
        },
    },
    "2026.11.0": {
        "notification_type": "{{notification_type}}",
        "event": "{{event}}",
        "subject": "{{subject}}",
        "message": "{{message}}",
        "image": "{{image}}",
        "{{media}}": {
            "media_type": "{{media_type}}",
            "imdb_id": "{{media_imdbid}}",
            "tmdb_id": "{{media_tmdbid}}",
            "tvdb_id": "{{media_tvdbid}}",
            "jellyfin_media_id": "{{media_jellyfinMediaId}}",
            "status": "{{media_status}}",
            "status4k": "{{media_status4k}}",
        },
        "{{request}}": {
            "request_id": "{{request_id}}",
            **_REQUESTED_BY,
            "requested_by_jellyfin_user_id": "{{requestedBy_jellyfinUserId}}",
            "requested_by_settings_discord_id": "{{requestedBy_settings_discordIds}}",
            "requested_by_settings_telegram_chat_id": "{{requestedBy_settings_telegramChatId}}",
        },
        "{{issue}}": {
            **_ISSUE,
            "reported_by_settings_discord_id": "{{reportedBy_settings_discordIds}}",
            "reported_by_settings_telegram_chat_id": "{{reportedBy_settings_telegramChatId}}",
        },
        "{{comment}}": {
            **_COMMENT,
            "commented_by_settings_discord_id": "{{commentedBy_settings_discordIds}}",
            "commented_by_settings_telegram_chat_id": "{{commentedBy_settings_telegramChatId}}",
        },
        "{{extra}}": [],
    },
}


def event_attributes(body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """``OverseerrEvent._handle_update`` and ``parse_event``: the event type and attributes."""
    body = copy.deepcopy(body)
    event_type = body["notification_type"].lower()
    if event_type.split("_")[0] != "media":
        return None
    image = body.get("image")
    for key in ("notification_type", "image", "comment", "issue"):
        body.pop(key)
    if (media := body.get("media")) is not None:
        for key in ("status", "status4k"):
            media[key] = media[key].lower()
        for key in ("tmdb_id", "tvdb_id"):
            media[key] = int(media[key]) if media.get(key) != "" else None
    if (request := body.get("request")) is not None:
        request["request_id"] = int(request["request_id"])
    return event_type[6:], {"image": image, **body}


class FakeSeerrIntegration:
    """One loaded ``overseerr`` entry with its webhook and its event entity."""

    def __init__(
        self,
        hass: HomeAssistant,
        version: str = HA_VERSIONS[0],
        title: str = "Jellyseerr",
    ) -> None:
        self.hass = hass
        self.version = version
        self.title = title
        self.entry = MockConfigEntry(
            domain="overseerr",
            title=title,
            data={
                "host": "jellyseerr.local",
                "port": 5055,
                "ssl": False,
                "api_key": "their-api-key",
                "webhook_id": SEERR_WEBHOOK_ID,
            },
            state=ConfigEntryState.LOADED,
        )
        self.entity_id = ""

    @property
    def template_text(self) -> str:
        return json.dumps(TEMPLATES[self.version])

    def url(self, ha_url: str) -> str:
        """``async_generate_url`` of the entry's webhook id."""
        return f"{ha_url}/api/webhook/{SEERR_WEBHOOK_ID}"

    def add(self) -> None:
        """Add the entry, its event entity and its webhook, as its set-up does."""
        # Stands in for the integration, whose library is not installed.
        mock_integration(
            self.hass, MockModule("overseerr", async_unload_entry=_unloaded)
        )
        self.entry.add_to_hass(self.hass)
        self.entity_id = (
            er.async_get(self.hass)
            .async_get_or_create(
                "event",
                "overseerr",
                f"{self.entry.entry_id}-media",
                config_entry=self.entry,
                suggested_object_id=f"{self.title}_last_media_event",
            )
            .entity_id
        )
        self.hass.states.async_set(
            self.entity_id, "unknown", {**self._base(), "event_type": None}
        )
        webhook.async_register(
            self.hass,
            "overseerr",
            self.title,
            SEERR_WEBHOOK_ID,
            self._handle_webhook,
            allowed_methods=["POST"],
        )

    async def remove(self) -> None:
        """The user deletes the entry: webhook and entity go, Jellyseerr's slot stays."""
        webhook.async_unregister(self.hass, SEERR_WEBHOOK_ID)
        er.async_get(self.hass).async_remove(self.entity_id)
        self.hass.states.async_remove(self.entity_id)
        await self.hass.config_entries.async_remove(self.entry.entry_id)

    def render(self, type_name: str, notification: dict[str, Any]) -> dict[str, Any]:
        """What Jellyseerr posts with this template (for a release it cannot save in)."""
        stored = base64.b64encode(json.dumps(self.template_text).encode()).decode()
        return render(stored, {"notifySystem": True, **notification}, type_name)

    def receive(self, body: dict[str, Any]) -> None:
        """The dispatcher signal reaching the event entity: its new state."""
        if (parsed := event_attributes(body)) is None:
            return
        event_type, attributes = parsed
        image = attributes.pop("image")
        self.hass.states.async_set(
            self.entity_id,
            dt_util.utcnow().isoformat(timespec="milliseconds"),
            {
                **self._base(),
                "event_type": event_type,
                **attributes,
                **({"entity_picture": image} if image is not None else {}),
            },
        )

    def _base(self) -> dict[str, Any]:
        return {
            "event_types": EVENT_TYPES,
            "friendly_name": f"{self.title} Last media event",
        }

    async def _handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        self.receive(await request.json())
        return web.json_response({"message": "ok"})


async def _unloaded(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return True
