"""Base entity: every entity of an entry hangs off one service device."""

from __future__ import annotations

from functools import lru_cache

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
        self._attr_device_info = _device_info(entry.entry_id, entry.title)


@lru_cache(maxsize=32)
def _device_info(entry_id: str, title: str) -> DeviceInfo:
    """One shared, read-only description per entry: thousands of entities use it."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry_id)},
        name=title,
        manufacturer="Media Request Tracker",
        model="Media request pipeline",
        entry_type=DeviceEntryType.SERVICE,
    )
