"""Base entity: every entity of an entry hangs off one service device."""

from __future__ import annotations

from homeassistant.helpers.entity import Entity

from .runtime_data import MediaRequestTrackerConfigEntry


class MediaRequestTrackerEntity(Entity):
    """Pushed, never polled; named under the entry's device."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: MediaRequestTrackerConfigEntry) -> None:
        """Attach to the entry's service device."""
        self._entry = entry
        self._attr_device_info = entry.runtime_data.hub.device_info
