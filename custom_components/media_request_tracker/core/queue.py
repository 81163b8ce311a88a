"""Following downloads through a Radarr's or Sonarr's queue, for any download client.

The queue names every download the app grabbed, whatever holds it (SABnzbd,
qBittorrent …), with its size, bytes left, time left and the app's own view
of the import (``trackedDownloadState``). ``ArrQueue`` keeps one instance's
queue between polls, folding Sonarr's record-per-episode into one download
and deriving a speed from how ``sizeleft`` falls; ``follow_queue`` applies
it to the requests that instance grabbed, through the same figures rule
(``downloads.show_figures``) and stage moves as qBittorrent's progress.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .book import Change
from .downloads import note_stall, show_figures, stalled_since
from .model import (
    DOWNLOAD_STAGES,
    DownloadStatus,
    MediaRequest,
    MediaType,
    Source,
    Stage,
)
from .options import TrackerOptions
from .outcome import IMPORT_BLOCKED
from .parsers.arr_queue import QueueRecord

# Requests whose download or import the queue can tell about.
FOLLOWED_STAGES = DOWNLOAD_STAGES | {Stage.DOWNLOAD_DONE, Stage.IMPORTING}
# Tracked states in which the download itself is complete.
_DOWNLOADED = frozenset({"importPending", "importBlocked", "importing", "imported"})
_FAILED = frozenset({"failedPending", "failed"})
# Queue statuses in which the client is expected to move data. ``warning`` is
# how the app shows a download that moves nothing (qBittorrent's ``stalledDL``,
# a magnet it cannot resolve); ``queued`` and ``paused`` wait on the client.
_MOVING = frozenset({"downloading", "warning"})
# The states shown as ``import_status``, most telling first: of several
# downloads of one request, the first state here that one of them is in.
_IMPORT_STATES = (
    "importBlocked",
    "failed",
    "failedPending",
    "importing",
    "importPending",
)
# The app refreshes its queue from the download client once a minute (the
# default ``CheckForFinishedDownloadInterval``): between refreshes the bytes
# left stand still, so a speed is kept this long before it counts as zero.
SPEED_KEPT_FOR = timedelta(minutes=3)


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueDownload:
    """One download in the queue (all its records), with a speed once it has moved."""

    download_id: str | None
    queue_ids: tuple[int, ...]
    movie_id: int | None
    series_id: int | None
    episode_ids: frozenset[int]
    size: int | None
    size_left: int | None
    time_left: int | None
    estimated_completion: datetime | None
    status: str
    tracked_state: str | None
    message: str | None
    download_client: str | None
    speed: int | None = None
    # When ``sizeleft`` last fell (or the download was first seen).
    moved_at: datetime | None = None

    @property
    def done(self) -> bool:
        """The download client has all of it (the import may still be to come)."""
        return self.status == "completed" or self.tracked_state in _DOWNLOADED

    @property
    def failed(self) -> bool:
        """The app gave the download up (it blocklists and searches again by itself)."""
        return self.tracked_state in _FAILED or self.status == "failed"

    @property
    def moving(self) -> bool:
        """The client should be moving data: it is downloading, with bytes left."""
        return (
            self.status in _MOVING
            and self.tracked_state in (None, "downloading")
            and bool(self.size_left)
        )

    def eta(self, now: datetime) -> int | None:
        """Seconds left: the app's estimate counts from its last refresh, not from ours."""
        if self.estimated_completion is not None:
            return max(int((self.estimated_completion - now).total_seconds()), 0)
        return self.time_left


@dataclass(slots=True)
class _Moved:
    size_left: int
    at: datetime
    speed: int | None = None


class ArrQueue:
    """One instance's queue as the last poll saw it."""

    def __init__(self) -> None:
        """Start empty: the first poll gives figures, the second a speed."""
        self.downloads: dict[str, QueueDownload] = {}
        self._moved: dict[str, _Moved] = {}

    def apply(self, records: Iterable[QueueRecord], now: datetime) -> None:
        """Take a whole new queue; downloads no longer in it are forgotten."""
        grouped: dict[str, list[QueueRecord]] = {}
        for record in records:
            key = record.download_id or f"queue:{record.queue_id}"
            grouped.setdefault(key, []).append(record)
        self.downloads = {
            key: self._download(key, group, now) for key, group in grouped.items()
        }
        for key in set(self._moved) - set(self.downloads):
            del self._moved[key]

    def downloads_of(self, request: MediaRequest) -> list[QueueDownload]:
        """Find the request's downloads: by download id, else by its item (and episodes)."""
        hashes = {value.lower() for value in request.download_hashes}
        found = [d for d in self.downloads.values() if d.download_id in hashes]
        if found or request.arr is None or request.arr.item_id is None:
            return found
        item = request.arr.item_id
        if request.media_type is MediaType.MOVIE:
            return [d for d in self.downloads.values() if d.movie_id == item]
        episodes = set(request.arr.episode_ids)
        return [
            d
            for d in self.downloads.values()
            if d.series_id == item and (not episodes or d.episode_ids & episodes)
        ]

    def _download(
        self, key: str, records: list[QueueRecord], now: datetime
    ) -> QueueDownload:
        first = records[0]
        speed = self._speed(key, first.size_left, now)
        moved = self._moved.get(key)
        return QueueDownload(
            download_id=first.download_id,
            queue_ids=tuple(record.queue_id for record in records),
            movie_id=first.movie_id,
            series_id=first.series_id,
            episode_ids=frozenset(r.episode_id for r in records if r.episode_id),
            size=first.size or None,
            size_left=first.size_left,
            time_left=first.time_left,
            estimated_completion=first.estimated_completion,
            status=first.status,
            tracked_state=first.tracked_state,
            message=first.message,
            download_client=first.download_client,
            speed=speed,
            moved_at=moved.at if moved is not None else None,
        )

    def _speed(self, key: str, size_left: int | None, now: datetime) -> int | None:
        """Bytes per second between the last two changes of ``sizeleft``."""
        if size_left is None:
            self._moved.pop(key, None)
            return None
        moved = self._moved.get(key)
        if moved is None or size_left > moved.size_left:
            self._moved[key] = _Moved(size_left, now)
            return None
        if size_left < moved.size_left:
            seconds = (now - moved.at).total_seconds()
            speed = (
                int((moved.size_left - size_left) / seconds) if seconds > 0 else None
            )
            self._moved[key] = _Moved(size_left, now, speed)
            return speed
        if moved.speed is not None and now - moved.at >= SPEED_KEPT_FOR:
            moved.speed = 0
        return moved.speed


def follows_queue(requests: Iterable[MediaRequest], instance: str) -> bool:
    """Whether a request of this instance waits on its download or its import."""
    return any(_followed(request, instance) for request in requests)


def follow_queue(
    change: Change,
    instance: str,
    source: Source,
    queue: ArrQueue,
    options: TrackerOptions,
    skip_figures: Container[str] = frozenset(),
) -> None:
    """Apply one instance's queue to every request it grabbed.

    ``skip_figures`` holds download ids whose figures come from elsewhere
    (qBittorrent's own, which are live); their import state still comes from here.
    """
    for request in list(change.book):
        if _followed(request, instance):
            downloads = queue.downloads_of(request)
            if downloads:
                _follow(change, request, source, downloads, options, skip_figures)
            elif request.import_status is not None:
                # Gone from the queue: imported, or removed there.
                request.import_status = request.import_message = None
                change.save(request)


def _followed(request: MediaRequest, instance: str) -> bool:
    return (
        request.arr is not None
        and request.arr.instance == instance
        and (request.stage in FOLLOWED_STAGES or request.import_status is not None)
    )


def _follow(
    change: Change,
    request: MediaRequest,
    source: Source,
    downloads: list[QueueDownload],
    options: TrackerOptions,
    skip_figures: Container[str],
) -> None:
    if request.stage in DOWNLOAD_STAGES:
        _follow_download(change, request, source, downloads, options, skip_figures)
    _note_import(change, request, source, downloads)
    _note_failure(change, request, source, downloads)


def _follow_download(
    change: Change,
    request: MediaRequest,
    source: Source,
    downloads: list[QueueDownload],
    options: TrackerOptions,
    skip_figures: Container[str],
) -> None:
    """Show the figures, and move the request on as qBittorrent's progress does."""
    if all(download.done for download in downloads):
        request.download = DownloadStatus(progress=100.0, size=_total(downloads)[0])
        change.move(request, Stage.DOWNLOAD_DONE, source, "download finished")
        return
    figures = _figures(downloads, change.now, request.download.size)
    if not any(download.download_id in skip_figures for download in downloads):
        _check_stall(change, request, source, downloads, figures, options)
        show_figures(change, request, figures, options.progress_every)
    if request.stage is Stage.INDEXED and (figures.progress or figures.download_speed):
        change.move(request, Stage.DOWNLOADING, source, "download started")


def _check_stall(
    change: Change,
    request: MediaRequest,
    source: Source,
    downloads: list[QueueDownload],
    figures: DownloadStatus,
    options: TrackerOptions,
) -> None:
    """Time a stall by ``sizeleft``, as qBittorrent's path times it by bytes done.

    The app refreshes its queue about once a minute, so ``sizeleft`` stands
    still between refreshes; ``stall_after`` (minutes) covers that. Of several
    downloads, the request stalls when every one expected to move has stalled
    (one left waiting in SABnzbd's queue behind it waits on it). The app's own
    word for it (a ``warning`` such as "The download is stalled with no
    connections") is quoted, not trusted at once: qBittorrent's ``stalledDL``
    is a moment's state, sampled once a minute.
    """
    if figures.progress is None:
        return  # nothing to show it on
    moving = [download for download in downloads if download.moving]
    since = [
        stalled_since(
            moving=True,
            moved_at=download.moved_at,
            now=change.now,
            stall_after=options.stall_after,
        )
        for download in moving
    ]
    stalled = [moved for moved in since if moved is not None]
    figures.stalled_since = (
        min(stalled) if stalled and len(stalled) == len(since) else None
    )
    if figures.stalled != request.download.stalled:
        reason = next(
            (d.message for d in moving if d.status == "warning" and d.message), None
        )
        note_stall(
            change,
            request,
            source,
            stalled=figures.stalled,
            stall_after=options.stall_after,
            reason=reason,
        )


def _figures(
    downloads: list[QueueDownload], now: datetime, known_size: int | None
) -> DownloadStatus:
    """One request's figures over its downloads: sums, and the latest end."""
    size, left = _total(downloads)
    speeds = [d.speed for d in downloads if d.speed is not None and not d.done]
    etas = [eta for d in downloads if not d.done and (eta := d.eta(now)) is not None]
    return DownloadStatus(
        progress=round((size - left) * 100 / size, 1)
        if size and left is not None
        else None,
        download_speed=sum(speeds) if speeds else None,
        eta=max(etas) if etas else None,
        size=size or known_size,
    )


def _total(downloads: list[QueueDownload]) -> tuple[int | None, int | None]:
    sizes = [d.size for d in downloads if d.size]
    lefts = [d.size_left for d in downloads if d.size and d.size_left is not None]
    return (sum(sizes) or None, sum(lefts) if len(lefts) == len(sizes) else None)


def _note_import(
    change: Change,
    request: MediaRequest,
    source: Source,
    downloads: list[QueueDownload],
) -> None:
    """Show the app's import state and client; a blocked import gets a timeline line."""
    states = {download.tracked_state: download for download in downloads}
    state = next((s for s in _IMPORT_STATES if s in states), None)
    message = states[state].message if state is not None else None
    client = next((d.download_client for d in downloads if d.download_client), None)
    client = client or request.download_client
    if (state, message, client) == (
        request.import_status,
        request.import_message,
        request.download_client,
    ):
        return
    blocked_now = state == IMPORT_BLOCKED and (
        request.import_status != IMPORT_BLOCKED or message != request.import_message
    )
    request.import_status, request.import_message = state, message
    request.download_client = client
    if blocked_now:
        change.note(request, source, f"cannot import: {message or 'no reason given'}")
    else:
        change.save(request)


def _note_failure(
    change: Change,
    request: MediaRequest,
    source: Source,
    downloads: list[QueueDownload],
) -> None:
    """Flag a download the app gave up on once; clear the flag when it is no longer so."""
    failed = next((d for d in downloads if d.failed), None)
    if failed is not None and request.download_problem != "failed":
        request.download_problem = "failed"
        change.note(
            request, source, f"download failed: {failed.message or failed.status}"
        )
    elif failed is None and request.download_problem == "failed":
        request.download_problem = None
        change.note(request, source, "download is going again")
