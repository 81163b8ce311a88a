"""Following downloads: what qBittorrent reports, applied to the requests it is downloading.

Figures are shown only when a user could see the difference, so that the
recorder does not gain a row every poll for every torrent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum, auto

from .book import Change
from .model import DOWNLOAD_STAGES, DownloadStatus, MediaRequest, Source, Stage
from .options import TrackerOptions
from .torrents import TorrentCondition, TorrentStatus, TorrentTable

# A torrent in these conditions is expected to move data.
_MOVING = frozenset({TorrentCondition.WAITING, TorrentCondition.DOWNLOADING})


def downloads_to_follow(requests: Iterable[MediaRequest]) -> dict[str, MediaRequest]:
    """Return the requests waiting on qBittorrent, by the hash of their download."""
    return {
        request.download_hashes[-1]: request
        for request in requests
        if request.stage in DOWNLOAD_STAGES and request.download_hashes
    }


def follow_downloads(
    change: Change, torrents: TorrentTable, options: TrackerOptions
) -> None:
    """Apply what qBittorrent reports to every request it is downloading."""
    for torrent_hash, request in downloads_to_follow(change.book).items():
        status = torrents.get(torrent_hash)
        if status is not None:
            _follow_torrent(change, request, status, options)
        elif torrent_hash in torrents.removed:
            _flag_problem(
                change,
                request,
                "removed",
                "removed from qBittorrent before it finished",
            )


def _follow_torrent(
    change: Change,
    request: MediaRequest,
    status: TorrentStatus,
    options: TrackerOptions,
) -> None:
    condition = status.condition
    _check_health(change, request, status)
    since = stalled_since(
        moving=condition in _MOVING,
        moved_at=status.moved_at,
        now=change.now,
        stall_after=options.stall_after,
    )
    stalled = since is not None
    if stalled != request.download.stalled:
        note_stall(
            change,
            request,
            Source.QBITTORRENT,
            stalled=stalled,
            stall_after=options.stall_after,
        )
    complete = condition is TorrentCondition.COMPLETE
    figures = DownloadStatus(
        progress=100.0 if complete else round(status.progress * 100, 1),
        download_speed=status.download_speed,
        eta=0 if complete else status.eta,
        size=status.size or request.download.size,
        stalled_since=since,
    )
    show_figures(change, request, figures, options.progress_every)
    if complete:
        request.download = figures
        change.move(
            request, Stage.DOWNLOAD_DONE, Source.QBITTORRENT, "download finished"
        )
    elif condition is TorrentCondition.DOWNLOADING and request.stage is Stage.INDEXED:
        change.move(request, Stage.DOWNLOADING, Source.QBITTORRENT, "download started")


def _check_health(change: Change, request: MediaRequest, status: TorrentStatus) -> None:
    """Flag a broken download, and say so once it works again."""
    if status.condition is TorrentCondition.BROKEN:
        _flag_problem(
            change, request, status.state, f"qBittorrent reports {status.state}"
        )
    elif request.download_problem is not None:
        request.download_problem = None
        change.note(
            request, Source.QBITTORRENT, f"qBittorrent reports {status.state} again"
        )


def _flag_problem(
    change: Change, request: MediaRequest, problem: str, detail: str
) -> None:
    """Record a broken download once; the request stays, waiting for a fix."""
    if request.download_problem == problem:
        return
    request.download_problem = problem
    change.note(request, Source.QBITTORRENT, detail)


def stalled_since(
    *, moving: bool, moved_at: datetime | None, now: datetime, stall_after: timedelta
) -> datetime | None:
    """When a stalled download last moved data; None while it is not stalled.

    A download counts as stalled when it is expected to move data (not
    paused, queued or finished) and has moved none for ``stall_after``. It
    is stuck from when data last moved, not from its start.
    """
    if moving and moved_at is not None and now - moved_at >= stall_after:
        return moved_at
    return None


def note_stall(
    change: Change,
    request: MediaRequest,
    source: Source,
    *,
    stalled: bool,
    stall_after: timedelta,
    reason: str | None = None,
) -> None:
    """Put a stall, or its end, on the timeline; ``reason`` is the client's own word."""
    minutes = int(stall_after.total_seconds() // 60)
    detail = (
        f"stalled: no data for {minutes} minutes" if stalled else "data is moving again"
    )
    if stalled and reason:
        detail += f" ({reason})"
    change.note(request, source, detail)


def show_figures(
    change: Change,
    request: MediaRequest,
    figures: DownloadStatus,
    progress_every: timedelta,
) -> None:
    """Show new figures when they are worth a new state."""
    shown = request.download
    kind = _kind_of_change(shown, figures)
    if kind is _FigureChange.NOTABLE or (
        kind is _FigureChange.PROGRESS
        and (shown.shown_at is None or change.now - shown.shown_at >= progress_every)
    ):
        figures.shown_at = change.now
        request.download = figures
        change.show(request)


class _FigureChange(Enum):
    NONE = auto()
    PROGRESS = auto()
    NOTABLE = auto()


def _kind_of_change(shown: DownloadStatus, current: DownloadStatus) -> _FigureChange:
    """Whether new figures are worth a new state: a user must be able to see it.

    Progress moving by less than a point or a speed wobbling is not; progress
    alone is shown at most every ``progress_every``. A stall, a start or
    stop, and an ETA becoming known or unknown are shown at once.
    """
    if shown.progress is None or current.progress is None:
        if shown.progress != current.progress:
            return _FigureChange.NOTABLE
        return _FigureChange.NONE
    if (
        current.stalled != shown.stalled
        or ((shown.download_speed or 0) == 0) != ((current.download_speed or 0) == 0)
        or (shown.eta is None) != (current.eta is None)
        or shown.size != current.size
    ):
        return _FigureChange.NOTABLE
    if abs(current.progress - shown.progress) >= 1.0:
        return _FigureChange.PROGRESS
    return _FigureChange.NONE
