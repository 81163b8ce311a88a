"""Jellyfin webhook plugin notifications (Generic destination).

The plugin sends whatever its Handlebars template renders, usually as
``text/plain``, with every value a string and ``ItemId`` as a dashed GUID.
``SendAllProperties`` sends the same keys flat, so both shapes parse here.
"""

from __future__ import annotations

import re

from custom_components.media_request_tracker.core.events import (
    IgnoredEvent,
    LibraryItemEvent,
    LibraryItemType,
    TrackerEvent,
)
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaIds,
    Source,
)

from .fields import (
    PayloadError,
    as_int,
    optional_int,
    optional_str,
    require_object,
    required_str,
    year_of,
)

_GUID = re.compile(r"^[0-9a-f]{32}$")


def normalise_item_id(value: str) -> str:
    """Turn any GUID form into Jellyfin's REST form (no dashes, lower case)."""
    compact = value.replace("-", "").replace("{", "").replace("}", "").lower()
    if not _GUID.match(compact):
        raise PayloadError(f"{value!r} is not a Jellyfin item id")
    return compact


def parse_jellyfin(payload: object) -> TrackerEvent:
    """Turn a Jellyfin webhook into a tracker event."""
    body = require_object(payload, "Jellyfin payload")
    notification_type = required_str(body, "NotificationType")
    if notification_type != "ItemAdded":
        return IgnoredEvent(
            source=Source.JELLYFIN, reason=f"{notification_type} is not tracked"
        )
    item_type_text = required_str(body, "ItemType")
    try:
        item_type = LibraryItemType(item_type_text)
    except ValueError:
        return IgnoredEvent(
            source=Source.JELLYFIN, reason=f"{item_type_text} items are not tracked"
        )

    series_id = optional_str(body, "SeriesId")
    season = as_int(body.get("SeasonNumber"), "SeasonNumber")
    return LibraryItemEvent(
        item_type=item_type,
        item_id=normalise_item_id(required_str(body, "ItemId")),
        name=optional_str(body, "Name"),
        year=year_of(body.get("Year"), "Year"),
        ids=MediaIds(
            tmdb_id=optional_int(body, "Provider_tmdb"),
            tvdb_id=optional_int(body, "Provider_tvdb"),
            imdb_id=optional_str(body, "Provider_imdb"),
            anidb_id=optional_int(body, "Provider_anidb"),
        ),
        server_id=_server_id(optional_str(body, "ServerId")),
        series_id=normalise_item_id(series_id) if series_id else None,
        episodes=_episodes(body, item_type, season),
    )


def _server_id(value: str | None) -> str | None:
    return value.replace("-", "").lower() if value else None


def _episodes(
    body: dict[str, object], item_type: LibraryItemType, season: int | None
) -> frozenset[EpisodeKey]:
    if item_type is not LibraryItemType.EPISODE or season is None:
        return frozenset()
    first = as_int(body.get("EpisodeNumber"), "EpisodeNumber")
    if first is None:
        return frozenset()
    last = as_int(body.get("EpisodeNumberEnd"), "EpisodeNumberEnd") or first
    if last < first or last - first > 500:
        raise PayloadError("EpisodeNumberEnd is out of range")
    return frozenset(EpisodeKey(season, number) for number in range(first, last + 1))
