"""Radarr and Sonarr webhooks.

Both share one envelope (``eventType`` in PascalCase, everything else
camelCase). An import is ``Download``; Sonarr sends it per file
(``episodeFile``) and, from v4.0.6, once more per release (``episodeFiles``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from custom_components.media_request_tracker.core.events import (
    ArrNoticeEvent,
    GrabEvent,
    IgnoredEvent,
    ImportEvent,
    MediaInfo,
    TrackerEvent,
)
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaIds,
    MediaType,
    Source,
)

from .fields import (
    PayloadError,
    as_int,
    download_hash,
    optional_bool,
    optional_int,
    optional_list,
    optional_object,
    optional_str,
    require_object,
    required_str,
    year_of,
)

_UNTRACKED_EVENTS = frozenset(
    {
        "Rename",
        "MovieAdded",
        "SeriesAdd",
        "Health",
        "HealthRestored",
        "ApplicationUpdate",
    }
)


def parse_radarr(payload: object) -> TrackerEvent:
    """Turn a Radarr webhook into a tracker event."""
    return _parse_arr(payload, Source.RADARR, "movie", _movie_info)


def parse_sonarr(payload: object) -> TrackerEvent:
    """Turn a Sonarr webhook into a tracker event."""
    return _parse_arr(payload, Source.SONARR, "series", _series_info)


def _parse_arr(
    payload: object,
    source: Source,
    media_key: str,
    read_media: Callable[[dict[str, Any]], MediaInfo],
) -> TrackerEvent:
    body = require_object(payload, f"{source.title()} payload")
    event_type = required_str(body, "eventType")
    if event_type == "Test":
        return IgnoredEvent(source=source, reason="test event")
    if event_type in _UNTRACKED_EVENTS:
        return IgnoredEvent(source=source, reason=f"{event_type} is not tracked")
    handler = _HANDLERS.get(event_type)
    if handler is None:
        return IgnoredEvent(source=source, reason=f"unknown event type {event_type}")
    media_object = optional_object(body, media_key)
    if media_object is None:
        raise PayloadError(
            f"'{media_key}' is missing; is this a {source.title()} payload?"
        )
    media = read_media(media_object)
    return handler(body, source, media)


# Where each *arr puts the item its webhook is about.
_MEDIA_KEY = {Source.RADARR: "movie", Source.SONARR: "series"}


def _grab(body: dict[str, Any], source: Source, media: MediaInfo) -> TrackerEvent:
    release = optional_object(body, "release") or {}
    return GrabEvent(
        source=source,
        media=media,
        download_hash=download_hash(body),
        release_title=optional_str(release, "releaseTitle"),
        size=optional_int(release, "size"),
        episodes=_episodes(body),
        item_id=optional_int(optional_object(body, _MEDIA_KEY[source]) or {}, "id"),
        episode_ids=frozenset(
            episode_id
            for episode in optional_list(body, "episodes")
            if isinstance(episode, dict)
            and (episode_id := optional_int(episode, "id")) is not None
        ),
    )


def _import(body: dict[str, Any], source: Source, media: MediaInfo) -> TrackerEvent:
    files = [
        file for file in optional_list(body, "episodeFiles") if isinstance(file, dict)
    ]
    files.extend(
        single
        for key in ("movieFile", "episodeFile")
        if (single := optional_object(body, key)) is not None
    )
    paths = tuple(path for file in files if (path := optional_str(file, "path")))
    return ImportEvent(
        source=source,
        media=media,
        download_hash=download_hash(body),
        is_upgrade=optional_bool(body, "isUpgrade"),
        episodes=_episodes(body),
        file_paths=paths,
    )


def _file_deleted(
    body: dict[str, Any], source: Source, media: MediaInfo
) -> TrackerEvent:
    reason = optional_str(body, "deleteReason") or "unknown reason"
    return ArrNoticeEvent(
        source=source,
        media=media,
        detail=f"file deleted in {source.title()} ({reason})",
        episodes=_episodes(body),
    )


def _media_deleted(
    body: dict[str, Any], source: Source, media: MediaInfo
) -> TrackerEvent:
    files = "with its files" if optional_bool(body, "deletedFiles") else "files kept"
    return ArrNoticeEvent(
        source=source, media=media, detail=f"removed from {source.title()} ({files})"
    )


def _manual_interaction(
    body: dict[str, Any], source: Source, media: MediaInfo
) -> TrackerEvent:
    messages: list[str] = []
    for status in optional_list(body, "downloadStatusMessages"):
        if isinstance(status, dict):
            messages.extend(str(text) for text in optional_list(status, "messages"))
    detail = f"{source.title()} needs manual interaction"
    if messages:
        detail = f"{detail}: {'; '.join(messages)}"
    return ArrNoticeEvent(
        source=source,
        media=media,
        detail=detail,
        download_hash=download_hash(body),
        episodes=_episodes(body),
    )


_HANDLERS: dict[str, Callable[[dict[str, Any], Source, MediaInfo], TrackerEvent]] = {
    "Grab": _grab,
    "Download": _import,
    "MovieFileDelete": _file_deleted,
    "EpisodeFileDelete": _file_deleted,
    "MovieDelete": _media_deleted,
    "SeriesDelete": _media_deleted,
    "ManualInteractionRequired": _manual_interaction,
}


def _movie_info(movie: dict[str, Any]) -> MediaInfo:
    genres = {str(genre) for genre in optional_list(movie, "genres")}
    language = optional_object(movie, "originalLanguage") or {}
    return MediaInfo(
        media_type=MediaType.MOVIE,
        ids=MediaIds(
            tmdb_id=optional_int(movie, "tmdbId"), imdb_id=optional_str(movie, "imdbId")
        ),
        title=optional_str(movie, "title"),
        year=year_of(movie.get("year"), "year"),
        poster_url=_poster(movie),
        # Radarr has no anime flag; Japanese animation is the best signal it gives.
        is_anime="Animation" in genres and optional_str(language, "name") == "Japanese",
    )


def _series_info(series: dict[str, Any]) -> MediaInfo:
    return MediaInfo(
        media_type=MediaType.TV,
        ids=MediaIds(
            tmdb_id=optional_int(series, "tmdbId"),
            tvdb_id=optional_int(series, "tvdbId"),
            imdb_id=optional_str(series, "imdbId"),
        ),
        title=optional_str(series, "title"),
        year=year_of(series.get("year"), "year"),
        poster_url=_poster(series),
        is_anime=optional_str(series, "type") == "anime",
    )


def _poster(media: dict[str, Any]) -> str | None:
    for image in optional_list(media, "images"):
        if isinstance(image, dict) and image.get("coverType") == "poster":
            url = optional_str(image, "remoteUrl")
            if url and url.startswith("http"):
                return url
    return None


def _episodes(body: dict[str, Any]) -> frozenset[EpisodeKey]:
    keys: set[EpisodeKey] = set()
    for episode in optional_list(body, "episodes"):
        if not isinstance(episode, dict):
            raise PayloadError("'episodes' must hold objects")
        season = as_int(episode.get("seasonNumber"), "seasonNumber")
        number = as_int(episode.get("episodeNumber"), "episodeNumber")
        if season is not None and number is not None and season >= 0 and number >= 0:
            keys.add(EpisodeKey(season, number))
    return frozenset(keys)
