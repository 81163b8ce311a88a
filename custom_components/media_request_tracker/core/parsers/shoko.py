"""Shoko Server SignalR events, v5 (``ShokoEvent:*``) and v6 (``file:*``, ``release:*``).

Payloads are PascalCase with ``ID`` suffixes; v6 renames ``ImportFolderID``
to ``ManagedFolderID`` and reports a match as ``release:saved``, which names
the file only by id. Its release cross-references carry AniDB ids as strings
in ``ProviderIDs`` (``AniDB_Anime``) since 6.0.0-dev.311, flat ``AnidbAnimeID``
before; a failed automatic match is ``release:search.completed`` without a
release (v5's ``FileNotMatched``). ``tests/fakes/UPSTREAM.md`` has the
sources.
"""

from __future__ import annotations

from typing import Any

from custom_components.media_request_tracker.core.events import (
    IgnoredEvent,
    ShokoFileAction,
    ShokoFileEvent,
    TrackerEvent,
)
from custom_components.media_request_tracker.core.model import Source

from .fields import (
    PayloadError,
    as_int,
    optional_bool,
    optional_list,
    optional_object,
    optional_str,
    require_object,
)

V5_ACTIONS = {
    "ShokoEvent:FileDetected": ShokoFileAction.DETECTED,
    "ShokoEvent:FileHashed": ShokoFileAction.HASHED,
    "ShokoEvent:FileMatched": ShokoFileAction.MATCHED,
    "ShokoEvent:FileNotMatched": ShokoFileAction.NOT_MATCHED,
    "ShokoEvent:FileMoved": ShokoFileAction.MOVED,
    "ShokoEvent:FileRenamed": ShokoFileAction.RENAMED,
    "ShokoEvent:FileDeleted": ShokoFileAction.DELETED,
}
V6_ACTIONS = {
    "file:detected": ShokoFileAction.DETECTED,
    "file:hashed": ShokoFileAction.HASHED,
    "file:relocated": ShokoFileAction.MOVED,
    "file:deleted": ShokoFileAction.DELETED,
    "release:saved": ShokoFileAction.MATCHED,
}
SEARCH_COMPLETED = "release:search.completed"
# Metadata events say nothing about a file we track; they are acknowledged and dropped.
_METADATA_PREFIXES = (
    "ShokoEvent:SeriesUpdated",
    "ShokoEvent:EpisodeUpdated",
    "ShokoEvent:MovieUpdated",
    "metadata:",
)
# Feeds are per major (v5 ``shoko``; v6 ``file`` and ``release``); each hub
# ignores the names it does not know, so asking for both works on either.
V5_FEEDS = "shoko"
V6_FEEDS = "file,release"


def parse_shoko(target: str, arguments: list[Any]) -> TrackerEvent:
    """Turn one hub invocation into a tracker event."""
    if target == SEARCH_COMPLETED:
        return _search_completed(arguments)
    action = V5_ACTIONS.get(target) or V6_ACTIONS.get(target)
    if action is None:
        reason = (
            "metadata event"
            if target.startswith(_METADATA_PREFIXES)
            else f"{target} is not tracked"
        )
        return IgnoredEvent(source=Source.SHOKO, reason=reason)
    if not arguments:
        raise PayloadError(f"{target} carries no payload")
    body = require_object(arguments[0], f"{target} payload")
    release = optional_object(body, "Release")
    references = optional_list(release or body, "CrossReferences") or optional_list(
        body, "CrossRefs"
    )
    series_ids, anime_ids = _references(references)
    return ShokoFileEvent(
        action=action,
        file_id=as_int(body.get("FileID"), "FileID"),
        relative_path=_path(optional_str(body, "RelativePath")),
        previous_relative_path=_path(optional_str(body, "PreviousRelativePath")),
        series_ids=series_ids,
        anidb_anime_ids=anime_ids,
        udp_banned=optional_bool(body, "IsUDPBanned"),
    )


def _search_completed(arguments: list[Any]) -> TrackerEvent:
    """Read a v6 search: one that found no release is Shoko failing to match."""
    if not arguments:
        raise PayloadError(f"{SEARCH_COMPLETED} carries no payload")
    body = require_object(arguments[0], f"{SEARCH_COMPLETED} payload")
    if optional_object(body, "ReleaseInfo") is not None:
        return IgnoredEvent(source=Source.SHOKO, reason="release:saved reports it")
    if optional_bool(body, "IsCancelled"):
        return IgnoredEvent(source=Source.SHOKO, reason="the file was redundant")
    return ShokoFileEvent(
        action=ShokoFileAction.NOT_MATCHED,
        file_id=as_int(body.get("FileID"), "FileID"),
        relative_path=None,
    )


def _path(value: str | None) -> str | None:
    """Use ``/`` and no leading separator: Shoko may run on Windows."""
    if value is None:
        return None
    return value.replace("\\", "/").strip("/") or None


def _references(references: list[Any]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    series: list[int] = []
    anime: list[int] = []
    for reference in references:
        if not isinstance(reference, dict):
            continue
        # v6.0.0-dev.311 on: {"ProviderIDs": {"AniDB_Anime": "17617", ...}}.
        provider_ids = optional_object(reference, "ProviderIDs") or {}
        # Shoko ids are null until Shoko has made the series; AniDB ids are always set.
        for container, key, found in (
            (reference, "SeriesID", series),
            (reference, "ShokoSeriesID", series),
            (reference, "AnidbAnimeID", anime),
            (reference, "AnimeID", anime),
            (provider_ids, "AniDB_Anime", anime),
        ):
            value = as_int(container.get(key), key)
            if value is not None and value > 0 and value not in found:
                found.append(value)
    return tuple(series), tuple(anime)
