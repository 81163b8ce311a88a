"""Normalised events: what a parser makes of one raw payload.

Every source speaks its own dialect; the tracker only ever sees these.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from .model import EpisodeKey, MediaIds, MediaType, Source


class RequestStatus(StrEnum):
    """Jellyseerr notification types that move a request."""

    PENDING = "MEDIA_PENDING"
    APPROVED = "MEDIA_APPROVED"
    AUTO_APPROVED = "MEDIA_AUTO_APPROVED"
    DECLINED = "MEDIA_DECLINED"
    FAILED = "MEDIA_FAILED"
    AVAILABLE = "MEDIA_AVAILABLE"


@dataclass(frozen=True, kw_only=True, slots=True)
class MediaInfo:
    """What a payload tells us about the title itself."""

    media_type: MediaType
    ids: MediaIds
    title: str | None = None
    year: int | None = None
    poster_url: str | None = None
    is_anime: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class IgnoredEvent:
    """A payload of the right source that we deliberately do nothing with."""

    source: Source
    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestEvent:
    """Jellyseerr: a request was made, approved, declined, failed or fulfilled."""

    status: RequestStatus
    media: MediaInfo
    request_id: str | None
    requested_by: str | None = None
    seasons: tuple[int, ...] = ()
    is_4k: bool = False
    source: Source = Source.JELLYSEERR
    # Read from Jellyseerr's request list rather than sent by its webhook.
    polled: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class GrabEvent:
    """Radarr or Sonarr sent a release to the download client."""

    source: Source
    media: MediaInfo
    download_hash: str | None
    release_title: str | None = None
    size: int | None = None
    episodes: frozenset[EpisodeKey] = field(default_factory=frozenset)
    # Set by the webhook that received it: the id of the sending instance,
    # and whether that instance is the one Jellyseerr sends 4K requests to.
    instance: str | None = None
    is_4k: bool = False
    # The *arr's own ids: Radarr's movie id or Sonarr's series id, episode ids.
    item_id: int | None = None
    episode_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportEvent:
    """Radarr or Sonarr imported files into the library."""

    source: Source
    media: MediaInfo
    download_hash: str | None
    is_upgrade: bool = False
    episodes: frozenset[EpisodeKey] = field(default_factory=frozenset)
    file_paths: tuple[str, ...] = ()
    instance: str | None = None
    is_4k: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrNoticeEvent:
    """Something the *arr reports that belongs in the timeline only.

    File deletions and calls for manual interaction never move a request, but a
    user who wonders why nothing happens wants to see them.
    """

    source: Source
    media: MediaInfo
    detail: str
    download_hash: str | None = None
    episodes: frozenset[EpisodeKey] = field(default_factory=frozenset)
    instance: str | None = None
    is_4k: bool = False


type ArrEvent = GrabEvent | ImportEvent | ArrNoticeEvent


class LibraryItemType(StrEnum):
    """Jellyfin item types we follow."""

    MOVIE = "Movie"
    SERIES = "Series"
    SEASON = "Season"
    EPISODE = "Episode"


@dataclass(frozen=True, kw_only=True, slots=True)
class LibraryItemEvent:
    """Jellyfin added an item to its library.

    Episode items carry episode provider ids, so the series must be found
    through ``series_id`` (resolved to ``series_ids`` by the HA layer).
    """

    item_type: LibraryItemType
    item_id: str
    name: str | None
    year: int | None
    ids: MediaIds
    server_id: str | None = None
    series_id: str | None = None
    series_ids: MediaIds | None = None
    episodes: frozenset[EpisodeKey] = field(default_factory=frozenset)
    source: Source = Source.JELLYFIN


class ShokoFileAction(StrEnum):
    """What Shoko reports about one file, v5 and v6 names folded together."""

    DETECTED = "detected"
    HASHED = "hashed"
    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    MOVED = "moved"
    RENAMED = "renamed"
    DELETED = "deleted"


@dataclass(frozen=True, kw_only=True, slots=True)
class ShokoFileEvent:
    """Shoko saw, hashed, matched or lost a file.

    ``relative_path`` is relative to Shoko's import folder, with ``/``; it is
    tied to an *arr import path by its tail, because container mounts differ.
    """

    action: ShokoFileAction
    file_id: int | None
    relative_path: str | None
    previous_relative_path: str | None = None
    series_ids: tuple[int, ...] = ()
    anidb_anime_ids: tuple[int, ...] = ()
    udp_banned: bool = False
    source: Source = Source.SHOKO


type TrackerEvent = (
    IgnoredEvent
    | RequestEvent
    | GrabEvent
    | ImportEvent
    | ArrNoticeEvent
    | LibraryItemEvent
    | ShokoFileEvent
)


def with_instance(
    event: TrackerEvent, instance: str | None, *, is_4k: bool = False
) -> TrackerEvent:
    """Name the *arr instance that sent an event: its queue and commands are that instance's.

    ``is_4k`` is the instance's flag: with a 4K instance configured, its events
    belong to 4K requests only, and the other instances' to standard ones.
    """
    if (instance is not None or is_4k) and isinstance(
        event, GrabEvent | ImportEvent | ArrNoticeEvent
    ):
        return replace(event, instance=instance or event.instance, is_4k=is_4k)
    return event
