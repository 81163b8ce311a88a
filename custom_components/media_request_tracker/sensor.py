"""Sensors: one per tracked request, plus a summary of active requests."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .attributes import request_attributes
from .const import signal_request_added, signal_requests_updated, signal_summary_updated
from .core.model import MediaRequest, Stage
from .entity import MediaRequestTrackerEntity
from .hub import RequestHub
from .runtime_data import MediaRequestTrackerConfigEntry

PARALLEL_UPDATES = 0

STAGE_OPTIONS = [stage.value for stage in Stage]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the summary, every stored request, and each new request as it appears."""
    hub = entry.runtime_data.hub
    # The request sensors in Home Assistant, by request id.
    shown: dict[str, RequestSensor] = {}
    async_add_entities(
        [
            ActiveRequestsSensor(entry, hub),
            *(RequestSensor(entry, hub, request, shown) for request in hub.requests()),
        ]
    )

    @callback
    def add_request(request: MediaRequest) -> None:
        async_add_entities([RequestSensor(entry, hub, request, shown)])

    @callback
    def update_requests(request_ids: list[str]) -> None:
        for request_id in request_ids:
            if (sensor := shown.get(request_id)) is not None:
                sensor.async_show_changes()

    entry.async_on_unload(
        async_dispatcher_connect(
            hass, signal_request_added(entry.entry_id), add_request
        )
    )
    entry.async_on_unload(
        async_dispatcher_connect(
            hass, signal_requests_updated(entry.entry_id), update_requests
        )
    )


class RequestSensor(MediaRequestTrackerEntity, SensorEntity):
    """The stage of one request; its attributes tell the rest."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = STAGE_OPTIONS
    _attr_translation_key = "request"
    # The timeline grows with every step; the recorder needs none of it.
    _unrecorded_attributes = frozenset({"timeline"})

    def __init__(
        self,
        entry: MediaRequestTrackerConfigEntry,
        hub: RequestHub,
        request: MediaRequest,
        shown: dict[str, RequestSensor],
    ) -> None:
        """Follow one request."""
        super().__init__(entry)
        self._hub = hub
        self._request = request
        self._shown = shown
        self._attr_unique_id = hub.unique_id(request.request_id)
        self._refresh()

    async def async_added_to_hass(self) -> None:
        """Be found by the platform when this request changes."""
        self._shown[self._request.request_id] = self

    async def async_will_remove_from_hass(self) -> None:
        """Stop being written once removed."""
        self._shown.pop(self._request.request_id, None)

    @callback
    def async_show_changes(self) -> None:
        """Write the state of the request as the tracker now has it."""
        if (request := self._hub.request(self._request.request_id)) is None:
            return
        self._request = request
        self._refresh()
        self.async_write_ha_state()

    def _refresh(self) -> None:
        request = self._request
        self._attr_name = request.display_name
        self._attr_native_value = request.stage.value
        self._attr_entity_picture = request.poster_url

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Build the attributes when the state is written, and keep no copy.

        With thousands of requests a stored copy per entity, timeline
        included, would double what the state machine already holds. Unknown
        values are left out (the interface allows absent or null): a finished
        film has no progress, speed, ETA or episodes, and every key costs
        memory in each state Home Assistant holds.
        """
        return {
            key: value
            for key, value in request_attributes(
                self._request, self._entry.runtime_data.instance_names
            ).items()
            if value is not None
        }


class ActiveRequestsSensor(MediaRequestTrackerEntity, SensorEntity):
    """How many requests are still on their way, and where."""

    _attr_translation_key = "active_requests"
    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: MediaRequestTrackerConfigEntry, hub: RequestHub) -> None:
        """Summarise one entry's requests."""
        super().__init__(entry)
        self._hub = hub
        self._attr_unique_id = f"{entry.entry_id}_active_requests"
        self._refresh()

    async def async_added_to_hass(self) -> None:
        """Recount whenever any request changes."""
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_summary_updated(self._entry.entry_id),
                self._handle_update,
            )
        )

    @callback
    def _handle_update(self) -> None:
        self._refresh()
        self.async_write_ha_state()

    def _refresh(self) -> None:
        counts = self._hub.stage_counts()
        self._attr_native_value = sum(
            n for stage, n in counts.items() if not stage.is_terminal
        )
        self._attr_extra_state_attributes = {
            stage.value: count for stage, count in counts.items()
        }
