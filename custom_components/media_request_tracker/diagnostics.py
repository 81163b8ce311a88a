"""Diagnostics: what a bug report needs, with every secret redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import SECRET_KEYS
from .models import MediaRequestTrackerConfigEntry


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> dict[str, Any]:
    """Return settings, connection states and every request with its timeline."""
    data = entry.runtime_data
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(dict(entry.data), SECRET_KEYS),
            "options": dict(entry.options),
        },
        "connections": {
            "jellyfin": data.verifier.last_update_success,
            "jellyfin_library_items": len(data.verifier.library),
            "qbittorrent": data.qbittorrent.last_update_success
            if data.qbittorrent
            else None,
            "shoko": data.shoko.connected if data.shoko else None,
            "webhook_registration": dict(data.registrations),
        },
        "storage": asdict(data.hub.store.stats),
        "requests": [request.as_dict() for request in data.hub.tracker],
    }
