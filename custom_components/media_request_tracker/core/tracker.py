"""The tracking engine: applies normalised events to the set of requests.

It owns no I/O. Each call returns an ``Outcome`` that says what changed, so
the HA layer can update entities, fire events and persist, in that order.
The work is done by one module per source and per look-up (downloads, the
library); this class only hands each event to the one that knows it.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from datetime import datetime

from .arr_events import on_grab, on_import, on_notice
from .book import RequestBook
from .downloads import downloads_to_follow, follow_downloads
from .events import (
    ArrNoticeEvent,
    GrabEvent,
    IgnoredEvent,
    ImportEvent,
    LibraryItemEvent,
    RequestEvent,
    ShokoFileEvent,
    TrackerEvent,
)
from .jellyfin_events import needs_series_lookup, on_library_item
from .jellyseerr_events import Novelty, awaiting_approval, novelty, on_request
from .library import LibraryIndex
from .model import MediaRequest, Source, Stage
from .options import TrackerOptions
from .outcome import Outcome
from .queue import ArrQueue, follow_queue, follows_queue
from .shoko_events import on_shoko_file
from .stuck import StuckRequest, find_stuck, stuck_for
from .torrents import TorrentTable
from .verification import awaiting_library, verify_library


class RequestTracker:
    """Holds every tracked request of one config entry."""

    def __init__(
        self,
        requests: Iterable[MediaRequest] = (),
        options: TrackerOptions | None = None,
    ) -> None:
        """Start from stored requests."""
        self._options = options or TrackerOptions()
        self._book = RequestBook(requests, self._options.request_limit)

    @property
    def options(self) -> TrackerOptions:
        """The behaviour chosen for this entry."""
        return self._options

    def stage_counts(self) -> dict[Stage, int]:
        """Return how many requests are in each stage."""
        return self._book.stage_counts()

    def __iter__(self) -> Iterator[MediaRequest]:
        """Iterate in insertion order."""
        return iter(self._book)

    def __len__(self) -> int:
        """Count tracked requests."""
        return len(self._book)

    def get(self, request_id: str) -> MediaRequest | None:
        """Return one request."""
        return self._book.get(request_id)

    def apply(self, event: TrackerEvent, now: datetime) -> Outcome:
        """Apply one event and report what it changed."""
        change = self._book.begin(now)
        match event:
            case IgnoredEvent(reason=reason):
                change.ignore(reason)
            case RequestEvent():
                on_request(change, event, separate_4k=self._options.separate_4k)
            case GrabEvent():
                on_grab(change, event, self._options)
            case ImportEvent():
                on_import(change, event, self._options)
            case ArrNoticeEvent():
                on_notice(change, event, self._options)
            case LibraryItemEvent():
                on_library_item(change, event)
            case ShokoFileEvent():
                on_shoko_file(change, event)
        return change.outcome

    def novelty(self, event: RequestEvent) -> Novelty:
        """Whether a request read from Jellyseerr's list is new, changed or already applied."""
        return novelty(self._book, event)

    def awaiting_approval(self) -> list[str]:
        """Jellyseerr ids of the requests still waiting for approval."""
        return awaiting_approval(self._book)

    def needs_series_lookup(self, event: TrackerEvent) -> bool:
        """Whether a Jellyfin episode's series must be resolved to provider ids first."""
        return needs_series_lookup(self._book, event)

    def mark_available(self, request_id: str, now: datetime, detail: str) -> Outcome:
        """Apply a user's manual override."""
        change = self._book.begin(now)
        if request := self._book.get(request_id):
            change.move(request, Stage.AVAILABLE, Source.USER, detail, manual=True)
        return change.outcome

    def note(self, request_id: str, now: datetime, detail: str) -> Outcome:
        """Record a user's action in the timeline, leaving the stage as it is."""
        change = self._book.begin(now)
        if request := self._book.get(request_id):
            change.note(request, Source.USER, detail)
        return change.outcome

    def remove(self, request_id: str) -> MediaRequest | None:
        """Stop tracking a request."""
        return self._book.remove(request_id)

    def expired(self, older_than: datetime) -> list[str]:
        """Terminal requests untouched since ``older_than``, due for removal."""
        return [
            request.request_id
            for request in self._book
            if request.stage.is_terminal
            and (request.updated_at or request.requested_at) < older_than
        ]

    def downloads_to_follow(self) -> dict[str, MediaRequest]:
        """Return the requests waiting on qBittorrent, by the hash of their download."""
        return downloads_to_follow(self._book)

    def update_downloads(self, torrents: TorrentTable, now: datetime) -> Outcome:
        """Apply what qBittorrent reports to every request it is downloading."""
        change = self._book.begin(now)
        follow_downloads(change, torrents, self._options)
        return change.outcome

    def follows_queue(self, instance: str) -> bool:
        """Whether a request grabbed by this *arr instance waits on its download or import."""
        return follows_queue(self._book, instance)

    def update_queue(
        self,
        instance: str,
        source: Source,
        queue: ArrQueue,
        now: datetime,
        *,
        skip_figures: Container[str] = frozenset(),
    ) -> Outcome:
        """Apply one *arr instance's queue to the requests it grabbed."""
        change = self._book.begin(now)
        follow_queue(change, instance, source, queue, self._options, skip_figures)
        return change.outcome

    def awaiting_library(self, now: datetime) -> list[MediaRequest]:
        """Return the requests that a look at the Jellyfin library could move on or complete."""
        return awaiting_library(self._book, now)

    def verify_library(self, library: LibraryIndex, now: datetime) -> Outcome:
        """Move every request whose media the library shows as playable to available."""
        change = self._book.begin(now)
        verify_library(change, library)
        return change.outcome

    def stuck(self, now: datetime) -> list[StuckRequest]:
        """Every request that has stayed in its stage past the threshold."""
        return find_stuck(self._book, self._options.stuck_after, now)

    def stuck_for(self, request: MediaRequest, now: datetime) -> StuckRequest | None:
        """Whether one request is stuck at ``now``, by the same rule as ``stuck``."""
        return stuck_for(request, self._options.stuck_after, now)
