"""The entry's requests, as Home Assistant sees them.

Every change goes the same way: the tracker decides, the change is made
durable, the sender is answered, and then entities and automations are told.
Everything else in the shell reads requests through the hub and hands it
what it learns; only the hub holds the tracker.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .const import (
    DOMAIN,
    EVENT_STATE_CHANGED,
    LOGGER,
    signal_request_added,
    signal_requests_updated,
    signal_summary_updated,
)
from .core.events import LibraryItemEvent, RequestEvent, TrackerEvent
from .core.jellyseerr_events import Novelty
from .core.library import LibraryIndex
from .core.model import MediaRequest, Source, Stage
from .core.outcome import Outcome, Rejection
from .core.queue import ArrQueue
from .core.stuck import StuckRequest
from .core.torrents import TorrentTable
from .core.tracker import RequestTracker
from .failure_log import FailureLog
from .store import RequestStore, StorageError

type HubListener = Callable[[Outcome, TrackerEvent | None], None]


class RequestHub:
    """Owns the tracker and the store of one entry, and tells the rest."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        tracker: RequestTracker,
        store: RequestStore,
    ) -> None:
        """Wire the parts together; nothing runs until events arrive."""
        self.hass = hass
        self.entry = entry
        self._tracker = tracker
        self.store = store
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
        self._storage = FailureLog(
            "Cannot store request changes: %s; they stay in memory and are "
            "written with the next change",
            "Request changes are stored again",
        )

    # What others read -------------------------------------------------------

    def request(self, request_id: str) -> MediaRequest | None:
        """Return one tracked request."""
        return self._tracker.get(request_id)

    def requests(self) -> Iterator[MediaRequest]:
        """Iterate over every tracked request, oldest first."""
        return iter(self._tracker)

    def __len__(self) -> int:
        """Count tracked requests."""
        return len(self._tracker)

    @property
    def request_limit(self) -> int:
        """The most requests this entry tracks."""
        return self._tracker.options.request_limit

    def stage_counts(self) -> dict[Stage, int]:
        """How many requests are in each stage."""
        return self._tracker.stage_counts()

    def follows_downloads(self) -> bool:
        """Whether some request waits on a download client."""
        return bool(self._tracker.downloads_to_follow())

    def follows_queue(self, instance: str) -> bool:
        """Whether a request grabbed by this *arr instance waits on its queue."""
        return self._tracker.follows_queue(instance)

    def awaiting_library(self) -> list[MediaRequest]:
        """Return the requests a look at the library could move on or complete."""
        return self._tracker.awaiting_library(dt_util.utcnow())

    def needs_series_lookup(self, event: LibraryItemEvent) -> bool:
        """Whether a Jellyfin episode names a series no request knows yet."""
        return self._tracker.needs_series_lookup(event)

    def jellyseerr_novelty(self, event: RequestEvent) -> Novelty:
        """Whether a request read from Jellyseerr's list is new, changed or already applied."""
        return self._tracker.novelty(event)

    def awaiting_approval(self) -> list[str]:
        """Jellyseerr ids of the requests still waiting for approval."""
        return self._tracker.awaiting_approval()

    def stuck(self, now: datetime) -> list[StuckRequest]:
        """Return the requests past their stage's threshold."""
        return self._tracker.stuck(now)

    def stuck_for(self, request: MediaRequest, now: datetime) -> StuckRequest | None:
        """Return whether one request is stuck, by the same rule as ``stuck``."""
        return self._tracker.stuck_for(request, now)

    def unique_id(self, request_id: str) -> str:
        """Entity unique id of a request, fixed by the public interface."""
        return f"{self.entry.entry_id}_{request_id}"

    def entity_id(self, request_id: str) -> str | None:
        """Entity id of a request's sensor, if it is registered."""
        return er.async_get(self.hass).async_get_entity_id(
            Platform.SENSOR, DOMAIN, self.unique_id(request_id)
        )

    @callback
    def async_add_listener(self, listener: HubListener) -> Callable[[], None]:
        """Call ``listener`` after every outcome, with its event; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # What others hand in ----------------------------------------------------

    async def async_handle(
        self, event: TrackerEvent, *, strict: bool = False
    ) -> Outcome:
        """Apply one event; return once its effect is durable.

        ``strict`` is for webhooks: a failed write raises ``StorageError`` (a
        webhook must not answer 2xx then), and entities follow the answer;
        otherwise a failure is logged and retried by the next write.
        """
        outcome = self._tracker.apply(event, dt_util.utcnow())
        await self._async_commit(outcome, event, strict=strict)
        return outcome

    async def async_follow_downloads(self, torrents: TorrentTable) -> None:
        """Apply what the download client reports."""
        await self._async_commit(
            self._tracker.update_downloads(torrents, dt_util.utcnow())
        )

    async def async_follow_queue(
        self,
        instance: str,
        source: Source,
        queue: ArrQueue,
        live_downloads: Container[str],
    ) -> None:
        """Apply what an *arr instance's queue reports."""
        await self._async_commit(
            self._tracker.update_queue(
                instance,
                source,
                queue,
                dt_util.utcnow(),
                skip_figures=live_downloads,
            )
        )

    async def async_verify_library(self, library: LibraryIndex) -> Outcome:
        """Move on every request the Jellyfin library shows."""
        outcome = self._tracker.verify_library(library, dt_util.utcnow())
        await self._async_commit(outcome)
        return outcome

    async def async_mark_available(self, request_id: str, detail: str) -> bool:
        """Apply a user's override; False when there is no such request."""
        outcome = self._tracker.mark_available(request_id, dt_util.utcnow(), detail)
        await self._async_commit(outcome)
        return outcome.moved

    async def async_note(self, request_id: str, detail: str) -> None:
        """Record a user's action in a request's timeline (``source: user``)."""
        await self._async_commit(
            self._tracker.note(request_id, dt_util.utcnow(), detail)
        )

    @callback
    def remove_request(self, request_id: str) -> bool:
        """Stop tracking a request and remove its entity; ``async_persist`` writes it."""
        if self._tracker.remove(request_id) is None:
            return False
        self.store.delete(request_id)
        if entity_id := self.entity_id(request_id):
            er.async_get(self.hass).async_remove(entity_id)
        async_dispatcher_send(self.hass, signal_summary_updated(self.entry.entry_id))
        self._tell(Outcome(removed=[request_id]), None)
        return True

    async def async_purge_expired(self, now: datetime, retention: timedelta) -> int:
        """Drop terminal requests older than the retention period."""
        expired = self._tracker.expired(now - retention)
        for request_id in expired:
            self.remove_request(request_id)
        if expired:
            await self.async_persist()
        return len(expired)

    async def async_persist(self) -> None:
        """Write pending changes (after removals); a failure is logged, not raised."""
        await self._async_flush()

    # The way every change goes ------------------------------------------------

    async def _async_commit(
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
        failure: StorageError | None = None
        if outcome.is_change:
            for request in outcome.changed.values():
                self.store.update(request)
            failure = await self._async_flush()
        if outcome.is_visible:
            if strict:
                self.hass.loop.call_soon(self._publish, outcome)
            else:
                self._publish(outcome)
        self._tell(outcome, event)
        if failure is not None and strict:
            raise failure

    def _tell(self, outcome: Outcome, event: TrackerEvent | None) -> None:
        for listener in list(self._listeners):
            listener(outcome, event)

    async def _async_flush(self) -> StorageError | None:
        """Write pending changes; report, then return, the failure if any."""
        failure: StorageError | None = None
        try:
            await self.store.async_flush()
        except StorageError as err:
            failure = err
        self._storage.report(failure)
        return failure

    @callback
    def _publish(self, outcome: Outcome) -> None:
        """Show the changed requests, then fire an event for each move."""
        entry_id = self.entry.entry_id
        updated: list[str] = []
        for request_id, request in outcome.shown.items():
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
        for transition in outcome.transitions:
            if (moved := self._tracker.get(transition.request_id)) is None:
                continue
            self.hass.bus.async_fire(
                EVENT_STATE_CHANGED,
                {
                    "entry_id": entry_id,
                    "request_id": moved.request_id,
                    "entity_id": self.entity_id(moved.request_id),
                    "title": moved.title,
                    "media_type": moved.media_type.value,
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
