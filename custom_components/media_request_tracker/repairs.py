"""Fix flows for stuck requests and removed or failed downloads.

A stuck request: look again, search again, try another release, or mark it
available. A removed download: search again, or stop tracking the request.
A download the *arr reports failed: try another release, search again, or
stop tracking the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
from homeassistant.exceptions import ServiceValidationError
import voluptuous as vol

from .arr_actions import arr_target, async_blocklist_and_search, async_search
from .core.model import DOWNLOAD_STAGES, MediaRequest
from .issues import app_of
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
        options = ["recheck"]
        if _has_arr_item(entry, request):
            options.append("search")
            if request.stage in DOWNLOAD_STAGES:
                options.append("blocklist_and_search")
        return self.async_show_menu(
            step_id="init",
            menu_options=[*options, "mark_available"],
            description_placeholders=issues.stuck_placeholders(request, stuck),
        )

    async def async_step_search(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Ask the *arr that grabbed the request to search again."""
        return await self._async_arr_fix(async_search)

    async def async_step_blocklist_and_search(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Blocklist the release in the *arr, which then grabs another."""
        return await self._async_arr_fix(async_blocklist_and_search)

    async def _async_arr_fix(
        self, fix: Callable[[Any, str], Awaitable[None]]
    ) -> StepResult:
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        name = request.display_name
        try:
            await fix(arr_target(entry, self._request_id, name), name)
        except ServiceValidationError as err:
            return self.async_abort(
                reason="arr_failed",
                description_placeholders={"title": name, "error": str(err)},
            )
        return self.async_create_entry(data={})

    async def async_step_recheck(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Ask Jellyfin (and qBittorrent, and the queues) now; done if the request moved on."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        data = entry.runtime_data
        await data.verifier.async_refresh()
        if data.qbittorrent is not None:
            await data.qbittorrent.async_refresh()
        for queue in data.queues:
            if queue.update_interval is not None:  # it follows a request now
                await queue.async_refresh()
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

        async def mark(entry: MediaRequestTrackerConfigEntry) -> None:
            await entry.runtime_data.hub.async_mark_available(
                self._request_id, "marked available from the repair issue"
            )

        return await self._async_confirmed("mark_available", user_input, mark)

    async def _async_confirmed(
        self,
        step_id: str,
        user_input: dict[str, Any] | None,
        act: Callable[[MediaRequestTrackerConfigEntry], Awaitable[None]],
    ) -> StepResult:
        """Ask to confirm a step naming the request; act once confirmed."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        if user_input is not None:
            await act(entry)
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema({}),
            description_placeholders={"title": request.display_name},
        )


class RemovedDownloadFlow(StuckRequestFlow):
    """A download removed from the client: search again, or stop tracking the request."""

    # What the *arr is asked to do, when it has the request's item.
    arr_fixes: tuple[str, ...] = ("search",)

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Let the user choose."""
        if (found := self._request()) is None:
            return self._gone()
        entry, request = found
        options = list(self.arr_fixes) if _has_arr_item(entry, request) else []
        return self.async_show_menu(
            step_id="init",
            menu_options=[*options, "stop_tracking"],
            description_placeholders={
                "title": request.display_name,
                "app": app_of(entry, request),
            },
        )

    async def async_step_stop_tracking(
        self, user_input: dict[str, Any] | None = None
    ) -> StepResult:
        """Confirm, then stop tracking the request and remove its entity."""

        async def stop(entry: MediaRequestTrackerConfigEntry) -> None:
            hub = entry.runtime_data.hub
            if hub.remove_request(self._request_id):
                await hub.async_persist()

        return await self._async_confirmed("stop_tracking", user_input, stop)


class FailedDownloadFlow(RemovedDownloadFlow):
    """A download the *arr reports failed: another release first, as the app itself would."""

    arr_fixes = ("blocklist_and_search", "search")


def _has_arr_item(entry: MediaRequestTrackerConfigEntry, request: MediaRequest) -> bool:
    """Whether the *arr actions can act on the request."""
    try:
        arr_target(entry, request.request_id, request.display_name)
    except ServiceValidationError:
        return False
    return True


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the flow for one of our fixable issues."""
    data = data or {}
    entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
    if issue_id.startswith("download_problem_"):
        if data.get("problem") == "failed":
            return FailedDownloadFlow(entry, str(data.get("request_id")))
        return RemovedDownloadFlow(entry, str(data.get("request_id")))
    return StuckRequestFlow(entry, str(data.get("request_id")))
