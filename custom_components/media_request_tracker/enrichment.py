"""What a Jellyfin webhook leaves out, looked up before the tracker sees the event.

An episode's webhook names its series by Jellyfin id only; a request knows
the series by TVDB and TMDB id. The series is read from Jellyfin once, the
first time no request knows it. An item from another Jellyfin server (a
second entry's webhook pasted here) is not this entry's news at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
import logging

from .clients.http import ServiceError
from .clients.jellyfin import JellyfinClient
from .core.events import IgnoredEvent, LibraryItemEvent, TrackerEvent
from .core.library import read_item
from .core.model import Source
from .failure_log import FailureLog


class JellyfinEnrichment:
    """Completes Jellyfin's webhook events for one entry's server."""

    def __init__(
        self,
        jellyfin: JellyfinClient,
        server_id: str | None,
        needs_series_lookup: Callable[[LibraryItemEvent], bool],
    ) -> None:
        """Look series up with ``jellyfin`` when ``needs_series_lookup`` says so."""
        self._jellyfin = jellyfin
        self._server_id = server_id
        self._needs_series_lookup = needs_series_lookup
        self._lookups = FailureLog(
            "Cannot look up a series in Jellyfin: %s",
            "Jellyfin answers again",
            level=logging.WARNING,
        )

    async def async_enrich(self, event: TrackerEvent) -> TrackerEvent:
        """Return the event with what it lacks, or ignored if it is not ours."""
        if not isinstance(event, LibraryItemEvent):
            return event
        if event.server_id and self._server_id and event.server_id != self._server_id:
            return IgnoredEvent(
                source=Source.JELLYFIN, reason="item from another Jellyfin server"
            )
        if not self._needs_series_lookup(event):
            return event
        return await self._with_series_ids(event)

    async def _with_series_ids(self, event: LibraryItemEvent) -> LibraryItemEvent:
        """Look the episode's series up once, to learn its TVDB and TMDB ids."""
        assert event.series_id is not None
        try:
            items = await self._jellyfin.async_get_items([event.series_id])
        except ServiceError as err:
            self._lookups.report(err)
            return event
        self._lookups.report(None)
        series = read_item(items[0]) if items else None
        return replace(event, series_ids=series.ids) if series is not None else event
