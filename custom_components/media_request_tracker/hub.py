"""The bridge between the pure tracker and Home Assistant.

Every event goes through ``async_handle``: the tracker decides, the change
is made durable, the sender is answered, and then entities and automations
are told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .clients.jellyfin import JellyfinClient, JellyfinError
from .const import (
    DOMAIN,
    EVENT_STATE_CHANGED,
    LOGGER,
    signal_request_added,
    signal_requests_updated,
    signal_summary_updated,
)
from .core.events import LibraryItemEvent, TrackerEvent
from .core.library import read_item
from .core.model import MediaRequest, Stage
from .core.tracker import Outcome, Rejection, RequestTracker, StuckRequest
from .models import MediaRequestTrackerConfigEntry
from .store import RequestStore, StorageError

type HubListener = Callable[[Outcome, TrackerEvent | None], None]


class RequestHub:
    """Owns the tracker, its store and the Jellyfin client of one entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        tracker: RequestTracker,
        store: RequestStore,
        jellyfin: JellyfinClient,
    ) -> None:
        """Wire the parts together; nothing runs until events arrive."""
        self.hass = hass
        self.entry = entry
        self.tracker = tracker
        self.store = store
        self.jellyfin = jellyfin
        # One read-only description shared by every entity: there can be thousands.
        self.device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer="Media Request Tracker",
            model="Media request pipeline",
            entry_type=DeviceEntryType.SERVICE,
        )
        self._warned: set[tuple[str, str]] = set()
        self._listeners: list[HubListener] = []
        self._jellyfin_failing = False
        self._stuck: dict[str, StuckRequest] = {}
        self._storage_failing = False
        self._stuck_checked = False
        self._refused = 0

    def unique_id(self, request_id: str) -> str:
        """Entity unique id of a request, fixed by the public interface."""
        return f"{self.entry.entry_id}_{request_id}"

    def entity_id(self, request_id: str) -> str | None:
        """Entity id of a request's sensor, if it is registered."""
        return er.async_get(self.hass).async_get_entity_id(
            Platform.SENSOR, DOMAIN, self.unique_id(request_id)
        )

    async def async_handle(
        self, event: TrackerEvent, *, strict: bool = False
    ) -> Outcome:
        """Apply one event; return once its effect is durable.

        ``strict`` is for webhooks: a failed write raises ``StorageError`` (a
        webhook must not answer 2xx then), and entities follow the answer;
        otherwise a failure is logged and retried by the next write.
        """
        if isinstance(event, LibraryItemEvent):
            if (
                event.server_id
                and self.entry.unique_id
                and event.server_id != self.entry.unique_id
            ):
                outcome = Outcome()
                outcome.ignored = "item from another Jellyfin server"
                return outcome
            if self.tracker.needs_series_lookup(event):
                event = await self._with_series_ids(event)
        outcome = self.tracker.apply(event, dt_util.utcnow())
        await self.async_commit(outcome, event, strict=strict)
        return outcome

    async def async_commit(
        self,
        outcome: Outcome,
        event: TrackerEvent | None = None,
        *,
        strict: bool = False,
    ) -> None:
        """Persist, then show and announce what an outcome changed.

        For a webhook (``strict``) a failed write raises ``StorageError``, and
        the entities and automations are told in the loop's next turn, right
        after the answer has gone out, so the sender never waits for state
        writes. Other callers (actions, polls) find the state already shown
        when this returns. Download figures alone are shown but not written
        to disk: the next poll brings them back after a restart.
        """
        if outcome.refused is not None:
            self._report_limit(outcome.refused)
        failure: StorageError | None = None
        if outcome.is_change:
            for request in outcome.changed.values():
                self.store.update(request)
            failure = await self._async_flush()
        if outcome.is_visible:
            if strict:
                self.hass.loop.call_soon(self._publish_and_announce, outcome)
            else:
                self._publish_and_announce(outcome)
        for listener in list(self._listeners):
            listener(outcome, event)
        if failure is not None and strict:
            raise failure

    @callback
    def _publish_and_announce(self, outcome: Outcome) -> None:
        self._publish(outcome)
        self._announce(outcome)

    async def async_persist(self) -> None:
        """Write pending changes (after removals); a failure is logged, not raised."""
        await self._async_flush()

    async def _async_flush(self) -> StorageError | None:
        """Write pending changes; report, then return, the failure if any."""
        failure: StorageError | None = None
        try:
            await self.store.async_flush()
        except StorageError as err:
            failure = err
        self._report_storage(failure)
        return failure

    def _report_storage(self, failure: StorageError | None) -> None:
        """Log once when writes start failing and once when they work again."""
        if failure is not None and not self._storage_failing:
            LOGGER.error(
                "Cannot store request changes: %s; they stay in memory and are "
                "written with the next change",
                failure,
            )
        elif failure is None and self._storage_failing:
            LOGGER.info("Request changes are stored again")
        self._storage_failing = failure is not None

    @callback
    def async_add_listener(self, listener: HubListener) -> Callable[[], None]:
        """Call ``listener`` after every outcome, with its event; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def async_mark_available(self, request_id: str, detail: str) -> bool:
        """Apply a user's override; False when there is no such request."""
        outcome = self.tracker.mark_available(request_id, dt_util.utcnow(), detail)
        await self.async_commit(outcome)
        return bool(outcome.transitions)

    @callback
    def async_check_stuck(self, now: datetime | None = None) -> None:
        """Raise a repair issue for each request past its stage's threshold."""
        now = now or dt_util.utcnow()
        stuck = {found.request_id: found for found in self.tracker.stuck(now)}
        if not self._stuck_checked:
            # Issues raised before a restart or reload that no longer hold.
            self._stuck_checked = True
            prefix = self._repair_id("", "stuck")
            for domain, issue_id in list(ir.async_get(self.hass).issues):
                if domain == DOMAIN and issue_id.startswith(prefix):
                    if issue_id.removeprefix(prefix) not in stuck:
                        ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        for request_id in set(self._stuck) - set(stuck):
            self._clear_stuck(request_id)
        for request_id, found in stuck.items():
            if self._stuck.get(request_id) == found:
                continue
            request = self.tracker.get(request_id)
            assert request is not None
            self._stuck[request_id] = found
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self._repair_id(request_id, "stuck"),
                is_fixable=True,
                severity=ir.IssueSeverity.WARNING,
                translation_key=f"stuck_{found.reason.value}",
                translation_placeholders=self.stuck_placeholders(request, found),
                data={"entry_id": self.entry.entry_id, "request_id": request_id},
            )

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
    def _clear_stuck(self, request_id: str) -> None:
        if self._stuck.pop(request_id, None) is not None:
            ir.async_delete_issue(
                self.hass, DOMAIN, self._repair_id(request_id, "stuck")
            )

    @callback
    def _report_limit(self, title: str) -> None:
        """Say that a request was not tracked: once in the log, always in Repairs."""
        limit = self.tracker.options.request_limit
        if not self._refused:
            LOGGER.warning(
                "Not tracking new requests: this entry already tracks %d; remove "
                "finished requests or shorten their retention",
                limit,
            )
        self._refused += 1
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self._repair_id("", "request_limit"),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="request_limit_reached",
            translation_placeholders={
                "limit": str(limit),
                "refused": str(self._refused),
                "title": title,
            },
        )

    def remove_request(self, request_id: str) -> bool:
        """Stop tracking a request and remove its entity."""
        if self.tracker.remove(request_id) is None:
            return False
        self.store.delete(request_id)
        self._clear_stuck(request_id)
        ir.async_delete_issue(
            self.hass, DOMAIN, self._repair_id(request_id, "download_problem")
        )
        if entity_id := self.entity_id(request_id):
            er.async_get(self.hass).async_remove(entity_id)
        if self._refused and len(self.tracker) < self.tracker.options.request_limit:
            self._refused = 0
            ir.async_delete_issue(
                self.hass, DOMAIN, self._repair_id("", "request_limit")
            )
        async_dispatcher_send(self.hass, signal_summary_updated(self.entry.entry_id))
        return True

    async def async_purge_expired(self, now: datetime, retention: timedelta) -> int:
        """Drop terminal requests older than the retention period."""
        expired = self.tracker.expired(now - retention)
        for request_id in expired:
            self.remove_request(request_id)
        if expired:
            await self.async_persist()
        return len(expired)

    @callback
    def _publish(self, outcome: Outcome) -> None:
        entry_id = self.entry.entry_id
        for request in outcome.changed.values():
            self._sync_repair(request)
        updated: list[str] = []
        for request_id, request in (outcome.refreshed | outcome.changed).items():
            if (raised := self._stuck.get(request_id)) is not None and (
                raised.stage is not request.stage
                or (request.stage is Stage.DOWNLOADING and not request.download.stalled)
            ):
                # It moved: the issue goes at once, not at the next scan.
                self._clear_stuck(request_id)
            if request_id in outcome.created:
                self._register_entity(request)
                async_dispatcher_send(
                    self.hass, signal_request_added(entry_id), request
                )
            else:
                updated.append(request_id)
        if updated:
            async_dispatcher_send(self.hass, signal_requests_updated(entry_id), updated)
        async_dispatcher_send(self.hass, signal_summary_updated(entry_id))
        for rejection in outcome.rejections:
            self._warn_once(rejection)

    @callback
    def _announce(self, outcome: Outcome) -> None:
        for transition in outcome.transitions:
            request = self.tracker.get(transition.request_id)
            if request is None:
                continue
            self.hass.bus.async_fire(
                EVENT_STATE_CHANGED,
                {
                    "entry_id": self.entry.entry_id,
                    "request_id": request.request_id,
                    "entity_id": self.entity_id(request.request_id),
                    "title": request.title,
                    "media_type": request.media_type.value,
                    "from_state": transition.from_stage.value
                    if transition.from_stage
                    else None,
                    "to_state": transition.to_stage.value,
                    "source": transition.source.value,
                },
            )

    @callback
    def _register_entity(self, request: MediaRequest) -> None:
        """Reserve the entity id now, so the first event can already name it."""
        er.async_get(self.hass).async_get_or_create(
            Platform.SENSOR,
            DOMAIN,
            self.unique_id(request.request_id),
            suggested_object_id=f"{self.entry.title} {request.display_name}",
            config_entry=self.entry,
        )

    def _repair_id(self, request_id: str, kind: str) -> str:
        return f"{kind}_{self.entry.entry_id}_{request_id}"

    @callback
    def _sync_repair(self, request: MediaRequest) -> None:
        """Raise a repair issue for a broken download, and drop it once the request moves on."""
        issue_id = self._repair_id(request.request_id, "download_problem")
        if request.download_problem is None or request.stage not in (
            Stage.INDEXED,
            Stage.DOWNLOADING,
        ):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="download_removed"
            if request.download_problem == "removed"
            else "download_broken",
            translation_placeholders={
                "title": request.display_name,
                "state": request.download_problem,
            },
        )

    def _warn_once(self, rejection: Rejection) -> None:
        key = (rejection.request_id, rejection.proposed.value)
        if key in self._warned:
            return
        self._warned.add(key)
        LOGGER.warning(
            "Ignored %s for request %s: %s (recorded in its timeline)",
            rejection.source.value,
            rejection.request_id,
            rejection.reason,
        )

    async def _with_series_ids(self, event: LibraryItemEvent) -> LibraryItemEvent:
        """Look the episode's series up once, to learn its TVDB and TMDB ids."""
        assert event.series_id is not None
        try:
            items = await self.jellyfin.async_get_items([event.series_id])
        except JellyfinError as err:
            if not self._jellyfin_failing:
                LOGGER.warning("Cannot look up a series in Jellyfin: %s", err)
            self._jellyfin_failing = True
            return event
        if self._jellyfin_failing:
            LOGGER.info("Jellyfin answers again")
        self._jellyfin_failing = False
        series = read_item(items[0]) if items else None
        return replace(event, series_ids=series.ids) if series is not None else event
