"""Fix flows for stuck requests: look again now, or mark available by hand."""

from __future__ import annotations

from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
import voluptuous as vol

from .core.model import MediaRequest
from .runtime_data import MediaRequestTrackerConfigEntry

# What a step returns: HA 2026.11 types it as RepairsFlowResult (a FlowResult
# with a RepairsFlowContext), 2026.2 and older as FlowResult[FlowContext, str];
# each is assignable to this, neither to the other.
type StepResult = FlowResult[Any, str]


class StuckRequestFlow(RepairsFlow):
    """Offer the two ways out of a stuck request: recheck, or mark available."""

    def __init__(
        self, entry: MediaRequestTrackerConfigEntry | None, request_id: str
    ) -> None:
        """Remember which request the issue is about."""
        self._entry = entry
        self._request_id = request_id

    def _request(self) -> tuple[MediaRequestTrackerConfigEntry, MediaRequest] | None:
        if self._entry is None or self._entry.state is not ConfigEntryState.LOADED:
            return None
        request = self._entry.runtime_data.hub.request(self._request_id)
        return (self._entry, request) if request is not None else None

    def _gone(self) -> StepResult:
        if self._entry is None or self._entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        return self.async_abort(reason="request_gone")

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Let the user choose."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        issues = entry.runtime_data.issues
        if (stuck := issues.stuck(self._request_id)) is None:
            return self.async_abort(reason="no_longer_stuck")
        return self.async_show_menu(
            step_id="init",
            menu_options=["recheck", "mark_available"],
            description_placeholders=issues.stuck_placeholders(request, stuck),
        )

    async def async_step_recheck(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Ask Jellyfin (and qBittorrent) now; done if the request moved on."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        data = entry.runtime_data
        await data.verifier.async_refresh()
        if data.qbittorrent is not None:
            await data.qbittorrent.async_refresh()
        data.issues.async_check_stuck()
        if data.issues.stuck(self._request_id) is not None:
            return self.async_abort(
                reason="still_stuck",
                description_placeholders={
                    "title": request.display_name,
                    "stage": request.stage.value,
                },
            )
        return self.async_create_entry(data={})

    async def async_step_mark_available(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Confirm, then mark the request available by hand."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        if user_input is not None:
            await entry.runtime_data.hub.async_mark_available(
                self._request_id, "marked available from the repair issue"
            )
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="mark_available",
            data_schema=vol.Schema({}),
            description_placeholders={"title": request.display_name},
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the flow for one of our fixable issues."""
    data = data or {}
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    return StuckRequestFlow(entry, str(data.get("request_id")))
