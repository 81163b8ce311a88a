"""Repair issues about requests: stuck, a broken download, a blocked import, the limit.

It listens to the hub's outcomes, so an issue goes the moment its request
moves on, and scans for stuck requests once a minute. The fix flows in
``repairs.py`` read what it raised.
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .core.events import TrackerEvent
from .core.model import MediaRequest, MediaType, Stage
from .core.outcome import IMPORT_BLOCKED, Outcome
from .core.stuck import StuckRequest
from .hub import RequestHub
from .instances import instance_names

# Which repair a download problem raises; any other state is "broken".
_DOWNLOAD_PROBLEM_KEYS = {"removed": "download_removed", "failed": "download_failed"}
# Problems a fix flow offers a way out of: a removed download never comes back
# by itself, and a failed one stays failed when the app does not search again
# (its failed-download handling off, or no other release it takes).
_FIXABLE_PROBLEMS = frozenset(_DOWNLOAD_PROBLEM_KEYS)


def app_of(entry: ConfigEntry, request: MediaRequest) -> str:
    """Name the *arr that handles a request: the instance that grabbed it, else by its kind."""
    if request.arr is not None and (
        name := instance_names(entry).get(request.arr.instance)
    ):
        return name
    return "Radarr" if request.media_type is MediaType.MOVIE else "Sonarr"


class RequestIssues:
    """Raises and clears the repair issues of one entry's requests."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, hub: RequestHub
    ) -> None:
        """Start with nothing raised; ``async_check_stuck`` cleans up after a restart."""
        self._hass = hass
        self._entry = entry
        self._hub = hub
        self._stuck: dict[str, StuckRequest] = {}
        self._stuck_checked = False
        self._refused = 0

    def stuck(self, request_id: str) -> StuckRequest | None:
        """Return the stuck issue raised for a request, if any."""
        return self._stuck.get(request_id)

    @staticmethod
    def stuck_placeholders(
        request: MediaRequest, found: StuckRequest
    ) -> dict[str, str]:
        """Words the stuck issue and its fix flow show.

        A time rather than a duration: the issue is written once, and "6.0
        hours ago" would read the same a week later.
        """
        return {
            "title": request.display_name,
            "stage": found.stage.value,
            "since": dt_util.as_local(found.since).strftime("%Y-%m-%d %H:%M"),
        }

    @callback
    def async_check_stuck(self, now: datetime | None = None) -> None:
        """Raise a repair issue for each request past its stage's threshold."""
        now = now or dt_util.utcnow()
        stuck = {found.request_id: found for found in self._hub.stuck(now)}
        if not self._stuck_checked:
            # Issues raised before a restart or reload that no longer hold.
            self._stuck_checked = True
            prefix = self._issue_id("", "stuck")
            for domain, issue_id in list(ir.async_get(self._hass).issues):
                if domain == DOMAIN and issue_id.startswith(prefix):
                    if issue_id.removeprefix(prefix) not in stuck:
                        ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            # A blocked import raised before the restart; Home Assistant keeps
            # only persistent issues, and the queue may be read only later.
            for blocked in self._hub.requests():
                if blocked.import_status == IMPORT_BLOCKED:
                    self._raise_import_blocked(blocked)
        for request_id in set(self._stuck) - set(stuck):
            self._clear_stuck(request_id)
        for request_id, found in stuck.items():
            if self._stuck.get(request_id) == found:
                continue
            request = self._hub.request(request_id)
            assert request is not None
            self._stuck[request_id] = found
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                self._issue_id(request_id, "stuck"),
                is_fixable=True,
                severity=ir.IssueSeverity.WARNING,
                translation_key=f"stuck_{found.reason.value}",
                translation_placeholders=self.stuck_placeholders(request, found),
                data={"entry_id": self._entry.entry_id, "request_id": request_id},
            )

    @callback
    def async_on_outcome(self, outcome: Outcome, event: TrackerEvent | None) -> None:
        """Follow what an outcome changed: a hub listener."""
        if outcome.refused is not None:
            self._report_limit(outcome.refused)
        for request in outcome.changed.values():
            self._sync_download_problem(request)
        for request in outcome.blocked_imports.values():
            self._raise_import_blocked(request)
        for request_id in outcome.unblocked_imports:
            ir.async_delete_issue(
                self._hass, DOMAIN, self._issue_id(request_id, "import_blocked")
            )
        now = dt_util.utcnow()
        for request_id, request in outcome.shown.items():
            if (raised := self._stuck.get(request_id)) is not None and (
                (still := self._hub.stuck_for(request, now)) is None
                or still.stage is not raised.stage
            ):
                # It moved: the issue goes at once, not at the next scan.
                self._clear_stuck(request_id)
        for request_id in outcome.removed:
            self._clear_stuck(request_id)
            for kind in ("download_problem", "import_blocked"):
                ir.async_delete_issue(
                    self._hass, DOMAIN, self._issue_id(request_id, kind)
                )
        if (
            outcome.removed
            and self._refused
            and len(self._hub) < self._hub.request_limit
        ):
            self._refused = 0
            ir.async_delete_issue(
                self._hass, DOMAIN, self._issue_id("", "request_limit")
            )

    def _issue_id(self, request_id: str, kind: str) -> str:
        return f"{kind}_{self._entry.entry_id}_{request_id}"

    @callback
    def _clear_stuck(self, request_id: str) -> None:
        if self._stuck.pop(request_id, None) is not None:
            ir.async_delete_issue(
                self._hass, DOMAIN, self._issue_id(request_id, "stuck")
            )

    @callback
    def _sync_download_problem(self, request: MediaRequest) -> None:
        """Raise an issue for a broken download, and drop it once the request moves on."""
        issue_id = self._issue_id(request.request_id, "download_problem")
        if request.download_problem is None or request.stage not in (
            Stage.INDEXED,
            Stage.DOWNLOADING,
        ):
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        fixable = request.download_problem in _FIXABLE_PROBLEMS
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=fixable,
            data={
                "entry_id": self._entry.entry_id,
                "request_id": request.request_id,
                "problem": request.download_problem,
            }
            if fixable
            else None,
            severity=ir.IssueSeverity.WARNING,
            translation_key=_DOWNLOAD_PROBLEM_KEYS.get(
                request.download_problem, "download_broken"
            ),
            translation_placeholders={
                "title": request.display_name,
                "state": request.download_problem,
                "app": app_of(self._entry, request),
            },
        )

    @callback
    def _raise_import_blocked(self, request: MediaRequest) -> None:
        """Quote the *arr's reason while it cannot import a download."""
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id(request.request_id, "import_blocked"),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="import_blocked",
            translation_placeholders={
                "title": request.display_name,
                "app": app_of(self._entry, request),
                "message": request.import_message or "no reason given",
            },
        )

    @callback
    def _report_limit(self, title: str) -> None:
        """Say that a request was not tracked: once in the log, always in Repairs."""
        limit = self._hub.request_limit
        if not self._refused:
            LOGGER.warning(
                "Not tracking new requests: this entry already tracks %d; remove "
                "finished requests or shorten their retention",
                limit,
            )
        self._refused += 1
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id("", "request_limit"),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="request_limit_reached",
            translation_placeholders={
                "limit": str(limit),
                "refused": str(self._refused),
                "title": title,
            },
        )
