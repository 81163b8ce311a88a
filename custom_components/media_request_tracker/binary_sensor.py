"""Connection sensors for the services we poll."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .coordinator import QBittorrentCoordinator
from .entity import MediaRequestTrackerEntity
from .models import MediaRequestTrackerConfigEntry

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connection sensor for each service that is set up."""
    if (coordinator := entry.runtime_data.qbittorrent) is not None:
        async_add_entities([QBittorrentConnectionSensor(entry, coordinator)])


class QBittorrentConnectionSensor(
    MediaRequestTrackerEntity,
    CoordinatorEntity[QBittorrentCoordinator],
    BinarySensorEntity,
):
    """Whether the last qBittorrent poll worked; off says why progress stopped."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "qbittorrent_connection"

    def __init__(
        self, entry: MediaRequestTrackerConfigEntry, coordinator: QBittorrentCoordinator
    ) -> None:
        """Follow the qBittorrent coordinator."""
        MediaRequestTrackerEntity.__init__(self, entry)
        CoordinatorEntity.__init__(self, coordinator)
        self._attr_unique_id = f"{entry.entry_id}_qbittorrent_connection"

    @property
    def available(self) -> bool:
        """Stay available: a lost connection is this sensor's news, not its failure."""
        return True

    @property
    def is_on(self) -> bool:
        """Report the last poll's result."""
        return self.coordinator.last_update_success
