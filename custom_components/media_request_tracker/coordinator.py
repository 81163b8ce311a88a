"""Polls qBittorrent while, and only while, some request waits on a download."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .clients.http import ServiceAuthError, ServiceError
from .clients.jellyfin import JellyfinClient
from .clients.qbittorrent import QBittorrentClient
from .const import DOMAIN, LOGGER
from .core.events import (
    ImportEvent,
    LibraryItemEvent,
    ShokoFileAction,
    ShokoFileEvent,
    TrackerEvent,
)
from .core.library import ITEM_FIELDS, ITEM_TYPES, LibraryIndex
from .core.outcome import Outcome
from .core.torrents import TorrentTable
from .hub import RequestHub


class _TrackingCoordinator(DataUpdateCoordinator[None]):
    """A poller that feeds what it learns into the entry's request hub."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        hub: RequestHub,
        name: str,
        interval: timedelta | None,
    ) -> None:
        """Poll every ``interval``; None polls only when asked."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=name,
            update_interval=interval,
            always_update=False,
        )
        self._hub = hub


class WakingCoordinator(_TrackingCoordinator):
    """Polls while, and only while, the hub follows something this poller feeds.

    It starts idle; ``async_wake`` (a hub listener) sets the interval and asks
    for a refresh in the background, and a poll that finds nothing more to
    follow clears the interval again, so an idle stack costs no calls.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        hub: RequestHub,
        name: str,
        interval: timedelta,
        wake_task: str,
    ) -> None:
        """Start idle; ``interval`` is the one a wake switches on."""
        super().__init__(hass, entry, hub, name, None)
        self._interval = interval
        self._wake_task = wake_task

    def _following(self) -> bool:
        """Whether the hub still follows anything this poller feeds."""
        raise NotImplementedError

    async def _async_poll(self) -> None:
        """One call to the service, fed into the hub."""
        raise NotImplementedError

    @callback
    def async_wake(
        self, outcome: Outcome | None = None, event: TrackerEvent | None = None
    ) -> None:
        """Start polling when a request begins to wait on a download.

        Only such a change (or none: set-up) can give an idle poller something
        to follow, so other webhooks skip the look at every request.
        """
        if outcome is not None and not outcome.awaits_download:
            return
        if self.update_interval is not None:
            return
        if not self._following():
            return
        self.update_interval = self._interval
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), self._wake_task
        )

    async def _async_update_data(self) -> None:
        if not self._following():
            self.update_interval = None
            return
        await self._async_poll()
        if not self._following():
            self.update_interval = None


class QBittorrentCoordinator(WakingCoordinator):
    """One incremental ``sync/maindata`` call per poll, whatever the torrent count.

    The interval is switched off when nothing is indexed or downloading, so an
    idle stack costs no calls at all; a grab switches it back on.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: QBittorrentClient,
        hub: RequestHub,
        interval: timedelta,
    ) -> None:
        """Start idle; ``async_wake`` starts polling."""
        super().__init__(
            hass,
            entry,
            hub,
            "qBittorrent",
            interval,
            "media_request_tracker_qbittorrent_wake",
        )
        self.client = client
        self.torrents = TorrentTable()

    @callback
    def _following(self) -> bool:
        return self._hub.follows_downloads()

    async def _async_poll(self) -> None:
        try:
            maindata = await self.client.async_sync_maindata(self.torrents.rid)
        except ServiceAuthError as err:
            self.torrents.reset()
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="qbittorrent_auth_failed"
            ) from err
        except ServiceError as err:
            self.torrents.reset()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="qbittorrent_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self.torrents.apply(maindata, dt_util.utcnow())
        await self._hub.async_follow_downloads(self.torrents)


# Items saved a little before the last look are asked for again, so a clock
# difference between Home Assistant and Jellyfin cannot hide one.
SYNC_OVERLAP = timedelta(minutes=5)
# Deleted items never show up in an incremental answer; a daily full pass drops them.
FULL_SYNC_EVERY = timedelta(hours=24)
PAGE_SIZE = 1000
# After an event-driven check, news waits this long, so a burst shares one more check.
CHECK_COOLDOWN = 0.5
# After an import or a Shoko match the item often appears seconds later with no
# Jellyfin webhook (Shokofin's items fire none), so the library is looked at
# again this many seconds after the news, one incremental call each time. The
# gaps grow to 9 s and stay there, so an item that appears meanwhile is
# available within 10 s, the look's own call included; the periodic check
# takes over at its interval.
FOLLOW_UP_AFTER: tuple[float, ...] = (2, 5, 10, 19, 28, 37, 46, 55)


class JellyfinVerifier(_TrackingCoordinator):
    """Checks waiting requests against a local index of the Jellyfin library.

    The library is paged through once; after that, a cycle is one call for the
    items saved since the last one, whatever the library size and however many
    requests wait. Imports, Jellyfin webhooks and Shoko matches trigger a
    cycle at once (debounced); imports and matches are followed up
    (``FOLLOW_UP_AFTER``) until their request is found; the interval is the
    safety net.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: JellyfinClient,
        hub: RequestHub,
        interval: timedelta,
    ) -> None:
        """Start with an empty index; the first cycle fills it."""
        super().__init__(hass, entry, hub, "Jellyfin library", interval)
        self.client = client
        self.library = LibraryIndex()
        self._synced_at: datetime | None = None
        self._full_sync_at: datetime | None = None
        self._lock = asyncio.Lock()
        # An event-driven check runs, then cools down; news meanwhile earns one more.
        self._check_again = False
        self._checking = False
        self._stopped = False
        self._cooling: CALLBACK_TYPE | None = None
        self._cooled_job = HassJob(
            self._async_cooled,
            "media_request_tracker_jellyfin_cooled",
            cancel_on_shutdown=True,
        )
        # Requests whose import or match is being followed up, and how far.
        self._followed: set[str] = set()
        self._follow_up_from = 0.0
        self._follow_up_step = 0
        self._cancel_follow_up: CALLBACK_TYPE | None = None
        self._follow_up_job = HassJob(
            self._async_follow_up,
            "media_request_tracker_jellyfin_follow_up",
            cancel_on_shutdown=True,
        )

    @callback
    def async_check_soon(
        self, outcome: Outcome | None = None, event: TrackerEvent | None = None
    ) -> None:
        """Look now when something says media may have arrived."""
        matched = (
            isinstance(event, ShokoFileEvent)
            and event.action is ShokoFileAction.MATCHED
        )
        arrived = (
            matched
            or isinstance(event, ImportEvent | LibraryItemEvent)
            or (outcome is not None and outcome.may_have_arrived)
        )
        if not arrived:
            return
        self._check_now()
        if outcome is not None and (matched or isinstance(event, ImportEvent)):
            self._follow_up(outcome.changed)

    @callback
    def _check_now(self) -> None:
        # One check now; news during it or its cool-down earns exactly one more.
        self._check_again = True
        if not (self._checking or self._cooling or self._stopped):
            self._start_check()

    @callback
    def _start_check(self) -> None:
        self._check_again = False
        self._checking = True
        self.config_entry.async_create_background_task(
            self.hass, self._async_run_check(), "media_request_tracker_jellyfin_check"
        )

    async def _async_run_check(self) -> None:
        try:
            await self.async_refresh()
        finally:
            self._checking = False
            if not self._stopped:
                self._cooling = async_call_later(
                    self.hass, CHECK_COOLDOWN, self._cooled_job
                )

    @callback
    def _async_cooled(self, _now: datetime) -> None:
        self._cooling = None
        if self._check_again:
            self._start_check()

    @callback
    def _follow_up(self, request_ids: Iterable[str]) -> None:
        """Look again at growing intervals, from the start, for these requests."""
        self._followed.update(request_ids)
        if not self._followed:
            return
        self._stop_follow_up()
        self._follow_up_from = self.hass.loop.time()
        self._follow_up_step = 0
        self._schedule_follow_up()

    @callback
    def _schedule_follow_up(self) -> None:
        step = self._follow_up_step
        interval = self.update_interval
        if step >= len(FOLLOW_UP_AFTER) or (
            interval is not None and FOLLOW_UP_AFTER[step] >= interval.total_seconds()
        ):
            self._followed.clear()  # the periodic check takes over
            return
        # Counted from the news, so a late-running loop does not push every later look back.
        delay = self._follow_up_from + FOLLOW_UP_AFTER[step] - self.hass.loop.time()
        self._cancel_follow_up = async_call_later(
            self.hass, max(delay, 0), self._follow_up_job
        )

    @callback
    def _async_follow_up(self, _now: datetime) -> None:
        self._cancel_follow_up = None
        waiting = self._hub.awaiting_library()
        self._followed &= {request.request_id for request in waiting}
        if not self._followed:
            return  # found: nothing more to look for
        self._check_now()
        self._follow_up_step += 1
        self._schedule_follow_up()

    @callback
    def _stop_follow_up(self) -> None:
        if self._cancel_follow_up is not None:
            self._cancel_follow_up()
            self._cancel_follow_up = None

    async def async_shutdown(self) -> None:
        """Stop following up and cooling down as well as polling."""
        self._stopped = True
        self._stop_follow_up()
        self._followed.clear()
        if self._cooling is not None:
            self._cooling()
            self._cooling = None
        await super().async_shutdown()

    async def _async_update_data(self) -> None:
        # The interval and the event-driven checks must not interleave.
        async with self._lock:
            await self._check()

    async def _check(self) -> None:
        if not self._hub.awaiting_library():
            return
        started = dt_util.utcnow()
        try:
            if (
                self._synced_at is None
                or self._full_sync_at is None
                or started - self._full_sync_at >= FULL_SYNC_EVERY
            ):
                self.library = LibraryIndex()
                await self._read_pages(None)
                self._full_sync_at = started
            else:
                await self._read_pages(
                    (self._synced_at - SYNC_OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
                )
        except ServiceAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="jellyfin_auth_failed"
            ) from err
        except ServiceError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="jellyfin_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self._synced_at = started
        await self._hub.async_verify_library(self.library)

    async def _read_pages(self, saved_since: str | None) -> None:
        start = 0
        while True:
            items, total = await self.client.async_get_library_page(
                start,
                PAGE_SIZE,
                fields=ITEM_FIELDS,
                item_types=ITEM_TYPES,
                saved_since=saved_since,
            )
            self.library.apply_items(items)
            start += len(items)
            if not items or start >= total:
                return
