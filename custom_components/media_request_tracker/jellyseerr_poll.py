"""The safety net for lost Jellyseerr webhooks: its request list, read now and then.

Jellyseerr sends each notification once and never again: a request made
while Home Assistant restarts is lost. So the list is read, newest first, at
start-up, on a slow interval, and soon after a grab that matches no request,
and each request the tracker has not heard of, or whose status it has not
applied, goes through the tracker as its webhook would have gone.

Only requests newer than the newest one seen before are created: one that
was already there when the poll first ran (the history of a Jellyseerr that
predates the entry), or that the user or the retention period removed since,
is not brought back. That newest id is kept in its own small store.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .clients.http import ServiceAuthError, ServiceError, ServiceUnavailableError
from .clients.jellyseerr import JellyseerrClient
from .const import DOMAIN, LOGGER
from .core.events import GrabEvent, RequestEvent, TrackerEvent
from .core.jellyseerr_events import Novelty
from .core.outcome import Outcome
from .core.parsers import PayloadError
from .core.parsers.jellyseerr_api import (
    parse_api_request,
    parse_request_page,
    read_details,
)
from .failure_log import FailureLog
from .hub import RequestHub

PAGE_SIZE = 20
# A poll reads at most this many pages; a known, unchanged request ends it sooner.
MAX_PAGES = 5
# An unmatched grab asks for a poll this long after the last one of a burst.
GRAB_COOLDOWN = 10.0
# Requests waiting for approval that are looked up one by one, past the pages read.
MAX_LOOKUPS = 20
# Grabs kept to try again after the poll, when unrequested grabs are not tracked.
MAX_HELD_GRABS = 20
STORAGE_VERSION = 1


def _storage_key(entry_id: str) -> str:
    return f"{DOMAIN}.{entry_id}.jellyseerr_poll"


async def async_remove_poll_state(hass: HomeAssistant, entry_id: str) -> None:
    """Delete what the poll kept, with the entry."""
    await Store[dict[str, Any]](
        hass, STORAGE_VERSION, _storage_key(entry_id)
    ).async_remove()


class JellyseerrPoller:
    """Reads one Jellyseerr's requests and hands the missed ones to the hub."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: JellyseerrClient,
        hub: RequestHub,
        interval: timedelta,
    ) -> None:
        """Nothing runs until ``async_start``."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._hub = hub
        self._interval = interval
        self._store = Store[dict[str, Any]](
            hass, STORAGE_VERSION, _storage_key(entry.entry_id)
        )
        self._newest_seen: int | None = None
        self._loaded = False
        self._lock = asyncio.Lock()
        self._held: list[GrabEvent] = []
        self._replaying = False
        self._refused = False
        self._failures = FailureLog(
            "Cannot read Jellyseerr's requests: %s; tried again at the next poll",
            "Jellyseerr's requests can be read again",
            level=logging.WARNING,
        )
        self._debouncer = Debouncer(
            hass,
            LOGGER,
            cooldown=GRAB_COOLDOWN,
            immediate=False,
            function=self._poll_in_background,
        )
        self.last_run: datetime | None = None
        self.last_result: str | None = None

    @callback
    def async_start(self) -> None:
        """Poll once Home Assistant has started, then on the interval and after unmatched grabs."""
        entry = self._entry
        entry.async_on_unload(async_at_started(self._hass, self._on_started))
        entry.async_on_unload(
            async_track_time_interval(
                self._hass,
                self._on_interval,
                self._interval,
                cancel_on_shutdown=True,
            )
        )
        entry.async_on_unload(self._hub.async_add_listener(self.async_on_outcome))
        entry.async_on_unload(self._debouncer.async_shutdown)

    @callback
    def async_on_outcome(self, outcome: Outcome, event: TrackerEvent | None) -> None:
        """Poll soon after a grab that matched no request: its webhook may have been lost."""
        if self._replaying or not outcome.unmatched_grab:
            return
        if isinstance(event, GrabEvent) and not outcome.created:
            # Not tracked on its own: try it again once the poll has run.
            self._held = [*self._held, event][-MAX_HELD_GRABS:]
        self._debouncer.async_schedule_call()

    @callback
    def _on_started(self, _: HomeAssistant) -> None:
        self._poll_in_background()

    @callback
    def _on_interval(self, _: datetime) -> None:
        self._poll_in_background()

    @callback
    def _poll_in_background(self) -> None:
        self._entry.async_create_background_task(
            self._hass, self.async_poll(), "media_request_tracker_jellyseerr_poll"
        )

    async def async_poll(self) -> None:
        """Read the list once; a failure is logged once and retried at the next poll."""
        async with self._lock:
            if self._refused:
                return
            try:
                self.last_result = await self._async_read()
            except ServiceAuthError as err:
                # Registration reports a refused key once and asks for a new
                # one; saving it reloads the entry, and the poll with it.
                LOGGER.debug("Jellyseerr refused the request list: %s", err)
                self.last_result = f"failed: {err}; not tried again"
                self._refused = True
            except ServiceError as err:
                self._failures.report(err)
                self.last_result = f"failed: {err}"
            else:
                self._failures.report(None)
            self.last_run = dt_util.utcnow()
            held, self._held = self._held, []
            self._replaying = True
            try:
                for grab in held:
                    await self._hub.async_handle(grab)
            finally:
                self._replaying = False

    async def _async_read(self) -> str:
        """Page newest first until a request the tracker knows and has applied."""
        newest_seen = await self._async_newest_seen()
        news: list[RequestEvent] = []
        newest: int | None = None
        pages_read = 0
        listed: set[str] = set()
        for page in range(MAX_PAGES):
            results, pages = self._page(
                await self._client.async_get_requests(PAGE_SIZE, page * PAGE_SIZE)
            )
            pages_read += 1
            caught_up = False
            for item in results:
                try:
                    event = parse_api_request(item)
                except PayloadError as err:
                    LOGGER.debug("Skipped a Jellyseerr request: %s", err)
                    continue
                number = int(event.request_id or 0)
                newest = number if newest is None else max(newest, number)
                listed.add(str(number))
                match self._hub.jellyseerr_novelty(event):
                    case Novelty.UNCHANGED:
                        caught_up = True
                        break
                    case Novelty.CHANGED:
                        news.append(event)
                    case Novelty.NEW if (
                        newest_seen is not None and number > newest_seen
                    ):
                        news.append(await self._with_details(event))
            if caught_up or not results or page + 1 >= pages:
                break
        # Oldest first, as their webhooks would have come.
        news.reverse()
        news.extend(await self._async_look_up_waiting(listed))
        for event in news:
            await self._hub.async_handle(event)
        await self._async_save_newest(max(newest or 0, newest_seen or 0))
        return f"{len(news)} applied from {pages_read} page(s)"

    async def _async_look_up_waiting(self, listed: set[str]) -> list[RequestEvent]:
        """Ask for each request waiting for approval that the pages read did not show."""
        news: list[RequestEvent] = []
        waiting = [id_ for id_ in self._hub.awaiting_approval() if id_ not in listed]
        for request_id in waiting[:MAX_LOOKUPS]:
            data = await self._client.async_get_request(int(request_id))
            if data is None:
                LOGGER.debug("Jellyseerr no longer has request %s", request_id)
                continue
            try:
                event = parse_api_request(data)
            except PayloadError as err:
                LOGGER.debug("Skipped Jellyseerr request %s: %s", request_id, err)
                continue
            if self._hub.jellyseerr_novelty(event) is Novelty.CHANGED:
                news.append(event)
        return news

    @staticmethod
    def _page(data: Any) -> tuple[list[Any], int]:
        try:
            return parse_request_page(data)
        except PayloadError as err:
            raise ServiceUnavailableError(
                f"Jellyseerr sent a request list that cannot be read: {err}"
            ) from err

    async def _with_details(self, event: RequestEvent) -> RequestEvent:
        """Add the title and poster; without them the request is still worth tracking."""
        if event.media.ids.tmdb_id is None:
            return event
        try:
            details = await self._client.async_get_details(
                event.media.media_type.value, event.media.ids.tmdb_id
            )
            return read_details(event, details)
        except (ServiceError, PayloadError) as err:
            LOGGER.debug(
                "No details for Jellyseerr request %s: %s", event.request_id, err
            )
            return event

    async def _async_newest_seen(self) -> int | None:
        if not self._loaded:
            stored = await self._store.async_load() or {}
            newest = stored.get("newest_request_id")
            self._newest_seen = newest if isinstance(newest, int) else None
            self._loaded = True
        return self._newest_seen

    async def _async_save_newest(self, newest: int) -> None:
        if newest == self._newest_seen:
            return
        self._newest_seen = newest
        await self._store.async_save({"newest_request_id": newest})

    def diagnostics(self) -> dict[str, Any]:
        """Describe the last poll for a bug report (free of URLs and keys)."""
        return {
            "last_run": self.last_run.isoformat() if self.last_run else None,
            "last_result": self.last_result,
            "newest_request_id": self._newest_seen,
        }
