"""Payload parsers: raw JSON from each source in, normalised events out.

Each parser raises only ``PayloadError``; anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Callable

from custom_components.media_request_tracker.core.events import TrackerEvent

from .arr import parse_radarr, parse_sonarr
from .fields import PayloadError
from .jellyfin import normalise_item_id, parse_jellyfin
from .jellyseerr import parse_jellyseerr
from .shoko import V5_FEEDS, V6_FEEDS, parse_shoko

type Parser = Callable[[object], TrackerEvent]

__all__ = [
    "Parser",
    "PayloadError",
    "normalise_item_id",
    "parse_jellyfin",
    "parse_jellyseerr",
    "parse_radarr",
    "parse_shoko",
    "parse_sonarr",
    "V5_FEEDS",
    "V6_FEEDS",
]
