"""Shoko Server SignalR events, v5 (``ShokoEvent:*``) and v6 (``file:*``, ``release:*``).

Payloads are PascalCase with ``ID`` suffixes; v6 renames ``ImportFolderID``
to ``ManagedFolderID`` and reports a match as ``release:saved``, which names
the file only by id.
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
# Metadata events say nothing about a file we track; they are acknowledged and dropped.
_METADATA_PREFIXES = (
    "ShokoEvent:SeriesUpdated",
    "ShokoEvent:EpisodeUpdated",
    "ShokoEvent:MovieUpdated",
    "metadata:",
)
V5_FEEDS = "shoko"
V6_FEEDS = "file,release,metadata"


def parse_shoko(target: str, arguments: list[Any]) -> TrackerEvent:
    """Turn one hub invocation into a tracker event."""
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
        # Shoko ids are null until Shoko has made the series; AniDB ids are always set.
        for key, found in (
            ("SeriesID", series),
            ("ShokoSeriesID", series),
            ("AnidbAnimeID", anime),
            ("AnimeID", anime),
        ):
            if (
                value := as_int(reference.get(key), key)
            ) is not None and value not in found:
                found.append(value)
    return tuple(series), tuple(anime)
