"""Realistic stored requests, built with the integration's own model.

A household's requests: about 60 % films and 40 % series (some anime), most
finished (kept for the retention period), the rest somewhere on the way;
timelines of about six entries, episodes and imported file paths for series.
The storage document is the one Home Assistant's ``Store`` reads:
``{"version", "minor_version", "key", "data": {"requests": [...]}}``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
import random
from typing import Any

import orjson

from custom_components.media_request_tracker.const import DOMAIN
from custom_components.media_request_tracker.core.model import (
    PIPELINE,
    DownloadStatus,
    EpisodeKey,
    EpisodeProgress,
    MediaIds,
    MediaRequest,
    MediaType,
    Source,
    Stage,
    TimelineEntry,
)
from custom_components.media_request_tracker.store.snapshot import (
    STORAGE_MINOR_VERSION,
    STORAGE_VERSION,
)

_WORDS = (
    *("Silent", "Harbor", "Crimson", "Garden", "Iron", "Winter", "Hollow", "Crown"),
    *("Glass", "River", "Paper", "Moon", "Northern", "Light", "Broken", "Compass"),
    *("Golden", "Hour", "Last", "Orchard", "Quiet", "Storm", "Velvet", "Road"),
)
_USERS = ("alice", "bob", "carol", "dave", None)
# Where requests stand in a long-running installation: most are finished.
_ACTIVE_STAGES = (
    (Stage.REQUESTED, 3),
    (Stage.APPROVED, 5),
    (Stage.INDEXED, 3),
    (Stage.DOWNLOADING, 4),
    (Stage.DOWNLOAD_DONE, 1),
    (Stage.IMPORTING, 4),
)
_FINISHED_STAGES = ((Stage.AVAILABLE, 70), (Stage.DECLINED, 5), (Stage.FAILED, 3))
_DETAIL = {
    Stage.REQUESTED: (
        Source.JELLYSEERR,
        "requested in Jellyseerr, waiting for approval",
    ),
    Stage.APPROVED: (Source.JELLYSEERR, "approved in Jellyseerr"),
    Stage.INDEXED: (Source.RADARR, "grabbed {release} from MyTracker (Prowlarr)"),
    Stage.DOWNLOADING: (Source.QBITTORRENT, "download started"),
    Stage.DOWNLOAD_DONE: (Source.QBITTORRENT, "download finished"),
    Stage.IMPORTING: (Source.RADARR, "imported {release}"),
    Stage.ANIME_MATCHING: (Source.SHOKO, "Shoko is matching the file"),
    Stage.AVAILABLE: (Source.JELLYFIN, "found in the Jellyfin library"),
    Stage.DECLINED: (Source.JELLYSEERR, "declined in Jellyseerr"),
    Stage.FAILED: (
        Source.JELLYSEERR,
        "Jellyseerr could not send the request to Radarr or Sonarr",
    ),
}


def build_requests(
    count: int, now: datetime, *, seed: int = 1, finished_only: bool = False
) -> list[MediaRequest]:
    """``count`` requests; active ones started within the last hour (none is stuck)."""
    return [
        _request(number, now, random.Random(seed * 1_000_003 + number), finished_only)
        for number in range(count)
    ]


def _request(
    number: int, now: datetime, rng: random.Random, finished_only: bool
) -> MediaRequest:
    is_tv = rng.random() < 0.4
    is_anime = is_tv and rng.random() < 0.25
    stages = _FINISHED_STAGES if finished_only else _FINISHED_STAGES + _ACTIVE_STAGES
    stage = rng.choices([s for s, _ in stages], [w for _, w in stages])[0]
    if stage is Stage.IMPORTING and is_anime:
        stage = Stage.ANIME_MATCHING
    title = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {number}"
    year = rng.randint(1975, 2025)
    finished = stage in (Stage.AVAILABLE, Stage.DECLINED, Stage.FAILED)
    age = (
        timedelta(days=rng.uniform(0.5, 25))
        if finished
        else timedelta(minutes=rng.uniform(5, 50))
    )
    requested_at = now - age
    release = f"{title.replace(' ', '.')}.{year}.1080p.WEB-DL.DDP5.1.H.264-GRP"

    # The path the request took, and one timeline entry per step.
    if stage in (Stage.DECLINED, Stage.FAILED):
        path = [Stage.REQUESTED, stage]
    else:
        path = [s for s in PIPELINE if PIPELINE.index(s) <= PIPELINE.index(stage)]
        if not is_anime and Stage.ANIME_MATCHING in path:
            path.remove(Stage.ANIME_MATCHING)
        if stage is not Stage.REQUESTED and rng.random() < 0.7:
            path.remove(Stage.REQUESTED)  # auto-approved
    step = age / (len(path) + 1)
    timeline: list[TimelineEntry] = []
    for index, state in enumerate(path):
        source, detail = _DETAIL[state]
        if is_tv and source is Source.RADARR:
            source = Source.SONARR
        timeline.append(
            TimelineEntry(
                at=requested_at + step * index,
                state=state,
                source=source,
                detail=detail.format(release=release),
            )
        )
    rank = PIPELINE.index(stage) if stage in PIPELINE else 0
    grabbed = rank >= PIPELINE.index(Stage.INDEXED)
    imported = rank >= PIPELINE.index(Stage.IMPORTING)

    seasons: tuple[int, ...] = ()
    episodes: dict[EpisodeKey, EpisodeProgress] = {}
    file_paths: dict[str, tuple[EpisodeKey, ...]] = {}
    if is_tv:
        seasons = tuple(range(1, rng.choice((1, 1, 1, 2)) + 1))
        for season in seasons:
            for episode in range(1, rng.randint(8, 12) + 1):
                key = EpisodeKey(season, episode)
                if stage is Stage.AVAILABLE:
                    progress = EpisodeProgress.AVAILABLE
                elif imported and rng.random() < 0.6:
                    progress = EpisodeProgress.IMPORTED
                elif grabbed:
                    progress = EpisodeProgress.GRABBED
                else:
                    progress = EpisodeProgress.WANTED
                episodes[key] = progress
                if progress >= EpisodeProgress.IMPORTED:
                    file_paths[
                        f"/data/media/tv/{title}/Season {season:02d}/{title} - {key} - Episode {episode} [WEBDL-1080p].mkv"
                    ] = (key,)
                    if len(timeline) < 8 and progress is EpisodeProgress.IMPORTED:
                        timeline.append(
                            TimelineEntry(
                                at=timeline[-1].at + timedelta(seconds=30),
                                state=stage,
                                source=Source.SONARR,
                                detail=f"imported {key}",
                            )
                        )
    elif imported:
        file_paths[
            f"/data/media/movies/{title} ({year})/{title} ({year}) WEBDL-1080p.mkv"
        ] = ()

    return MediaRequest(
        request_id=str(100000 + number),
        media_type=MediaType.TV if is_tv else MediaType.MOVIE,
        title=title,
        stage=stage,
        requested_at=requested_at,
        year=year,
        ids=MediaIds(
            tmdb_id=200000 + number,
            tvdb_id=300000 + number if is_tv else None,
            imdb_id=f"tt{1_000_000 + number}",
            anidb_id=10000 + number if is_anime else None,
        ),
        is_anime=is_anime,
        requested_by=rng.choice(_USERS),
        poster_url=f"https://image.tmdb.org/t/p/w600_and_h900_bestv2/{rng.getrandbits(128):032x}.jpg",
        poster_from_request=True,
        seasons=seasons,
        episodes=episodes,
        download_hashes=[f"{rng.getrandbits(160):040x}"] if grabbed else [],
        jellyfin_id=f"{rng.getrandbits(128):032x}"
        if stage is Stage.AVAILABLE
        else None,
        file_paths=file_paths,
        download=DownloadStatus(size=rng.randint(1, 40) * 1024**3 if grabbed else None),
        timeline=timeline,
        updated_at=timeline[-1].at,
    )


def storage_key(entry_id: str) -> str:
    """Return the integration's storage key for one config entry."""
    return f"{DOMAIN}.{entry_id}"


def storage_document(entry_id: str, requests: list[MediaRequest]) -> dict[str, Any]:
    """Return what ``Store`` reads from ``.storage/<key>``."""
    return {
        "version": STORAGE_VERSION,
        "minor_version": STORAGE_MINOR_VERSION,
        "key": storage_key(entry_id),
        "data": {"requests": [request.as_dict() for request in requests]},
    }


def encode(document: dict[str, Any]) -> bytes:
    """Serialise as ``Store`` does (Home Assistant's orjson options: indent 2, non-string keys)."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
