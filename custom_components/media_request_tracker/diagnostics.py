"""Diagnostics: what a bug report needs, with every secret redacted."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .clients.http import safe_url
from .const import SECRET_KEYS
from .instances import ArrInstance, arr_instances
from .runtime_data import MediaRequestTrackerConfigEntry


def _shown(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Redact the secrets, and show every URL without its user info or query."""
    redacted = async_redact_data(dict(settings), SECRET_KEYS)
    return {
        key: safe_url(value)
        if key.endswith("_url") and isinstance(value, str)
        else value
        for key, value in redacted.items()
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> dict[str, Any]:
    """Return settings, connection states and every request with its timeline."""
    data = entry.runtime_data
    return {
        "entry": {
            "title": entry.title,
            "data": _shown(entry.data),
            "options": _shown(entry.options),
        },
        "connections": {
            "jellyfin": data.verifier.last_update_success,
            "jellyfin_library_items": len(data.verifier.library),
            "qbittorrent": data.qbittorrent.last_update_success
            if data.qbittorrent
            else None,
            "shoko": data.shoko.connected if data.shoko else None,
            "webhook_registration": dict(data.registrations),
            "jellyseerr_poll": data.jellyseerr_poll.diagnostics()
            if data.jellyseerr_poll
            else None,
        },
        "instances": [_instance(entry, instance) for instance in arr_instances(entry)],
        "storage": asdict(data.hub.store.stats),
        "requests": [request.as_dict() for request in data.hub.requests()],
    }


def _instance(
    entry: MediaRequestTrackerConfigEntry, instance: ArrInstance
) -> dict[str, Any]:
    """Show a Radarr or Sonarr instance: its settings, registration and queue poller."""
    data = entry.runtime_data
    queue = next((q for q in data.queues if q.instance == instance.instance_id), None)
    return {
        "instance_id": instance.instance_id,
        "app": instance.app,
        "name": instance.name,
        "url": safe_url(instance.url),
        "is_4k": instance.is_4k,
        "registration": data.registrations.get(instance.instance_id),
        "queue": None
        if queue is None
        else {
            # Polled only while a request of this instance waits on its queue.
            "following": data.hub.follows_queue(instance.instance_id),
            "polling": queue.update_interval is not None,
            "last_poll_ok": queue.last_update_success,
        },
    }
