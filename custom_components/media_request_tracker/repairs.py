"""Fix flows for repair issues: a request the library never showed can be marked available."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
import voluptuous as vol

from .models import MediaRequestTrackerConfigEntry


class MarkAvailableFlow(RepairsFlow):
    """Confirm, then mark the request available by hand."""

    def __init__(
        self, entry: MediaRequestTrackerConfigEntry | None, request_id: str
    ) -> None:
        """Remember which request the issue is about."""
        self._entry = entry
        self._request_id = request_id

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> FlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> FlowResult:
        """Ask, then mark available."""
        if self._entry is None or self._entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        hub = self._entry.runtime_data.hub
        if (request := hub.tracker.get(self._request_id)) is None:
            return self.async_abort(reason="request_gone")
        if user_input is not None:
            await hub.async_mark_available(
                self._request_id, "marked available from the repair issue"
            )
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"title": request.display_name},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the flow for one of our fixable issues."""
    data = data or {}
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    return MarkAvailableFlow(entry, str(data.get("request_id")))
