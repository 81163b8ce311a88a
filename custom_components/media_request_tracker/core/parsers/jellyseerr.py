"""Jellyseerr (Seerr) webhook notifications.

Seerr renders every template value as a string, so ids arrive as ``"603"``
and the TVDB id of a film as ``""``. Admin requests come only as
``MEDIA_AUTO_APPROVED``; there is no ``MEDIA_PENDING`` before them.
"""

from __future__ import annotations

import re
from typing import Any

from custom_components.media_request_tracker.core.events import (
    IgnoredEvent,
    MediaInfo,
    RequestEvent,
    RequestStatus,
    TrackerEvent,
)
from custom_components.media_request_tracker.core.model import (
    MediaIds,
    MediaType,
    Source,
)

from .fields import (
    PayloadError,
    as_int,
    optional_bool,
    optional_int,
    optional_list,
    optional_object,
    optional_str,
    require_object,
    required_str,
    year_of,
)

_SUBJECT = re.compile(r"^(?P<title>.*\S)\s*\((?P<year>\d{4})\)\s*$", re.DOTALL)
_IGNORED_TYPES = {
    "TEST_NOTIFICATION": "test notification",
    "ISSUE_CREATED": "issue notifications are not tracked",
    "ISSUE_COMMENT": "issue notifications are not tracked",
    "ISSUE_RESOLVED": "issue notifications are not tracked",
    "ISSUE_REOPENED": "issue notifications are not tracked",
    "MEDIA_AUTO_REQUESTED": "auto requests are reported when approved",
}


def parse_jellyseerr(payload: object) -> TrackerEvent:
    """Turn a Jellyseerr notification into a tracker event."""
    body = require_object(payload, "Jellyseerr payload")
    notification_type = required_str(body, "notification_type")
    if reason := _IGNORED_TYPES.get(notification_type):
        return IgnoredEvent(source=Source.JELLYSEERR, reason=reason)
    try:
        status = RequestStatus(notification_type)
    except ValueError:
        raise PayloadError(f"unknown notification_type {notification_type!r}") from None

    media = optional_object(body, "media")
    if media is None:
        raise PayloadError("'media' is missing")
    media_type_text = required_str(media, "media_type")
    try:
        media_type = MediaType(media_type_text)
    except ValueError:
        raise PayloadError(f"unknown media_type {media_type_text!r}") from None
    ids = MediaIds(
        tmdb_id=optional_int(media, "tmdbId"),
        tvdb_id=optional_int(media, "tvdbId"),
    )
    if ids.tmdb_id is None and ids.tvdb_id is None:
        raise PayloadError("'media' has neither tmdbId nor tvdbId")

    title, year = _title_and_year(optional_str(body, "subject"))
    request = optional_object(body, "request")
    request_id = as_int(request.get("request_id"), "request_id") if request else None
    return RequestEvent(
        status=status,
        media=MediaInfo(
            media_type=media_type,
            ids=ids,
            title=title,
            year=year,
            poster_url=_poster(optional_str(body, "image")),
        ),
        request_id=str(request_id) if request_id is not None else None,
        requested_by=optional_str(request, "requestedBy_username") if request else None,
        seasons=_requested_seasons(optional_list(body, "extra")),
        is_4k=_is_4k(body),
    )


def _is_4k(body: dict[str, Any]) -> bool:
    """Read the 4K flag: a template may carry ``is4k``; the default tells it in ``event``.

    Seerr's event names a 4K request "New 4K Movie Request", "4K Series
    Request Approved" and so on (``MediaRequest.ts`` ``sendNotification``).
    """
    if "is4k" in body:
        return optional_bool(body, "is4k")
    event = optional_str(body, "event") or ""
    return "4K" in event.split()


def _title_and_year(subject: str | None) -> tuple[str | None, int | None]:
    if subject is None:
        return None, None
    if match := _SUBJECT.match(subject):
        return match["title"], year_of(match["year"], "subject")
    return subject, None


def _poster(image: str | None) -> str | None:
    # Seerr renders `...bestv2${poster_path}`: a title without a poster (TMDB's
    # poster_path null, or absent) ends in "null" or "undefined".
    if image is None or image.endswith(("null", "undefined")):
        return None
    if not image.startswith("http"):
        return None
    return image


def _requested_seasons(extra: list[Any]) -> tuple[int, ...]:
    for item in extra:
        if not isinstance(item, dict) or item.get("name") != "Requested Seasons":
            continue
        value = optional_str(item, "value") or ""
        seasons: set[int] = set()
        for part in value.split(","):
            if (season := as_int(part.strip(), "Requested Seasons")) is not None:
                seasons.add(season)
        return tuple(sorted(seasons))
    return ()
