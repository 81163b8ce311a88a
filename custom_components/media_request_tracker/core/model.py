"""The request model: what we know about one tracked media request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Any, Self

from .arr_item import ArrItem
from .limits import DETAIL_LIMIT, TIMELINE_LIMIT, shorten


class Stage(StrEnum):
    """Where a request stands; the value is the sensor state."""

    REQUESTED = "requested"
    APPROVED = "approved"
    INDEXED = "indexed"
    DOWNLOADING = "downloading"
    DOWNLOAD_DONE = "download_done"
    IMPORTING = "importing"
    ANIME_MATCHING = "anime_matching"
    AVAILABLE = "available"
    FAILED = "failed"
    DECLINED = "declined"

    @property
    def is_terminal(self) -> bool:
        """Terminal requests take no new work and are purged after retention."""
        return self in TERMINAL_STAGES


TERMINAL_STAGES = frozenset({Stage.AVAILABLE, Stage.FAILED, Stage.DECLINED})
# Stages in which a request waits on its download client.
DOWNLOAD_STAGES = frozenset({Stage.INDEXED, Stage.DOWNLOADING})
# Stages in which the files should be, or soon be, in Jellyfin.
WAITING_STAGES = frozenset({Stage.DOWNLOAD_DONE, Stage.IMPORTING, Stage.ANIME_MATCHING})

# The happy path in order; a move to a lower rank is a move backwards.
PIPELINE: tuple[Stage, ...] = (
    Stage.REQUESTED,
    Stage.APPROVED,
    Stage.INDEXED,
    Stage.DOWNLOADING,
    Stage.DOWNLOAD_DONE,
    Stage.IMPORTING,
    Stage.ANIME_MATCHING,
    Stage.AVAILABLE,
)
PIPELINE_RANK: dict[Stage, int] = {stage: rank for rank, stage in enumerate(PIPELINE)}


class MediaType(StrEnum):
    """The two kinds of media Jellyseerr can request."""

    MOVIE = "movie"
    TV = "tv"


class Source(StrEnum):
    """Who told us about a change; shown in the timeline and in events."""

    JELLYSEERR = "jellyseerr"
    RADARR = "radarr"
    SONARR = "sonarr"
    QBITTORRENT = "qbittorrent"
    SHOKO = "shoko"
    JELLYFIN = "jellyfin"
    USER = "user"


class EpisodeProgress(IntEnum):
    """How far one episode has come; only ever increases."""

    # Known to be wanted (Jellyfin lists it as missing) but not yet grabbed.
    WANTED = 0
    GRABBED = 1
    IMPORTED = 2
    AVAILABLE = 3


# Reading thousands of stored requests: a dict lookup is several times faster
# than calling the enum, and fails the same way for an unknown value.
_STAGES = {stage.value: stage for stage in Stage}
_SOURCES = {source.value: source for source in Source}
_MEDIA_TYPES = {media_type.value: media_type for media_type in MediaType}
_PROGRESS = {int(progress): progress for progress in EpisodeProgress}


@dataclass(frozen=True, order=True, slots=True)
class EpisodeKey:
    """A season and episode number, as Sonarr and Jellyfin number them."""

    season: int
    episode: int

    def __str__(self) -> str:
        """Return the familiar S01E03 form, which is also the storage key."""
        return f"S{self.season:02d}E{self.episode:02d}"

    @staticmethod
    def parse(text: str) -> EpisodeKey:
        """Read the S01E03 form back.

        Keys are immutable, so one instance serves every request that names
        the same episode: thousands of stored series share a few hundred.
        """
        return _parse_episode_key(text)


@lru_cache(maxsize=4096)
def _parse_episode_key(text: str) -> EpisodeKey:
    season, _, episode = text.upper().removeprefix("S").partition("E")
    return EpisodeKey(int(season), int(episode))


@dataclass(frozen=True, kw_only=True, slots=True)
class MediaIds:
    """External ids; any of them may be unknown."""

    tmdb_id: int | None = None
    tvdb_id: int | None = None
    imdb_id: str | None = None
    anidb_id: int | None = None


@dataclass(kw_only=True, slots=True)
class TimelineEntry:
    """One line of a request's history, as the timeline attribute shows it.

    ``state`` is the stage the line is about, under the attribute's name for
    it. An entry is never changed once made, so it is rendered once, when it
    is made: every state write and every save of its request shows it again.
    """

    at: datetime
    state: Stage
    source: Source
    detail: str
    rejected: bool = False
    # A stored entry shows its stored time text as it is, without a new one.
    at_text: InitVar[str | None] = None
    _rendered: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self, at_text: str | None) -> None:
        """Render the entry for storage and for the entity attribute."""
        rendered: dict[str, Any] = {
            "at": at_text or self.at.isoformat(),
            "state": self.state.value,
            "source": self.source.value,
            "detail": self.detail,
        }
        if self.rejected:
            rendered["rejected"] = True
        self._rendered = rendered

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage and for the entity attribute; do not change the result."""
        return self._rendered

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], texts: dict[str, str] | None = None
    ) -> Self:
        """Read a stored timeline entry.

        ``texts`` pools the details read in one load: most are the same few
        sentences, and thousands of requests can share one copy of each.
        """
        at = data["at"]
        detail = data["detail"]
        return cls(
            at=datetime.fromisoformat(at),
            state=_STAGES[data["state"]],
            source=_SOURCES[data["source"]],
            detail=detail if texts is None else texts.setdefault(detail, detail),
            rejected=bool(data.get("rejected", False)),
            at_text=at,
        )


@dataclass(kw_only=True, slots=True)
class DownloadStatus:
    """Live download figures; fed by qBittorrent, never persisted per poll."""

    progress: float | None = None
    download_speed: int | None = None
    eta: int | None = None
    size: int | None = None
    # When data last moved, while the download counts as stalled; None otherwise.
    stalled_since: datetime | None = None
    # When these figures were shown; progress alone is shown only so often.
    shown_at: datetime | None = field(default=None, compare=False)

    @property
    def stalled(self) -> bool:
        """Whether qBittorrent has moved no data for the stall time."""
        return self.stalled_since is not None


@dataclass(kw_only=True, slots=True)
class MediaRequest:
    """One tracked request and everything the pipeline has told us about it."""

    request_id: str
    media_type: MediaType
    title: str
    stage: Stage
    requested_at: datetime
    origin: Source = Source.JELLYSEERR
    year: int | None = None
    ids: MediaIds = field(default_factory=MediaIds)
    is_anime: bool = False
    # Jellyseerr's 4K request for a title is a request of its own.
    is_4k: bool = False
    requested_by: str | None = None
    # The Jellyseerr request it came from, and the status Jellyseerr last told
    # (a RequestStatus value): webhook and poll agree on both, so neither
    # path applies what the other already did.
    jellyseerr_id: str | None = None
    jellyseerr_status: str | None = None
    poster_url: str | None = None
    poster_from_request: bool = False
    seasons: tuple[int, ...] = ()
    episodes: dict[EpisodeKey, EpisodeProgress] = field(default_factory=dict)
    download_hashes: list[str] = field(default_factory=list)
    # The *arr instance and item of the latest grab.
    arr: ArrItem | None = None
    jellyfin_id: str | None = None
    jellyfin_series_id: str | None = None
    # Shoko file ids of the request's files, each with the episodes it holds.
    shoko_files: dict[int, tuple[EpisodeKey, ...]] = field(default_factory=dict)
    shoko_series_ids: tuple[int, ...] = ()
    shoko_matched: tuple[int, ...] = ()
    shoko_unmatched: bool = False
    # Imported files as the *arr names them, each with the episodes it holds.
    file_paths: dict[str, tuple[EpisodeKey, ...]] = field(default_factory=dict)
    # When the request entered its stage; the stuck thresholds count from here.
    stage_since: datetime | None = None
    download: DownloadStatus = field(default_factory=DownloadStatus)
    download_problem: str | None = None
    # From the *arr queue: the client it names, its tracked state while the
    # import waits or fails (``importBlocked`` …) and the app's words for it.
    download_client: str | None = None
    import_status: str | None = None
    import_message: str | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        """Title with the year, as the entity is named."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def download_hash(self) -> str | None:
        """The most recent download, which qBittorrent progress follows."""
        return self.download_hashes[-1] if self.download_hashes else None

    @property
    def episodes_total(self) -> int | None:
        """Episodes we know are wanted; None for films."""
        return len(self.episodes) if self.media_type is MediaType.TV else None

    @property
    def episodes_available(self) -> int | None:
        """Episodes imported or already playable."""
        if self.media_type is not MediaType.TV:
            return None
        return sum(
            1
            for progress in self.episodes.values()
            if progress >= EpisodeProgress.IMPORTED
        )

    def advance_episodes(
        self, keys: Iterable[EpisodeKey], progress: EpisodeProgress
    ) -> None:
        """Bring episodes up to ``progress``; an episode never moves back."""
        for key in keys:
            if key not in self.episodes or self.episodes[key] < progress:
                self.episodes[key] = progress

    def add_timeline(self, entry: TimelineEntry) -> None:
        """Append, keeping the first entry when the cap is reached."""
        if len(entry.detail) > DETAIL_LIMIT:
            entry = TimelineEntry(
                at=entry.at,
                state=entry.state,
                source=entry.source,
                detail=shorten(entry.detail, DETAIL_LIMIT),
                rejected=entry.rejected,
            )
        self.timeline.append(entry)
        if len(self.timeline) > TIMELINE_LIMIT:
            del self.timeline[1]

    def as_dict(self) -> dict[str, Any]:
        """Serialise for storage."""
        return {
            "request_id": self.request_id,
            "media_type": self.media_type.value,
            "title": self.title,
            "year": self.year,
            "stage": self.stage.value,
            "requested_at": self.requested_at.isoformat(),
            "origin": self.origin.value,
            "tmdb_id": self.ids.tmdb_id,
            "tvdb_id": self.ids.tvdb_id,
            "imdb_id": self.ids.imdb_id,
            "anidb_id": self.ids.anidb_id,
            "is_anime": self.is_anime,
            "is_4k": self.is_4k,
            "requested_by": self.requested_by,
            "jellyseerr_id": self.jellyseerr_id,
            "jellyseerr_status": self.jellyseerr_status,
            "poster_url": self.poster_url,
            "poster_from_request": self.poster_from_request,
            "seasons": list(self.seasons),
            "episodes": {
                str(key): int(value) for key, value in sorted(self.episodes.items())
            },
            "download_hashes": list(self.download_hashes),
            "arr": self.arr.as_dict() if self.arr else None,
            "jellyfin_id": self.jellyfin_id,
            "jellyfin_series_id": self.jellyfin_series_id,
            "shoko_files": {
                str(file_id): [str(key) for key in keys]
                for file_id, keys in sorted(self.shoko_files.items())
            },
            "shoko_series_ids": list(self.shoko_series_ids),
            "shoko_matched": list(self.shoko_matched),
            "shoko_unmatched": self.shoko_unmatched,
            "file_paths": {
                path: [str(key) for key in keys]
                for path, keys in self.file_paths.items()
            },
            "stage_since": self.stage_since.isoformat() if self.stage_since else None,
            "size": self.download.size,
            "download_problem": self.download_problem,
            "download_client": self.download_client,
            "import_status": self.import_status,
            "import_message": self.import_message,
            "timeline": [entry.as_dict() for entry in self.timeline],
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], texts: dict[str, str] | None = None
    ) -> Self:
        """Read a stored request; ``texts`` pools repeated text across a load."""
        updated_at = data.get("updated_at")
        stage = _STAGES[data["stage"]]
        timeline = [
            TimelineEntry.from_dict(entry, texts) for entry in data.get("timeline", ())
        ]
        requested_by = data.get("requested_by")
        if texts is not None and requested_by is not None:
            requested_by = texts.setdefault(requested_by, requested_by)
        stage_since = data.get("stage_since")
        return cls(
            request_id=data["request_id"],
            media_type=_MEDIA_TYPES[data["media_type"]],
            title=data["title"],
            year=data.get("year"),
            stage=stage,
            requested_at=datetime.fromisoformat(data["requested_at"]),
            origin=_SOURCES[data.get("origin", Source.JELLYSEERR)],
            ids=MediaIds(
                tmdb_id=data.get("tmdb_id"),
                tvdb_id=data.get("tvdb_id"),
                imdb_id=data.get("imdb_id"),
                anidb_id=data.get("anidb_id"),
            ),
            is_anime=bool(data.get("is_anime", False)),
            is_4k=bool(data.get("is_4k", False)),
            requested_by=requested_by,
            jellyseerr_id=data.get("jellyseerr_id"),
            jellyseerr_status=data.get("jellyseerr_status"),
            poster_url=data.get("poster_url"),
            poster_from_request=bool(data.get("poster_from_request", False)),
            seasons=tuple(data.get("seasons", ())),
            episodes={
                EpisodeKey.parse(key): _PROGRESS[value]
                for key, value in data.get("episodes", {}).items()
            },
            download_hashes=list(data.get("download_hashes", ())),
            arr=ArrItem.from_dict(arr) if (arr := data.get("arr")) else None,
            jellyfin_id=data.get("jellyfin_id"),
            jellyfin_series_id=data.get("jellyfin_series_id"),
            shoko_files={
                int(file_id): tuple(EpisodeKey.parse(key) for key in keys)
                for file_id, keys in data.get("shoko_files", {}).items()
            },
            shoko_series_ids=tuple(data.get("shoko_series_ids", ())),
            shoko_matched=tuple(data.get("shoko_matched", ())),
            shoko_unmatched=bool(data.get("shoko_unmatched", False)),
            file_paths={
                path: tuple(EpisodeKey.parse(key) for key in keys)
                for path, keys in data.get("file_paths", {}).items()
            },
            stage_since=datetime.fromisoformat(stage_since)
            if stage_since
            else _entered(stage, timeline),
            download=DownloadStatus(size=data.get("size")),
            download_problem=data.get("download_problem"),
            download_client=data.get("download_client"),
            import_status=data.get("import_status"),
            import_message=data.get("import_message"),
            timeline=timeline,
            updated_at=datetime.fromisoformat(updated_at) if updated_at else None,
        )


def _entered(stage: Stage, timeline: list[TimelineEntry]) -> datetime | None:
    """When a request stored before ``stage_since`` existed entered its stage."""
    entered: datetime | None = None
    previous: Stage | None = None
    for entry in timeline:
        if entry.rejected:
            continue
        if entry.state is not previous:
            entered, previous = entry.at, entry.state
    return entered if previous is stage else None
