"""Connection sensors for the services we poll."""

from __future__ import annotations

from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import (
    CoordinatorEntity,
    DataUpdateCoordinator,
)

from .const import DOMAIN, signal_connection_changed
from .entity import MediaRequestTrackerEntity
from .queue_coordinator import ArrQueueCoordinator
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
    for queue in data.queues:
        # Each instance's own, on a device of its own under its subentry.
        async_add_entities(
            [InstanceConnectionSensor(entry, queue)],
            config_subentry_id=queue.instance,
        )


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


class InstanceConnectionSensor(ConnectionSensor):
    """Whether the last poll of a Radarr's or Sonarr's queue worked.

    The queue is polled only while the instance has a download to follow;
    in between, the sensor keeps the last poll's result.
    """

    def __init__(
        self, entry: MediaRequestTrackerConfigEntry, queue: ArrQueueCoordinator
    ) -> None:
        """Follow one instance's queue poller."""
        super().__init__(entry, queue, "arr")
        self._attr_unique_id = f"{entry.entry_id}_{queue.instance}_connection"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{queue.instance}")},
            name=queue.name,
            manufacturer=queue.source.title(),
            entry_type=DeviceEntryType.SERVICE,
            # No via_device: Home Assistant 2026.11 replaces it with a device id.
        )


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
