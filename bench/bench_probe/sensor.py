"""The baseline: N minimal sensor entities, each with a unique id (so a registry entry)."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add ``count`` sensors in one call, as an integration restoring its entities does."""
    if discovery_info is None:
        return
    async_add_entities(
        MinimalSensor(number) for number in range(discovery_info["count"])
    )


class MinimalSensor(SensorEntity):
    """A pushed sensor with a name, a unique id and a text state; nothing more."""

    _attr_should_poll = False

    def __init__(self, number: int) -> None:
        """Name and identify the sensor."""
        self._attr_unique_id = f"bench_probe_{number}"
        self._attr_name = f"Bench probe {number}"
        self._attr_native_value = "available"
