"""Jellyseerr's (Seerr's) API: a request as ``GET /api/v1/request`` lists it.

The safety net for lost webhooks reads these; each becomes the
``RequestEvent`` its webhook would have carried. Unlike the webhook, the
API sends numbers as numbers and names no title and no poster: those come
from ``GET /api/v1/movie/{tmdbId}`` or ``/tv/{tmdbId}`` (``read_details``).
Facts and tags: ``tests/fakes/UPSTREAM.md``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from custom_components.media_request_tracker.core.events import (
    MediaInfo,
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.model import MediaIds, MediaType

from .fields import (
    PayloadError,
    as_int,
    optional_bool,
    optional_int,
    optional_list,
    optional_object,
    optional_str,
    require_object,
    year_of,
)

# MediaRequestStatus (server/constants/media.ts); 5 COMPLETED from 2.6.0.
_REQUEST_STATUS = {
    1: RequestStatus.PENDING,
    2: RequestStatus.APPROVED,
    3: RequestStatus.DECLINED,
    4: RequestStatus.FAILED,
    5: RequestStatus.AVAILABLE,
}
_MEDIA_AVAILABLE = 5  # MediaStatus.AVAILABLE
# What the webhook's ``image`` is made of (MediaRequest.ts sendNotification).
POSTER_BASE = "https://image.tmdb.org/t/p/w600_and_h900_bestv2"


def parse_request_page(payload: object) -> tuple[list[Any], int]:
    """Return a page's results and how many pages there are."""
    body = require_object(payload, "Jellyseerr request list")
    results = optional_list(body, "results")
    page_info = optional_object(body, "pageInfo") or {}
    return results, optional_int(page_info, "pages") or 0


def parse_api_request(item: object) -> RequestEvent:
    """Turn one listed request into the event its webhook would have carried."""
    body = require_object(item, "Jellyseerr request")
    number = as_int(body.get("id"), "id")
    if number is None:
        raise PayloadError("the request has no id")
    code = as_int(body.get("status"), "status")
    if code not in _REQUEST_STATUS:
        raise PayloadError(f"unknown request status {code!r}")
    media = optional_object(body, "media")
    if media is None:
        raise PayloadError("'media' is missing")
    media_type_text = optional_str(media, "mediaType") or optional_str(body, "type")
    try:
        media_type = MediaType(media_type_text or "")
    except ValueError:
        raise PayloadError(f"unknown media type {media_type_text!r}") from None
    ids = MediaIds(
        tmdb_id=optional_int(media, "tmdbId"),
        tvdb_id=optional_int(media, "tvdbId"),
        imdb_id=optional_str(media, "imdbId"),
    )
    if ids.tmdb_id is None and ids.tvdb_id is None:
        raise PayloadError("'media' has neither tmdbId nor tvdbId")
    is_4k = optional_bool(body, "is4k")
    status = _REQUEST_STATUS[code]
    media_status = as_int(media.get("status4k" if is_4k else "status"), "status")
    if status is RequestStatus.APPROVED and media_status == _MEDIA_AVAILABLE:
        # Before 2.6.0 a fulfilled request stays APPROVED; its media tells.
        status = RequestStatus.AVAILABLE
    return RequestEvent(
        status=status,
        media=MediaInfo(media_type=media_type, ids=ids),
        request_id=str(number),
        requested_by=_display_name(optional_object(body, "requestedBy")),
        seasons=_seasons(optional_list(body, "seasons")),
        is_4k=is_4k,
        polled=True,
    )


def read_details(event: RequestEvent, payload: object) -> RequestEvent:
    """Add the title, year and poster of ``GET /api/v1/movie|tv/{tmdbId}``."""
    body = require_object(payload, "Jellyseerr title details")
    movie = event.media.media_type is MediaType.MOVIE
    title = optional_str(body, "title" if movie else "name")
    date = optional_str(body, "releaseDate" if movie else "firstAirDate") or ""
    poster_path = optional_str(body, "posterPath")
    poster = f"{POSTER_BASE}{poster_path}" if poster_path else None
    return replace(
        event,
        media=replace(
            event.media, title=title, year=year_of(date[:4], "date"), poster_url=poster
        ),
    )


def _display_name(user: dict[str, Any] | None) -> str | None:
    """Name the requester as the webhook does: ``displayName``, made as Seerr makes it."""
    if user is None:
        return None
    for key in ("displayName", "username", "plexUsername", "jellyfinUsername"):
        if name := optional_str(user, key):
            return name
    return optional_str(user, "email")


def _seasons(seasons: list[Any]) -> tuple[int, ...]:
    numbers: set[int] = set()
    for season in seasons:
        if (
            isinstance(season, dict)
            and (number := as_int(season.get("seasonNumber"), "seasonNumber"))
            is not None
        ):
            numbers.add(number)
    return tuple(sorted(numbers))
