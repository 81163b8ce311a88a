"""Library verification: a look at the Jellyfin library moves requests on, or completes them.

A webhook can be missed and Jellyseerr may report a title available before
Jellyfin shows all of it, so the library itself is the last word: a request
is available once its film, or every requested episode, is playable there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .book import Change
from .library import LibraryIndex, LibraryItem
from .model import (
    WAITING_STAGES,
    EpisodeProgress,
    MediaIds,
    MediaRequest,
    MediaType,
    Source,
    Stage,
)

# Verification also looks at new requests: a re-request may already be there.
_VERIFIED_STAGES = WAITING_STAGES | {Stage.REQUESTED, Stage.APPROVED}
# A request reported available before the library showed it is looked for this
# long for its Jellyfin item and episodes; Jellyseerr learns of availability
# from Jellyfin, so it is normally there within minutes.
AVAILABLE_FOLLOW_UP = timedelta(days=1)
_FOUND = "found in the Jellyfin library"
_ALL_EPISODES = "every requested episode is in Jellyfin"


def awaiting_library(
    requests: Iterable[MediaRequest], now: datetime
) -> list[MediaRequest]:
    """Return the requests that a look at the Jellyfin library could move on or complete.

    Besides the waiting ones, a request reported available (by Jellyseerr,
    or by hand) before the library showed it: it is looked for until it
    has its Jellyfin item and, for a series, every episode is seen there.
    """
    return [
        request
        for request in requests
        if request.stage in _VERIFIED_STAGES
        or (
            request.stage is Stage.AVAILABLE
            and now - (request.stage_since or request.requested_at)
            < AVAILABLE_FOLLOW_UP
            and not library_complete(request)
        )
    ]


def verify_library(change: Change, library: LibraryIndex) -> None:
    """Move every request whose media the library shows as playable to available.

    Films match by id, by a Shoko file in an item path (a compilation film
    filed as a series special), or by Shoko series; series match by id and
    then episode by episode, virtual (missing) episodes excluded. A
    request already available only gains its item and episodes.
    """
    for request in awaiting_library(change.book, change.now):
        found = library.find(
            request.media_type,
            request.ids,
            request.title,
            request.year,
            request.shoko_series_ids,
        )
        by_file = library.by_shoko_file(request.shoko_files)
        if request.media_type is MediaType.MOVIE:
            _verify_film(change, request, found + by_file, library)
        else:
            _verify_series(change, request, found, by_file, library)


def library_complete(request: MediaRequest) -> bool:
    """Whether Jellyfin has shown all of a request: its item, and every episode of a series."""
    if request.jellyfin_id is None:
        return False
    return request.media_type is MediaType.MOVIE or _series_complete(request)


def finish_series(change: Change, request: MediaRequest) -> bool:
    """Make a series available once every requested episode is; say whether it did."""
    if not _series_complete(request):
        return False
    change.move(request, Stage.AVAILABLE, Source.JELLYFIN, _ALL_EPISODES)
    return True


def _series_complete(request: MediaRequest) -> bool:
    """Every requested season has episodes, and every known episode is playable."""
    if not request.episodes:
        return False
    seasons_seen = {key.season for key in request.episodes}
    if not set(request.seasons) <= seasons_seen:
        return False
    return all(
        progress is EpisodeProgress.AVAILABLE for progress in request.episodes.values()
    )


def _verify_film(
    change: Change,
    request: MediaRequest,
    items: list[LibraryItem],
    library: LibraryIndex,
) -> None:
    playable = [item for item in items if not item.virtual]
    if (
        not playable
        and request.shoko_series_ids
        and (request.stage in WAITING_STAGES or request.stage is Stage.AVAILABLE)
    ):
        playable = _specials_of(request.shoko_series_ids, library)
    if not playable:
        return
    request.jellyfin_id = playable[0].item_id
    if request.stage is Stage.AVAILABLE:
        change.note(request, Source.JELLYFIN, _FOUND)
    else:
        change.move(request, Stage.AVAILABLE, Source.JELLYFIN, _FOUND)


def _specials_of(
    shoko_series_ids: tuple[int, ...], library: LibraryIndex
) -> list[LibraryItem]:
    """Playable specials of the Shoko series: Shoko files some compilation films so."""
    return [
        episode
        for series in library.find(
            MediaType.TV, MediaIds(), shoko_series_ids=shoko_series_ids
        )
        for episode in library.episodes_of(series.item_id)
        if not episode.virtual and any(key.season == 0 for key in episode.episodes)
    ]


def _verify_series(
    change: Change,
    request: MediaRequest,
    series: list[LibraryItem],
    by_file: list[LibraryItem],
    library: LibraryIndex,
) -> None:
    if not series and not by_file:
        return
    before = (dict(request.episodes), request.jellyfin_id)
    if series:
        request.jellyfin_series_id = request.jellyfin_id = series[0].item_id
    elif request.jellyfin_series_id is None:
        # Found by its Shoko files alone: their episodes name the series.
        if shown := next((item.series_id for item in by_file if item.series_id), None):
            request.jellyfin_series_id = request.jellyfin_id = shown
    _mark_listed_episodes(request, series, library, change.now)
    for item in by_file:
        if not item.virtual:
            for file_id in item.shoko_file_ids & request.shoko_files.keys():
                request.advance_episodes(
                    request.shoko_files[file_id], EpisodeProgress.AVAILABLE
                )
    changed = (dict(request.episodes), request.jellyfin_id) != before
    if request.stage is not Stage.AVAILABLE:
        if not finish_series(change, request) and changed:
            change.touch(request)
    elif changed and library_complete(request):
        change.note(request, Source.JELLYFIN, _ALL_EPISODES)
    elif changed:
        change.touch(request)


def _mark_listed_episodes(
    request: MediaRequest,
    series: list[LibraryItem],
    library: LibraryIndex,
    now: datetime,
) -> None:
    """Mark the requested episodes a series lists: playable, or missing once aired."""
    wanted_seasons = set(request.seasons)
    for episode in (
        item for show in series for item in library.episodes_of(show.item_id)
    ):
        for key in episode.episodes:
            if episode.virtual:
                aired = episode.premiere is None or episode.premiere <= now
                if aired and key.season in wanted_seasons:
                    request.advance_episodes([key], EpisodeProgress.WANTED)
            elif key in request.episodes or key.season in wanted_seasons:
                request.advance_episodes([key], EpisodeProgress.AVAILABLE)
