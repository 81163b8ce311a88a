"""The tracking engine: applies normalised events to the set of requests.

It owns no I/O. Each call returns an ``Outcome`` that says what changed, so
the HA layer can update entities, fire events and persist, in that order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum, StrEnum, auto
import re

from .correlation import (
    find_active,
    find_by_hash,
    find_finished,
    ids_match,
    newest_first,
    same_file,
    seasons_overlap,
)
from .events import (
    ArrNoticeEvent,
    GrabEvent,
    IgnoredEvent,
    ImportEvent,
    LibraryItemEvent,
    LibraryItemType,
    MediaInfo,
    RequestEvent,
    RequestStatus,
    ShokoFileAction,
    ShokoFileEvent,
    TrackerEvent,
)
from .library import LibraryIndex, LibraryItem
from .model import (
    NAME_LIMIT,
    PATH_LIMIT,
    PIPELINE_RANK,
    TITLE_LIMIT,
    URL_LIMIT,
    DownloadStatus,
    EpisodeKey,
    EpisodeProgress,
    MediaIds,
    MediaRequest,
    MediaType,
    Source,
    Stage,
    TimelineEntry,
    shorten,
)
from .state_machine import Verdict, decide
from .torrents import TorrentCondition, TorrentStatus, TorrentTable

_STATUS_STAGE = {
    RequestStatus.PENDING: Stage.REQUESTED,
    RequestStatus.APPROVED: Stage.APPROVED,
    RequestStatus.AUTO_APPROVED: Stage.APPROVED,
    RequestStatus.DECLINED: Stage.DECLINED,
    RequestStatus.FAILED: Stage.FAILED,
    RequestStatus.AVAILABLE: Stage.AVAILABLE,
}
_FOLLOWED_STAGES = frozenset({Stage.INDEXED, Stage.DOWNLOADING})
# Stages in which the files should be, or soon be, in Jellyfin.
WAITING_STAGES = frozenset({Stage.DOWNLOAD_DONE, Stage.IMPORTING, Stage.ANIME_MATCHING})
# Verification also looks at new requests: a re-request may already be there.
_VERIFIED_STAGES = WAITING_STAGES | {Stage.REQUESTED, Stage.APPROVED}
# A request reported available before the library showed it is looked for this
# long for its Jellyfin item and episodes; Jellyseerr learns of availability
# from Jellyfin, so it is normally there within minutes.
AVAILABLE_FOLLOW_UP = timedelta(days=1)
_CREATING_STATUSES = frozenset(
    {RequestStatus.PENDING, RequestStatus.APPROVED, RequestStatus.AUTO_APPROVED}
)
_STATUS_DETAIL = {
    RequestStatus.PENDING: "requested in Jellyseerr, waiting for approval",
    RequestStatus.APPROVED: "approved in Jellyseerr",
    RequestStatus.AUTO_APPROVED: "requested and approved automatically in Jellyseerr",
    RequestStatus.DECLINED: "declined in Jellyseerr",
    RequestStatus.FAILED: "Jellyseerr could not send the request to Radarr or Sonarr",
    RequestStatus.AVAILABLE: "Jellyseerr reports it available",
}


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted stage change; ``from_stage`` is None when a request is created."""

    request_id: str
    from_stage: Stage | None
    to_stage: Stage
    source: Source
    detail: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A stage change the state machine refused; kept for a single warning."""

    request_id: str
    current: Stage
    proposed: Stage
    source: Source
    reason: str


@dataclass(slots=True)
class Outcome:
    """Everything one event did."""

    changed: dict[str, MediaRequest] = field(default_factory=dict)
    # Shown to the user but not worth a disk write (download figures).
    refreshed: dict[str, MediaRequest] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    ignored: str | None = None
    # A request that was not created because the entry tracks its limit already.
    refused: str | None = None
    # Requests the user or the retention period stopped tracking.
    removed: list[str] = field(default_factory=list)

    @property
    def is_change(self) -> bool:
        """True when something must be shown and persisted."""
        return bool(self.changed)

    @property
    def is_visible(self) -> bool:
        """True when some entity must be written."""
        return bool(self.changed or self.refreshed)


class StuckReason(StrEnum):
    """Why a request stopped moving; each names a different fix."""

    NOT_GRABBED = "not_grabbed"
    NOT_STARTED = "not_started"
    STALLED = "stalled"
    NOT_IMPORTED = "not_imported"
    NOT_MATCHED = "not_matched"


@dataclass(frozen=True, kw_only=True, slots=True)
class StuckThresholds:
    """How long each stage may last before a request counts as stuck."""

    approved: timedelta = timedelta(hours=6)
    # None when no download client is followed: nothing moves a request on then.
    indexed: timedelta | None = timedelta(hours=2)
    importing: timedelta = timedelta(hours=1)
    anime_matching: timedelta = timedelta(hours=2)

    def for_stage(self, stage: Stage) -> tuple[timedelta, StuckReason] | None:
        """Return the threshold and reason for a stage; None where waiting is normal."""
        match stage:
            case Stage.APPROVED:
                return self.approved, StuckReason.NOT_GRABBED
            case Stage.INDEXED if self.indexed is not None:
                return self.indexed, StuckReason.NOT_STARTED
            case Stage.DOWNLOAD_DONE | Stage.IMPORTING:
                return self.importing, StuckReason.NOT_IMPORTED
            case Stage.ANIME_MATCHING:
                return self.anime_matching, StuckReason.NOT_MATCHED
        return None


@dataclass(frozen=True, slots=True)
class StuckRequest:
    """A request past its stage's threshold."""

    request_id: str
    stage: Stage
    since: datetime
    reason: StuckReason


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerOptions:
    """Behaviour a user can choose in the options flow."""

    track_unrequested: bool = True
    stall_after: timedelta = timedelta(minutes=30)
    # Progress alone makes a new state at most this often per download.
    progress_every: timedelta = timedelta(seconds=30)
    stuck: StuckThresholds = field(default_factory=StuckThresholds)
    # At most this many requests per entry: a flood of made-up request ids
    # must not become thousands of entities. Stored requests always load.
    request_limit: int = 5000


class RequestTracker:
    """Holds every tracked request of one config entry."""

    def __init__(
        self,
        requests: Iterable[MediaRequest] = (),
        options: TrackerOptions | None = None,
    ) -> None:
        """Start from stored requests."""
        self._requests: dict[str, MediaRequest] = {r.request_id: r for r in requests}
        self.options = options or TrackerOptions()
        # Kept up to date on every move, so a summary costs nothing per request.
        self._stage_counts = Counter(r.stage for r in self._requests.values())
        self._figures_shown_at: dict[str, datetime] = {}

    def stage_counts(self) -> dict[Stage, int]:
        """Return how many requests are in each stage."""
        return {stage: self._stage_counts[stage] for stage in Stage}

    def __iter__(self) -> Iterator[MediaRequest]:
        """Iterate in insertion order."""
        return iter(self._requests.values())

    def __len__(self) -> int:
        """Count tracked requests."""
        return len(self._requests)

    def get(self, request_id: str) -> MediaRequest | None:
        """Return one request."""
        return self._requests.get(request_id)

    def apply(self, event: TrackerEvent, now: datetime) -> Outcome:
        """Apply one event and report what it changed."""
        outcome = Outcome()
        match event:
            case IgnoredEvent(reason=reason):
                outcome.ignored = reason
            case RequestEvent():
                self._on_request(event, now, outcome)
            case GrabEvent():
                self._on_grab(event, now, outcome)
            case ImportEvent():
                self._on_import(event, now, outcome)
            case ArrNoticeEvent():
                self._on_notice(event, now, outcome)
            case LibraryItemEvent():
                self._on_library_item(event, now, outcome)
            case ShokoFileEvent():
                self._on_shoko_file(event, now, outcome)
        return outcome

    def needs_series_lookup(self, event: TrackerEvent) -> bool:
        """Whether a Jellyfin episode's series must be resolved to provider ids.

        Episode webhooks carry episode ids only; once a series is known by its
        Jellyfin id no lookup is needed.
        """
        if not isinstance(event, LibraryItemEvent) or event.series_ids is not None:
            return False
        if event.item_type not in (LibraryItemType.EPISODE, LibraryItemType.SEASON):
            return False
        return event.series_id is not None and not any(
            request.jellyfin_series_id == event.series_id
            for request in self._requests.values()
            if not request.stage.is_terminal
        )

    def mark_available(self, request_id: str, now: datetime, detail: str) -> Outcome:
        """Apply a user's manual override."""
        outcome = Outcome()
        if request := self._requests.get(request_id):
            self._move(
                request, Stage.AVAILABLE, Source.USER, detail, now, outcome, manual=True
            )
        return outcome

    def remove(self, request_id: str) -> MediaRequest | None:
        """Stop tracking a request."""
        request = self._requests.pop(request_id, None)
        self._figures_shown_at.pop(request_id, None)
        if request is not None:
            self._stage_counts[request.stage] -= 1
        return request

    def expired(self, older_than: datetime) -> list[str]:
        """Terminal requests untouched since ``older_than``, due for removal."""
        return [
            request.request_id
            for request in self._requests.values()
            if request.stage.is_terminal
            and (request.updated_at or request.requested_at) < older_than
        ]

    def downloads_to_follow(self) -> dict[str, MediaRequest]:
        """Return the requests waiting on qBittorrent, by the hash of their download."""
        return {
            request.download_hashes[-1]: request
            for request in self._requests.values()
            if request.stage in _FOLLOWED_STAGES and request.download_hashes
        }

    def update_downloads(self, torrents: TorrentTable, now: datetime) -> Outcome:
        """Apply what qBittorrent reports to every request it is downloading."""
        outcome = Outcome()
        for torrent_hash, request in self.downloads_to_follow().items():
            status = torrents.get(torrent_hash)
            if status is None:
                if torrent_hash in torrents.removed:
                    self._flag_problem(
                        request,
                        "removed",
                        "removed from qBittorrent before it finished",
                        now,
                        outcome,
                    )
                continue
            self._follow_torrent(request, status, now, outcome)
        return outcome

    def _follow_torrent(
        self,
        request: MediaRequest,
        status: TorrentStatus,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        condition = status.condition
        if condition is TorrentCondition.BROKEN:
            self._flag_problem(
                request,
                status.state,
                f"qBittorrent reports {status.state}",
                now,
                outcome,
            )
        elif request.download_problem is not None:
            request.download_problem = None
            self._note(
                request,
                Source.QBITTORRENT,
                f"qBittorrent reports {status.state} again",
                now,
                outcome,
            )
        stalled = condition in (
            TorrentCondition.WAITING,
            TorrentCondition.DOWNLOADING,
        ) and (now - status.moved_at >= self.options.stall_after)
        figures = DownloadStatus(
            progress=100.0
            if condition is TorrentCondition.COMPLETE
            else round(status.progress * 100, 1),
            download_speed=status.download_speed,
            eta=0 if condition is TorrentCondition.COMPLETE else status.eta,
            size=status.size or request.download.size,
            # Stuck counts from the last data, not from when the download began.
            stalled_since=status.moved_at if stalled else None,
        )
        if stalled != request.download.stalled:
            minutes = int(self.options.stall_after.total_seconds() // 60)
            detail = (
                f"stalled: no data for {minutes} minutes"
                if stalled
                else "data is moving again"
            )
            self._note(request, Source.QBITTORRENT, detail, now, outcome)
        change = _visible_change(request.download, figures)
        shown_at = self._figures_shown_at.get(request.request_id)
        if change is _Change.NOTABLE or (
            change is _Change.PROGRESS
            and (shown_at is None or now - shown_at >= self.options.progress_every)
        ):
            request.download = figures
            self._figures_shown_at[request.request_id] = now
            if request.request_id not in outcome.changed:
                outcome.refreshed[request.request_id] = request
        if condition is TorrentCondition.COMPLETE:
            request.download = figures
            self._move(
                request,
                Stage.DOWNLOAD_DONE,
                Source.QBITTORRENT,
                "download finished",
                now,
                outcome,
            )
        elif (
            condition is TorrentCondition.DOWNLOADING and request.stage is Stage.INDEXED
        ):
            self._move(
                request,
                Stage.DOWNLOADING,
                Source.QBITTORRENT,
                "download started",
                now,
                outcome,
            )

    def _flag_problem(
        self,
        request: MediaRequest,
        problem: str,
        detail: str,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        """Record a broken download once; the request stays, waiting for a fix."""
        if request.download_problem == problem:
            return
        request.download_problem = problem
        self._note(request, Source.QBITTORRENT, detail, now, outcome)

    def awaiting_library(self, now: datetime) -> list[MediaRequest]:
        """Return the requests that a look at the Jellyfin library could move on or complete.

        Besides the waiting ones, a request reported available (by Jellyseerr,
        or by hand) before the library showed it: it is looked for until it
        has its Jellyfin item and, for a series, every episode is seen there.
        """
        return [
            request
            for request in self._requests.values()
            if request.stage in _VERIFIED_STAGES
            or (
                request.stage is Stage.AVAILABLE
                and now - (request.stage_since or request.requested_at)
                < AVAILABLE_FOLLOW_UP
                and not library_complete(request)
            )
        ]

    def verify_library(self, library: LibraryIndex, now: datetime) -> Outcome:
        """Move every request whose media the library shows as playable to available.

        Films match by id, by a Shoko file in an item path (a compilation film
        filed as a series special), or by Shoko series; series match by id and
        then episode by episode, virtual (missing) episodes excluded. A
        request already available only gains its item and episodes.
        """
        outcome = Outcome()
        for request in self.awaiting_library(now):
            found = library.find(
                request.media_type,
                request.ids,
                request.title,
                request.year,
                request.shoko_series_ids,
            )
            by_file = library.by_shoko_file(request.shoko_files)
            if request.media_type is MediaType.MOVIE:
                self._verify_film(request, found + by_file, library, now, outcome)
            else:
                self._verify_series(request, found, by_file, library, now, outcome)
        return outcome

    def stuck(self, now: datetime) -> list[StuckRequest]:
        """Every request that has stayed in its stage past the threshold.

        A download counts once qBittorrent has moved no data for the stall
        time; the other stages count from when the request entered them.
        """
        found: list[StuckRequest] = []
        for request in self._requests.values():
            since = request.stage_since or request.requested_at
            if request.stage is Stage.DOWNLOADING:
                if (stalled_since := request.download.stalled_since) is not None:
                    found.append(
                        StuckRequest(
                            request.request_id,
                            request.stage,
                            stalled_since,
                            StuckReason.STALLED,
                        )
                    )
                continue
            rule = self.options.stuck.for_stage(request.stage)
            if rule is not None and now - since >= rule[0]:
                found.append(
                    StuckRequest(request.request_id, request.stage, since, rule[1])
                )
        return found

    def _verify_film(
        self,
        request: MediaRequest,
        items: list[LibraryItem],
        library: LibraryIndex,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        playable = [item for item in items if not item.virtual]
        if (
            not playable
            and request.shoko_series_ids
            and (request.stage in WAITING_STAGES or request.stage is Stage.AVAILABLE)
        ):
            # Shoko files some compilation films as a special of a series.
            playable = [
                episode
                for series in library.find(
                    MediaType.TV, MediaIds(), shoko_series_ids=request.shoko_series_ids
                )
                for episode in library.episodes_of(series.item_id)
                if not episode.virtual
                and any(key.season == 0 for key in episode.episodes)
            ]
        if not playable:
            return
        request.jellyfin_id = playable[0].item_id
        if request.stage is Stage.AVAILABLE:
            self._note(
                request, Source.JELLYFIN, "found in the Jellyfin library", now, outcome
            )
            return
        self._move(
            request,
            Stage.AVAILABLE,
            Source.JELLYFIN,
            "found in the Jellyfin library",
            now,
            outcome,
        )

    def _verify_series(
        self,
        request: MediaRequest,
        series: list[LibraryItem],
        by_file: list[LibraryItem],
        library: LibraryIndex,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        if not series and not by_file:
            return
        before = (dict(request.episodes), request.jellyfin_id)
        if series:
            request.jellyfin_series_id = request.jellyfin_id = series[0].item_id
        elif request.jellyfin_series_id is None:
            # Found by its Shoko files alone: their episodes name the series.
            if shown := next(
                (item.series_id for item in by_file if item.series_id), None
            ):
                request.jellyfin_series_id = request.jellyfin_id = shown
        wanted_seasons = set(request.seasons)
        for episode in (
            item for show in series for item in library.episodes_of(show.item_id)
        ):
            for key in episode.episodes:
                if episode.virtual:
                    aired = episode.premiere is None or episode.premiere <= now
                    if aired and key.season in wanted_seasons:
                        _mark_episodes(request, [key], EpisodeProgress.WANTED)
                elif key in request.episodes or key.season in wanted_seasons:
                    _mark_episodes(request, [key], EpisodeProgress.AVAILABLE)
        for item in by_file:
            if not item.virtual:
                for file_id in item.shoko_file_ids & request.shoko_files.keys():
                    _mark_episodes(
                        request, request.shoko_files[file_id], EpisodeProgress.AVAILABLE
                    )
        changed = (dict(request.episodes), request.jellyfin_id) != before
        if request.stage is not Stage.AVAILABLE:
            if not self._finish_series(request, now, outcome) and changed:
                self._touch(request, now, outcome)
        elif changed and library_complete(request):
            self._note(
                request,
                Source.JELLYFIN,
                "every requested episode is in Jellyfin",
                now,
                outcome,
            )
        elif changed:
            self._touch(request, now, outcome)

    # Jellyseerr -----------------------------------------------------------

    def _on_request(self, event: RequestEvent, now: datetime, outcome: Outcome) -> None:
        target = _STATUS_STAGE[event.status]
        detail = _STATUS_DETAIL[event.status]
        if event.requested_by:
            detail = f"{detail} (by {event.requested_by})"
        request = self._requests.get(event.request_id) if event.request_id else None
        adopting = False
        if request is None:
            seasons = frozenset(event.seasons)
            active = find_active(
                self._requests.values(),
                event.media.media_type,
                event.media.ids,
                seasons,
            )
            if active is not None and (
                active.origin is not Source.JELLYSEERR or event.request_id is None
            ):
                request, adopting = active, active.origin is not Source.JELLYSEERR
        if request is None:
            if event.status in _CREATING_STATUSES:
                request_id = event.request_id or self._new_id(event.media)
                created = self._create(
                    request_id,
                    event.media,
                    target,
                    Source.JELLYSEERR,
                    detail,
                    now,
                    outcome,
                )
                if created is None:
                    return
                created.requested_by = _name(event.requested_by)
                created.seasons = event.seasons
                created.poster_from_request = event.media.poster_url is not None
            else:
                outcome.ignored = "no tracked request for this notification"
            return

        _merge_media(request, event.media, from_request=True)
        if event.requested_by:
            request.requested_by = _name(event.requested_by)
        if event.seasons:
            request.seasons = tuple(sorted(set(request.seasons) | set(event.seasons)))
        if adopting:
            # The grab overtook the request; the request is news, not a step back.
            request.origin = Source.JELLYSEERR
            self._note(request, Source.JELLYSEERR, detail, now, outcome)
            return
        if target is Stage.AVAILABLE:
            # Counted as playable on Jellyseerr's word; only Jellyfin marks them seen.
            _mark_episodes(request, request.episodes, EpisodeProgress.IMPORTED)
        self._move(request, target, Source.JELLYSEERR, detail, now, outcome)

    # Radarr / Sonarr ------------------------------------------------------

    def _on_grab(self, event: GrabEvent, now: datetime, outcome: Outcome) -> None:
        detail = (
            f"grabbed {event.release_title}"
            if event.release_title
            else "release grabbed"
        )
        request = self._find_for_release(
            event.download_hash,
            event.media,
            event.episodes,
            prefer_before=Stage.INDEXED,
        )
        if request is None:
            self._on_unrequested_grab(event, detail, now, outcome)
            return
        if request.stage.is_terminal and request.stage is not Stage.FAILED:
            self._note(
                request,
                event.source,
                f"upgrade {detail}; stays {request.stage}",
                now,
                outcome,
            )
            return
        _merge_media(request, event.media)
        _add_grab(request, event)
        if _has_reached(request, Stage.INDEXED):
            # More episodes, or a replacement release: follow it without stepping back.
            self._note(request, event.source, detail, now, outcome)
            return
        self._move(request, Stage.INDEXED, event.source, detail, now, outcome)

    def _on_unrequested_grab(
        self, event: GrabEvent, detail: str, now: datetime, outcome: Outcome
    ) -> None:
        """Track a grab nobody asked for, unless it only continues a finished title.

        A grab for a title whose request is finished is an upgrade, or a new
        episode of a series that was requested once: nobody asked for it now,
        so it is noted on the finished request and tracks nothing new.
        """
        if not self.options.track_unrequested:
            outcome.ignored = "grab matches no request and track_unrequested is off"
            return
        finished = find_finished(
            self._requests.values(), event.media.media_type, event.media.ids
        )
        if finished is not None:
            self._note(
                finished,
                event.source,
                f"{detail}; not tracked, the request is {finished.stage}",
                now,
                outcome,
            )
            return
        request_id = self._new_id(
            event.media, event.download_hash, prefix=event.source.value
        )
        request = self._create(
            request_id,
            event.media,
            Stage.INDEXED,
            event.source,
            f"{detail} (not requested in Jellyseerr)",
            now,
            outcome,
        )
        if request is not None:
            request.origin = event.source
            _add_grab(request, event)

    def _on_import(self, event: ImportEvent, now: datetime, outcome: Outcome) -> None:
        request = self._find_for_release(
            event.download_hash, event.media, event.episodes
        )
        if request is None:
            outcome.ignored = "import matches no tracked request"
            return
        if request.stage is Stage.AVAILABLE or request.stage is Stage.DECLINED:
            kind = "upgrade imported" if event.is_upgrade else "imported again"
            self._note(
                request, event.source, f"{kind}; stays {request.stage}", now, outcome
            )
            return
        _merge_media(request, event.media)
        if event.download_hash and event.download_hash not in request.download_hashes:
            request.download_hashes.append(event.download_hash)
        _mark_episodes(request, event.episodes, EpisodeProgress.IMPORTED)
        _record_files(request, event)
        detail = _import_detail(event)
        if _has_reached(request, Stage.IMPORTING):
            self._touch(request, now, outcome)
            return
        self._move(request, Stage.IMPORTING, event.source, detail, now, outcome)

    def _on_notice(
        self, event: ArrNoticeEvent, now: datetime, outcome: Outcome
    ) -> None:
        request = self._find_for_release(
            event.download_hash, event.media, event.episodes
        )
        if request is None:
            outcome.ignored = "notice matches no tracked request"
            return
        self._note(request, event.source, event.detail, now, outcome)

    # Jellyfin -------------------------------------------------------------

    def _on_library_item(
        self, event: LibraryItemEvent, now: datetime, outcome: Outcome
    ) -> None:
        if event.item_type is LibraryItemType.MOVIE:
            request = find_active(self._requests.values(), MediaType.MOVIE, event.ids)
            if request is None:
                outcome.ignored = "film matches no request in progress"
                return
            request.jellyfin_id = event.item_id
            self._move(
                request,
                Stage.AVAILABLE,
                Source.JELLYFIN,
                "added to Jellyfin",
                now,
                outcome,
            )
            return
        if event.item_type is LibraryItemType.SERIES:
            requests = self._series_requests(event.item_id, event.ids)
            if not requests:
                outcome.ignored = "series matches no request in progress"
            for request in requests:
                request.jellyfin_series_id = request.jellyfin_id = event.item_id
                outcome.changed[request.request_id] = request
            return
        self._on_episode(event, now, outcome)

    def _series_requests(
        self, series_id: str, ids: MediaIds | None
    ) -> list[MediaRequest]:
        return newest_first(
            request
            for request in self._requests.values()
            if not request.stage.is_terminal
            and request.media_type is MediaType.TV
            and (
                request.jellyfin_series_id == series_id
                or (ids is not None and ids_match(request, MediaType.TV, ids))
            )
        )

    def _on_episode(
        self, event: LibraryItemEvent, now: datetime, outcome: Outcome
    ) -> None:
        if event.series_id is None or not event.episodes:
            outcome.ignored = f"{event.item_type} without series or episode numbers"
            return
        season = next(iter(event.episodes)).season
        candidates = [
            request
            for request in self._series_requests(event.series_id, event.series_ids)
            if seasons_overlap(request, frozenset({season}))
        ]
        if not candidates:
            outcome.ignored = "episode matches no request in progress"
            return
        request = candidates[0]
        request.jellyfin_series_id = request.jellyfin_id = event.series_id
        wanted = {
            key
            for key in event.episodes
            if key in request.episodes or key.season in request.seasons
        }
        _mark_episodes(request, wanted, EpisodeProgress.AVAILABLE)
        if not self._finish_series(request, now, outcome):
            self._touch(request, now, outcome)

    def _find_for_release(
        self,
        download_hash: str | None,
        media: MediaInfo,
        episodes: frozenset[EpisodeKey],
        *,
        prefer_before: Stage | None = None,
    ) -> MediaRequest | None:
        """Find the request an *arr event is about.

        The hash decides if it is known; then the newest request in progress;
        then a finished one, but only if it failed (a retry brings it back) or
        the event brings nothing it does not already have (an upgrade).
        """
        seasons = frozenset(key.season for key in episodes)
        requests = self._requests.values()
        request = find_by_hash(requests, download_hash) or find_active(
            requests, media.media_type, media.ids, seasons, prefer_before=prefer_before
        )
        if request is not None:
            return request
        finished = find_finished(requests, media.media_type, media.ids, seasons)
        if finished is not None and (
            finished.stage is Stage.FAILED or _covers(finished, episodes)
        ):
            return finished
        return None

    def _finish_series(
        self, request: MediaRequest, now: datetime, outcome: Outcome
    ) -> bool:
        """Make a series available once every requested episode is; say whether it did."""
        if not _tv_complete(request):
            return False
        self._move(
            request,
            Stage.AVAILABLE,
            Source.JELLYFIN,
            "every requested episode is in Jellyfin",
            now,
            outcome,
        )
        return True

    # Shoko ------------------------------------------------------------------

    def _on_shoko_file(
        self, event: ShokoFileEvent, now: datetime, outcome: Outcome
    ) -> None:
        found = self._find_for_shoko_file(event)
        if found is None:
            outcome.ignored = "Shoko file matches no tracked request"
            return
        request, episodes = found
        name = (event.relative_path or "").rsplit("/", 1)[-1] or f"file {event.file_id}"
        if event.file_id is not None and event.file_id not in request.shoko_files:
            request.shoko_files[event.file_id] = episodes
            self._touch(request, now, outcome)
        request.is_anime = True
        match event.action:
            case ShokoFileAction.MATCHED:
                self._on_shoko_match(request, event, name, now, outcome)
            case ShokoFileAction.NOT_MATCHED:
                if not request.shoko_unmatched:
                    request.shoko_unmatched = True
                    banned = (
                        " (AniDB has banned Shoko for now)" if event.udp_banned else ""
                    )
                    self._note(
                        request,
                        Source.SHOKO,
                        f"Shoko could not match {name}{banned}",
                        now,
                        outcome,
                    )
                self._start_matching(request, f"Shoko sees {name}", now, outcome)
            case ShokoFileAction.DELETED:
                self._note(
                    request, Source.SHOKO, f"Shoko: {name} was deleted", now, outcome
                )
            case _:
                self._start_matching(request, f"Shoko sees {name}", now, outcome)

    def _on_shoko_match(
        self,
        request: MediaRequest,
        event: ShokoFileEvent,
        name: str,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        if event.file_id is not None and event.file_id in request.shoko_matched:
            return  # the same match again, after a reconnect: already applied
        if event.file_id is not None:
            request.shoko_matched = (*request.shoko_matched, event.file_id)
        request.shoko_series_ids = tuple(
            dict.fromkeys((*request.shoko_series_ids, *event.series_ids))
        )
        if request.ids.anidb_id is None and event.anidb_anime_ids:
            request.ids = replace(request.ids, anidb_id=event.anidb_anime_ids[0])
        request.shoko_unmatched = False
        anime = (
            f" to AniDB anime {event.anidb_anime_ids[0]}"
            if event.anidb_anime_ids
            else ""
        )
        detail = f"Shoko matched {name}{anime}"
        if not self._start_matching(request, detail, now, outcome):
            self._note(request, Source.SHOKO, detail, now, outcome)

    def _start_matching(
        self, request: MediaRequest, detail: str, now: datetime, outcome: Outcome
    ) -> bool:
        """Move an imported anime request to anime_matching; say whether it moved."""
        if request.stage not in (Stage.DOWNLOAD_DONE, Stage.IMPORTING):
            return False
        self._move(request, Stage.ANIME_MATCHING, Source.SHOKO, detail, now, outcome)
        return True

    def _find_for_shoko_file(
        self, event: ShokoFileEvent
    ) -> tuple[MediaRequest, tuple[EpisodeKey, ...]] | None:
        """Find the request of a Shoko file: by its Shoko id once known, else by path."""
        requests = newest_first(self._requests.values())
        requests.sort(key=lambda request: request.stage.is_terminal)
        if event.file_id is not None:
            for request in requests:
                if event.file_id in request.shoko_files:
                    return request, request.shoko_files[event.file_id]
        for shoko_path in (event.relative_path, event.previous_relative_path):
            if shoko_path is None:
                continue
            for request in requests:
                for arr_path, episodes in request.file_paths.items():
                    if same_file(arr_path, shoko_path):
                        return request, episodes
        return None

    # Shared steps ---------------------------------------------------------

    def _create(
        self,
        request_id: str,
        media: MediaInfo,
        stage: Stage,
        source: Source,
        detail: str,
        now: datetime,
        outcome: Outcome,
    ) -> MediaRequest | None:
        """Start tracking a request; None, said in the outcome, at the limit."""
        if len(self._requests) >= self.options.request_limit:
            outcome.refused = media.title or _fallback_title(media)
            outcome.ignored = "the entry tracks as many requests as it may"
            return None
        request = MediaRequest(
            request_id=request_id,
            media_type=media.media_type,
            title=shorten(media.title or _fallback_title(media), TITLE_LIMIT),
            year=media.year,
            stage=stage,
            requested_at=now,
            ids=media.ids,
            is_anime=media.is_anime,
            poster_url=_url(media.poster_url),
            stage_since=now,
            updated_at=now,
        )
        request.add_timeline(
            TimelineEntry(at=now, state=stage, source=source, detail=detail)
        )
        self._requests[request_id] = request
        self._stage_counts[stage] += 1
        outcome.created.append(request_id)
        outcome.changed[request_id] = request
        outcome.transitions.append(Transition(request_id, None, stage, source, detail))
        return request

    def _move(
        self,
        request: MediaRequest,
        target: Stage,
        source: Source,
        detail: str,
        now: datetime,
        outcome: Outcome,
        *,
        manual: bool = False,
    ) -> None:
        decision = decide(request.stage, target, manual=manual)
        if decision.verdict is Verdict.UNCHANGED:
            self._touch(request, now, outcome)
            return
        if decision.verdict is Verdict.REJECTED:
            request.add_timeline(
                TimelineEntry(
                    at=now,
                    state=target,
                    source=source,
                    detail=f"{detail}; rejected: {decision.reason}",
                    rejected=True,
                )
            )
            outcome.rejections.append(
                Rejection(
                    request.request_id, request.stage, target, source, decision.reason
                )
            )
            outcome.changed[request.request_id] = request
            return
        previous = request.stage
        self._stage_counts[request.stage] -= 1
        self._stage_counts[target] += 1
        request.stage = target
        request.updated_at = now
        request.stage_since = now
        if target not in _FOLLOWED_STAGES:
            # Speed and ETA describe a download under way; once it is done (or
            # given up) they would only repeat the last poll's figures.
            request.download = DownloadStatus(
                progress=100.0 if target is Stage.DOWNLOAD_DONE else None,
                size=request.download.size,
            )
            self._figures_shown_at.pop(request.request_id, None)
        request.add_timeline(
            TimelineEntry(at=now, state=target, source=source, detail=detail)
        )
        outcome.transitions.append(
            Transition(request.request_id, previous, target, source, detail)
        )
        outcome.changed[request.request_id] = request

    def _note(
        self,
        request: MediaRequest,
        source: Source,
        detail: str,
        now: datetime,
        outcome: Outcome,
    ) -> None:
        request.add_timeline(
            TimelineEntry(at=now, state=request.stage, source=source, detail=detail)
        )
        self._touch(request, now, outcome)

    @staticmethod
    def _touch(request: MediaRequest, now: datetime, outcome: Outcome) -> None:
        """Record a change that is no move: shown and persisted, stage unchanged."""
        request.updated_at = now
        outcome.changed[request.request_id] = request

    def _new_id(
        self,
        media: MediaInfo,
        download_hash: str | None = None,
        *,
        prefix: str = "jellyseerr",
    ) -> str:
        anchor = (
            download_hash[:12]
            if download_hash
            else str(media.ids.tmdb_id or media.ids.tvdb_id or 0)
        )
        candidate = f"{prefix}_{anchor}"
        suffix = 1
        while candidate in self._requests:
            suffix += 1
            candidate = f"{prefix}_{anchor}_{suffix}"
        return candidate


class _Change(Enum):
    NONE = auto()
    PROGRESS = auto()
    NOTABLE = auto()


def _visible_change(shown: DownloadStatus, current: DownloadStatus) -> _Change:
    """Whether new figures are worth a new state: a user must be able to see it.

    Progress moving by less than a point or a speed wobbling is not; progress
    alone is shown at most every ``progress_every``; the recorder would
    otherwise gain a row every poll for every torrent. A stall, a start or
    stop, and an ETA becoming known or unknown are shown at once.
    """
    if shown.progress is None or current.progress is None:
        return _Change.NOTABLE if shown.progress != current.progress else _Change.NONE
    if (
        current.stalled != shown.stalled
        or ((shown.download_speed or 0) == 0) != (current.download_speed == 0)
        or (shown.eta is None) != (current.eta is None)
        or shown.size != current.size
    ):
        return _Change.NOTABLE
    if abs(current.progress - shown.progress) >= 1.0:
        return _Change.PROGRESS
    return _Change.NONE


def _has_reached(request: MediaRequest, stage: Stage) -> bool:
    """Whether a request still in the pipeline is at ``stage`` or past it."""
    return (
        request.stage is not Stage.FAILED
        and PIPELINE_RANK[request.stage] >= PIPELINE_RANK[stage]
    )


def _name(name: str | None) -> str | None:
    return shorten(name, NAME_LIMIT) if name else name


def _url(url: str | None) -> str | None:
    return url if url is None or len(url) <= URL_LIMIT else None


def _fallback_title(media: MediaInfo) -> str:
    if media.ids.tmdb_id:
        return f"TMDB {media.ids.tmdb_id}"
    return f"TVDB {media.ids.tvdb_id}"


def _merge_media(
    request: MediaRequest, media: MediaInfo, *, from_request: bool = False
) -> None:
    """Fill what we did not know; never overwrite a requester's poster with an *arr one."""
    if media.title and (from_request or request.title.startswith(("TMDB ", "TVDB "))):
        request.title = shorten(media.title, TITLE_LIMIT)
    if media.year and (from_request or request.year is None):
        request.year = media.year
    known = request.ids
    request.ids = replace(
        known,
        tmdb_id=known.tmdb_id or media.ids.tmdb_id,
        tvdb_id=known.tvdb_id or media.ids.tvdb_id,
        imdb_id=known.imdb_id or media.ids.imdb_id,
        anidb_id=known.anidb_id or media.ids.anidb_id,
    )
    request.is_anime = request.is_anime or media.is_anime
    poster_url = _url(media.poster_url)
    if poster_url and (from_request or not request.poster_from_request):
        request.poster_url = poster_url
        request.poster_from_request = request.poster_from_request or from_request


def _add_grab(request: MediaRequest, event: GrabEvent) -> None:
    if event.download_hash and event.download_hash not in request.download_hashes:
        request.download_hashes.append(event.download_hash)
    if event.size:
        request.download.size = event.size
    _mark_episodes(request, event.episodes, EpisodeProgress.GRABBED)


def _mark_episodes(
    request: MediaRequest, keys: Iterable[EpisodeKey], progress: EpisodeProgress
) -> None:
    for key in keys:
        if key not in request.episodes or request.episodes[key] < progress:
            request.episodes[key] = progress


def _covers(request: MediaRequest, episodes: frozenset[EpisodeKey]) -> bool:
    """Tell whether a grab brings nothing new, which makes it an upgrade."""
    return request.media_type is MediaType.MOVIE or episodes <= request.episodes.keys()


def library_complete(request: MediaRequest) -> bool:
    """Whether Jellyfin has shown all of a request: its item, and every episode of a series."""
    if request.jellyfin_id is None:
        return False
    return request.media_type is MediaType.MOVIE or _tv_complete(request)


def _tv_complete(request: MediaRequest) -> bool:
    """Every requested season has episodes, and every known episode is playable."""
    if not request.episodes:
        return False
    seasons_seen = {key.season for key in request.episodes}
    if not set(request.seasons) <= seasons_seen:
        return False
    return all(
        progress is EpisodeProgress.AVAILABLE for progress in request.episodes.values()
    )


_EPISODE_IN_NAME = re.compile(r"[Ss](\d{1,3})[Ee](\d{1,4})")


def _record_files(request: MediaRequest, event: ImportEvent) -> None:
    """Remember which file holds which episodes, so Shoko's paths can be tied back."""
    for path in event.file_paths:
        if len(path) > PATH_LIMIT:
            continue
        if request.media_type is MediaType.MOVIE:
            request.file_paths[path] = ()
        elif len(event.file_paths) == 1 and event.episodes:
            request.file_paths[path] = tuple(sorted(event.episodes))
        else:
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            request.file_paths[path] = tuple(
                EpisodeKey(int(season), int(number))
                for season, number in _EPISODE_IN_NAME.findall(name)
            )


def _import_detail(event: ImportEvent) -> str:
    if event.episodes:
        names = ", ".join(str(key) for key in sorted(event.episodes)[:5])
        more = f" and {len(event.episodes) - 5} more" if len(event.episodes) > 5 else ""
        return f"imported {names}{more}"
    return "imported into the library"
