"""Jellyfin's notifications: a film, series or episode added to the library."""

from __future__ import annotations

from collections.abc import Iterable

from .book import Change
from .correlation import ids_match, newest_first, seasons_overlap
from .events import LibraryItemEvent, LibraryItemType, TrackerEvent
from .library import ids_contradict
from .model import EpisodeProgress, MediaIds, MediaRequest, MediaType, Source, Stage
from .verification import finish_series


def needs_series_lookup(requests: Iterable[MediaRequest], event: TrackerEvent) -> bool:
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
        for request in requests
        if not request.stage.is_terminal
    )


def on_library_item(change: Change, event: LibraryItemEvent) -> None:
    """Move a film on, tie a series to its requests, or count an episode."""
    if event.item_type is LibraryItemType.MOVIE:
        films = _requests_in_progress(change, MediaType.MOVIE, event.ids)
        if not films:
            change.ignore("film matches no request in progress")
            return
        request = films[0]
        request.jellyfin_id = event.item_id
        change.move(request, Stage.AVAILABLE, Source.JELLYFIN, "added to Jellyfin")
    elif event.item_type is LibraryItemType.SERIES:
        requests = _series_requests(change, event.item_id, event.ids)
        if not requests:
            change.ignore("series matches no request in progress")
        for request in requests:
            request.jellyfin_series_id = request.jellyfin_id = event.item_id
            change.save(request)
    else:
        _on_episode(change, event)


def _on_episode(change: Change, event: LibraryItemEvent) -> None:
    if event.series_id is None or not event.episodes:
        change.ignore(f"{event.item_type} without series or episode numbers")
        return
    season = next(iter(event.episodes)).season
    candidates = [
        request
        for request in _series_requests(change, event.series_id, event.series_ids)
        if seasons_overlap(request, frozenset({season}))
    ]
    if not candidates:
        change.ignore("episode matches no request in progress")
        return
    request = candidates[0]
    request.jellyfin_series_id = request.jellyfin_id = event.series_id
    wanted = {
        key
        for key in event.episodes
        if key in request.episodes or key.season in request.seasons
    }
    request.advance_episodes(wanted, EpisodeProgress.AVAILABLE)
    if not finish_series(change, request):
        change.touch(request)


def _series_requests(
    change: Change, series_id: str, ids: MediaIds | None
) -> list[MediaRequest]:
    """Return the series requests in progress that a Jellyfin series is, newest first."""
    return [
        request
        for request in newest_first(change.book)
        if not request.stage.is_terminal
        and request.media_type is MediaType.TV
        and (
            request.jellyfin_series_id == series_id
            or (ids is not None and _names(ids, request, MediaType.TV))
        )
    ]


def _requests_in_progress(
    change: Change, media_type: MediaType, ids: MediaIds
) -> list[MediaRequest]:
    """Return the requests in progress that an item names, newest first.

    One shared id is not enough, as in the library check: an item whose
    other ids contradict the request's is another title.
    """
    return [
        request
        for request in newest_first(change.book)
        if not request.stage.is_terminal and _names(ids, request, media_type)
    ]


def _names(ids: MediaIds, request: MediaRequest, media_type: MediaType) -> bool:
    return ids_match(request, media_type, ids) and not ids_contradict(
        ids, request.ids, media_type
    )
