"""Polls qBittorrent while, and only while, some request waits on a download."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .clients.jellyfin import JellyfinAuthError, JellyfinClient, JellyfinError
from .clients.qbittorrent import (
    QBittorrentAuthError,
    QBittorrentClient,
    QBittorrentError,
)
from .const import DOMAIN, LOGGER
from .core.events import (
    ImportEvent,
    LibraryItemEvent,
    ShokoFileAction,
    ShokoFileEvent,
    TrackerEvent,
)
from .core.library import ITEM_FIELDS, ITEM_TYPES, LibraryIndex
from .core.model import Stage
from .core.torrents import TorrentTable
from .core.tracker import WAITING_STAGES, Outcome
from .hub import RequestHub
from .models import MediaRequestTrackerConfigEntry


class _TrackingCoordinator(DataUpdateCoordinator[None]):
    """A poller that feeds what it learns into the entry's request hub."""

    config_entry: MediaRequestTrackerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
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


class QBittorrentCoordinator(_TrackingCoordinator):
    """One incremental ``sync/maindata`` call per poll, whatever the torrent count.

    The interval is switched off when nothing is indexed or downloading, so an
    idle stack costs no calls at all; a grab switches it back on.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        client: QBittorrentClient,
        hub: RequestHub,
        interval: timedelta,
    ) -> None:
        """Start idle; ``async_wake`` starts polling."""
        super().__init__(hass, entry, hub, "qBittorrent", None)
        self.client = client
        self.torrents = TorrentTable()
        self._interval = interval

    @callback
    def async_wake(
        self, outcome: Outcome | None = None, event: TrackerEvent | None = None
    ) -> None:
        """Start polling when a request begins to wait on a download."""
        if self.update_interval is not None:
            return
        if outcome is not None and not any(
            transition.to_stage in (Stage.INDEXED, Stage.DOWNLOADING)
            for transition in outcome.transitions
        ):
            return
        if not self._hub.tracker.downloads_to_follow():
            return
        self.update_interval = self._interval
        self.config_entry.async_create_background_task(
            self.hass,
            self.async_request_refresh(),
            "media_request_tracker_qbittorrent_wake",
        )

    async def _async_update_data(self) -> None:
        if not self._hub.tracker.downloads_to_follow():
            self.update_interval = None
            return
        try:
            maindata = await self.client.async_sync_maindata(self.torrents.rid)
        except QBittorrentAuthError as err:
            self.torrents.reset()
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="qbittorrent_auth_failed"
            ) from err
        except QBittorrentError as err:
            self.torrents.reset()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="qbittorrent_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self.torrents.apply(maindata, dt_util.utcnow())
        await self._hub.async_commit(
            self._hub.tracker.update_downloads(self.torrents, dt_util.utcnow())
        )
        if not self._hub.tracker.downloads_to_follow():
            self.update_interval = None


# Items saved a little before the last look are asked for again, so a clock
# difference between Home Assistant and Jellyfin cannot hide one.
SYNC_OVERLAP = timedelta(minutes=5)
# Deleted items never show up in an incremental answer; a daily full pass drops them.
FULL_SYNC_EVERY = timedelta(hours=24)
PAGE_SIZE = 1000
# After an event-driven check, news waits this long, so a burst shares one more check.
CHECK_COOLDOWN = 0.5


class JellyfinVerifier(_TrackingCoordinator):
    """Checks waiting requests against a local index of the Jellyfin library.

    The library is paged through once; after that, a cycle is one call for the
    items saved since the last one, whatever the library size and however many
    requests wait. Imports, Jellyfin webhooks and Shoko matches trigger a
    cycle at once (debounced); the interval is the safety net.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
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
        self._check_again = False
        self._checks: asyncio.Task[None] | None = None

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
            or (
                outcome is not None
                and (
                    bool(outcome.created)
                    or any(
                        transition.to_stage in WAITING_STAGES
                        for transition in outcome.transitions
                    )
                )
            )
        )
        if not arrived:
            return
        # One check now; news that arrives during it earns exactly one more.
        self._check_again = True
        if self._checks is None or self._checks.done():
            self._checks = self.config_entry.async_create_background_task(
                self.hass, self._run_checks(), "media_request_tracker_jellyfin_check"
            )

    async def _run_checks(self) -> None:
        while self._check_again:
            self._check_again = False
            await self.async_refresh()
            # News during the check or the cool-down shares one more check.
            await asyncio.sleep(CHECK_COOLDOWN)

    async def _async_update_data(self) -> None:
        # The interval and the event-driven checks must not interleave.
        async with self._lock:
            await self._check()

    async def _check(self) -> None:
        if not self._hub.tracker.awaiting_library():
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
        except JellyfinAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="jellyfin_auth_failed"
            ) from err
        except JellyfinError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="jellyfin_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self._synced_at = started
        outcome = self._hub.tracker.verify_library(self.library, dt_util.utcnow())
        await self._hub.async_commit(outcome)

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
