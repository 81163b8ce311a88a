"""Base entity: every entity of an entry hangs off one service device."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .models import MediaRequestTrackerConfigEntry


class MediaRequestTrackerEntity(Entity):
    """Pushed, never polled; named under the entry's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: MediaRequestTrackerConfigEntry) -> None:
        """Attach to the entry's service device."""
        self._entry = entry
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Media Request Tracker",
            model="Media request pipeline",
            entry_type=DeviceEntryType.SERVICE,
        )
