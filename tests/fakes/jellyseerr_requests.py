"""The fake Jellyseerr's requests, as ``GET /api/v1/request`` lists them.

Read in ``server/routes/request.ts``, ``server/entity/MediaRequest.ts``,
``Media.ts``, ``SeasonRequest.ts``, ``User.ts`` and the API spec at
Jellyseerr v2.0.0 and v2.7.3 and Seerr v3.1.0 (``tests/fakes/UPSTREAM.md``):

- ``take`` (default 10), ``skip`` (0), ``sort`` ``added`` (by ``request.id``)
  or ``modified`` (by ``updatedAt``), ``sortDirection`` (2.7+; descending
  by default), ``filter`` (``all`` lists every status); the answer is
  ``{pageInfo: {pages, pageSize, results, page}, results}``, plus
  ``serviceErrors`` on 3.x;
- a result is the request entity with ``media``, ``seasons``,
  ``requestedBy`` and ``modifiedBy`` joined; no title and no poster;
- approving or declining sets ``status`` and ``modifiedBy`` (and the season
  requests); ``updatedAt`` moves with it only before 2.6.0;
- ``GET /api/v1/request/{id}``: the entity alone (``media`` and ``seasons``
  are eager relations), ``404 {"message": "Request not found."}`` if none;
- ``GET /api/v1/movie/{id}`` and ``/tv/{id}`` give ``title``/``name``,
  ``releaseDate``/``firstAirDate`` and ``posterPath``.

Each request can also be told as the notification its webhook carries
(``notification``), so a test can send both paths the same request.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

ALICE = {
    "id": 2,
    "email": "alice@example.com",
    "plexUsername": None,
    "jellyfinUsername": "alice",
    "username": None,
    "userType": 3,
    "permissions": 32,
    "avatar": "/avatarproxy/2b3c",
    "createdAt": "2025-01-02T10:00:00.000Z",
    "updatedAt": "2025-01-02T10:00:00.000Z",
    "requestCount": 1,
    # @AfterLoad setDisplayName: username || plexUsername || jellyfinUsername || email
    "displayName": "alice",
    "settings": {"discordId": None, "telegramChatId": None},
}
POSTER_BASE = "https://image.tmdb.org/t/p/w600_and_h900_bestv2"
_START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class SeerrRequests:
    """Every request of one fake Jellyseerr, and the titles they name."""

    def __init__(self, version: str) -> None:
        self.version = version
        # MediaRequestStatus 5 COMPLETED and the non-moving updatedAt: 2.6.0+.
        self.completed_status = _version_tuple(version) >= (2, 6, 0)
        self.updated_at_moves = not self.completed_status
        self.requests: dict[int, dict[str, Any]] = {}
        self.titles: dict[tuple[str, int], dict[str, Any]] = {}
        # The query of each list call, in order.
        self.list_calls: list[dict[str, str]] = []
        self.detail_calls: list[str] = []
        self._clock = _START

    def _now(self) -> str:
        self._clock += timedelta(minutes=1)
        return self._clock.isoformat().replace("+00:00", ".000Z")

    def add(
        self,
        *,
        media_type: str,
        tmdb_id: int,
        title: str,
        date: str,
        poster_path: str | None,
        tvdb_id: int | None = None,
        status: int = 1,
        is_4k: bool = False,
        requested_by: dict[str, Any] | None = None,
        seasons: tuple[int, ...] = (),
        request_id: int | None = None,
    ) -> int:
        """Make a request as ``POST /api/v1/request`` does: PENDING, or APPROVED for an admin."""
        number = request_id or max(self.requests, default=0) + 1
        user = requested_by or ALICE
        created = self._now()
        media_status = 3 if status == 2 else 2
        self.titles[(media_type, tmdb_id)] = {
            "id": tmdb_id,
            ("title" if media_type == "movie" else "name"): title,
            ("releaseDate" if media_type == "movie" else "firstAirDate"): date,
            "posterPath": poster_path,
            "overview": f"{title}, the overview.",
        }
        self.requests[number] = {
            "id": number,
            "status": status,
            "createdAt": created,
            "updatedAt": created,
            "type": media_type,
            "is4k": is_4k,
            "serverId": 0,
            "profileId": 4,
            "rootFolder": "/media",
            "languageProfileId": None,
            "tags": [],
            "isAutoRequest": False,
            "media": {
                "id": 100 + number,
                "mediaType": media_type,
                "tmdbId": tmdb_id,
                "tvdbId": tvdb_id,
                "imdbId": None,
                "status": 1 if is_4k else media_status,
                "status4k": media_status if is_4k else 1,
                "createdAt": created,
                "updatedAt": created,
                "lastSeasonChange": created,
                "mediaAddedAt": None,
                "serviceId": None,
                "serviceId4k": None,
                "externalServiceId": None,
                "externalServiceId4k": None,
                "externalServiceSlug": None,
                "externalServiceSlug4k": None,
                "ratingKey": None,
                "ratingKey4k": None,
                "jellyfinMediaId": None,
                "jellyfinMediaId4k": None,
                "downloadStatus": [],
                "downloadStatus4k": [],
            },
            "seasons": [
                {
                    "id": number * 100 + season,
                    "seasonNumber": season,
                    "status": status,
                    "createdAt": created,
                    "updatedAt": created,
                }
                for season in seasons
            ],
            "modifiedBy": user if status == 2 else None,
            "requestedBy": user,
            "seasonCount": len(seasons),
            "profileName": "HD-1080p",
        }
        return number

    def set_status(self, number: int, status: int, by: dict[str, Any]) -> None:
        """``POST /request/{id}/approve|decline``: status, modifiedBy, season requests."""
        request = self.requests[number]
        request["status"] = status
        request["modifiedBy"] = by
        for season in request["seasons"]:
            if status == 2 or _version_tuple(self.version) >= (3, 0, 0):
                season["status"] = status
        key = "status4k" if request["is4k"] else "status"
        if status == 2 and request["media"][key] not in (3, 4, 5):
            request["media"][key] = 3
        elif status == 3:
            request["media"][key] = 1
        if self.updated_at_moves:
            request["updatedAt"] = self._now()

    def make_available(self, number: int) -> None:
        """The availability sync: the media is AVAILABLE; from 2.6.0 the request COMPLETED."""
        request = self.requests[number]
        request["media"]["status4k" if request["is4k"] else "status"] = 5
        if self.completed_status:
            request["status"] = 5

    def notification(self, number: int) -> dict[str, Any]:
        """What ``sendNotification`` hands the webhook agent for this request."""
        request = self.requests[number]
        title = self.titles[(request["type"], request["media"]["tmdbId"])]
        name = title.get("title") or title.get("name")
        date = title.get("releaseDate") or title.get("firstAirDate") or ""
        kind = "Movie" if request["type"] == "movie" else "Series"
        four_k = "4K " if request["is4k"] else ""
        extra = (
            [
                {
                    "name": "Requested Seasons",
                    "value": ", ".join(
                        str(s["seasonNumber"]) for s in request["seasons"]
                    ),
                }
            ]
            if request["type"] == "tv"
            else []
        )
        return {
            "event": f"New {four_k}{kind} Request",
            "subject": f"{name} ({date[:4]})" if date else name,
            "message": title["overview"],
            "image": f"{POSTER_BASE}{title['posterPath']}",
            "media": copy.deepcopy(request["media"]),
            "request": copy.deepcopy(request),
            "extra": extra,
        }

    # The routes ------------------------------------------------------------

    async def list(self, request: web.Request) -> web.Response:
        """``GET /api/v1/request`` with the default filter and either sort."""
        query = dict(request.query)
        self.list_calls.append(query)
        take = int(query.get("take") or 10)
        skip = int(query.get("skip") or 0)
        statuses = {1, 2, 3, 4, 5} if self.completed_status else {1, 2, 3, 4}
        listed = [r for r in self.requests.values() if r["status"] in statuses]
        key = "updatedAt" if query.get("sort") == "modified" else "id"
        listed.sort(key=lambda r: r[key], reverse=query.get("sortDirection") != "asc")
        page = listed[skip : skip + take]
        body: dict[str, Any] = {
            "pageInfo": {
                "pages": -(-len(listed) // take),
                "pageSize": take,
                "results": len(listed),
                "page": -(-skip // take) + 1,
            },
            "results": copy.deepcopy(page),
        }
        if _version_tuple(self.version) >= (3, 0, 0):
            body["serviceErrors"] = {"radarr": [], "sonarr": []}
        return web.json_response(body)

    async def one(self, request: web.Request) -> web.Response:
        """``GET /api/v1/request/{id}``: the entity (media and seasons are eager), or 404."""
        text = request.match_info["request_id"]
        found = self.requests.get(int(text)) if text.isdigit() else None
        if found is None:
            return web.json_response({"message": "Request not found."}, status=404)
        entity = copy.deepcopy(found)
        entity.pop("profileName", None)
        return web.json_response(entity)

    async def details(self, request: web.Request) -> web.Response:
        """``GET /api/v1/movie/{id}`` or ``/tv/{id}``: what TMDB says of the title."""
        kind = "movie" if request.path.startswith("/api/v1/movie/") else "tv"
        self.detail_calls.append(request.path)
        title = self.titles.get((kind, int(request.match_info["tmdb_id"])))
        if title is None:
            message = f"Unable to retrieve {'movie' if kind == 'movie' else 'series'}."
            return web.json_response({"message": message}, status=500)
        return web.json_response(title)
