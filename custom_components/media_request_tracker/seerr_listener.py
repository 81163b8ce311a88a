"""Jellyseerr's notifications, read from Home Assistant's own Seerr integration.

When Jellyseerr's single webhook slot sends to that integration, its event
entity shows each notification as a new state. Each new one is rebuilt into
the body our webhook would have received and goes the same way: the
Jellyseerr parser, then the hub. A state that is not a new notification is
skipped: the entity appearing with its restored last event (at start-up or
when that integration loads), or coming back from ``unavailable`` with the
same event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event

from .const import DOMAIN, LOGGER
from .core.parsers import PayloadError, parse_jellyseerr
from .core.parsers.seerr_entity import jellyseerr_body
from .hub import RequestHub
from .runtime_data import MediaRequestTrackerConfigEntry


class SeerrEntityListener:
    """Feeds the Seerr integration's event entity into the tracker."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        hub: RequestHub,
        entity_id: str,
    ) -> None:
        """Listen to one event entity for one entry."""
        self._hass = hass
        self._entry = entry
        self._hub = hub
        self.entity_id = entity_id
        self._last: tuple[str, Mapping[str, Any]] | None = None

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Follow the entity from its present state on; return the unsubscribe."""
        self._last = _seen(self._hass.states.get(self.entity_id))
        return async_track_state_change_event(
            self._hass, [self.entity_id], self._async_changed
        )

    @callback
    def _async_changed(self, event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        seen = _seen(new_state)
        if seen is None or seen == self._last:
            return
        self._last = seen
        if event.data["old_state"] is None or new_state is None:
            return  # appeared with its restored last event: not a new one
        self._entry.async_create_background_task(
            self._hass,
            self._async_apply(new_state.attributes),
            f"{DOMAIN}_seerr_notification",
        )

    async def _async_apply(self, attributes: Mapping[str, Any]) -> None:
        try:
            event = parse_jellyseerr(jellyseerr_body(attributes))
        except PayloadError as err:
            LOGGER.warning(
                "Ignored a Jellyseerr notification from %s: %s", self.entity_id, err
            )
            return
        outcome = await self._hub.async_handle(event)
        if outcome.ignored:
            LOGGER.debug(
                "Ignored a Jellyseerr notification from %s: %s",
                self.entity_id,
                outcome.ignored,
            )


def _seen(state: State | None) -> tuple[str, Mapping[str, Any]] | None:
    """Return what identifies one notification: the time of the event and what it says."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    return state.state, state.attributes
