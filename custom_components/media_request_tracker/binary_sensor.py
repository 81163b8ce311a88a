"""Connection sensors for the services we poll."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .const import signal_connection_changed
from .entity import MediaRequestTrackerEntity
from .runtime_data import MediaRequestTrackerConfigEntry
from .shoko_listener import ShokoListener

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connection sensor for each service that is set up."""
    data = entry.runtime_data
    sensors: list[BinarySensorEntity] = [
        ConnectionSensor(entry, data.verifier, "jellyfin")
    ]
    if data.qbittorrent is not None:
        sensors.append(ConnectionSensor(entry, data.qbittorrent, "qbittorrent"))
    if data.shoko is not None:
        sensors.append(ShokoConnectionSensor(entry, data.shoko))
    async_add_entities(sensors)


class ConnectionSensor(
    MediaRequestTrackerEntity,
    CoordinatorEntity[DataUpdateCoordinator[Any]],
    BinarySensorEntity,
):
    """Whether the last poll of a service worked; off says why nothing moves."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self,
        entry: MediaRequestTrackerConfigEntry,
        coordinator: DataUpdateCoordinator[Any],
        service: str,
    ) -> None:
        """Follow one service's coordinator."""
        MediaRequestTrackerEntity.__init__(self, entry)
        CoordinatorEntity.__init__(self, coordinator)
        self._attr_translation_key = f"{service}_connection"
        self._attr_unique_id = f"{entry.entry_id}_{service}_connection"

    @property
    def available(self) -> bool:
        """Stay available: a lost connection is this sensor's news, not its failure."""
        return True

    @property
    def is_on(self) -> bool:
        """Report the last poll's result."""
        return self.coordinator.last_update_success


class ShokoConnectionSensor(MediaRequestTrackerEntity, BinarySensorEntity):
    """Whether the SignalR connection to Shoko Server is up."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "shoko_connection"

    def __init__(
        self, entry: MediaRequestTrackerConfigEntry, listener: ShokoListener
    ) -> None:
        """Follow the listener."""
        super().__init__(entry)
        self._listener = listener
        self._attr_unique_id = f"{entry.entry_id}_shoko_connection"

    async def async_added_to_hass(self) -> None:
        """Update when the connection comes or goes."""
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_connection_changed(self._entry.entry_id, "shoko"),
                self.async_write_ha_state,
            )
        )

    @property
    def is_on(self) -> bool:
        """Report the connection."""
        return self._listener.connected
