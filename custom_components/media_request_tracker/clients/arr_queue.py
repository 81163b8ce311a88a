"""Radarr's and Sonarr's download queue and commands, API v3.

- ``GET /api/v3/queue``: one page of every tracked download, sorted by time
  left. The queue is held in memory by the app and answered whole up to
  ``pageSize`` (no cap in ``PagingResource``), so one call with a page of
  ``QUEUE_PAGE_SIZE`` covers any household. ``movieId``, ``seriesId`` and
  ``episodeId`` are in every record; ``includeMovie``/``includeSeries``/
  ``includeEpisode`` would only add the whole nested resource (kilobytes per
  record), so they stay off. Downloads the app cannot map to an item
  (``includeUnknown…Items``) cannot be a request's, and stay out too.
- ``POST /api/v3/command`` ``MoviesSearch``/``EpisodeSearch``/``SeasonSearch``:
  ``201`` with the queued ``CommandResource`` (an identical command already
  queued is answered with that one).
- ``DELETE /api/v3/queue/{id}?removeFromClient=&blocklist=``: ``200``, empty
  body; ``404`` when the id is not (or no longer) in the queue.

Written here rather than taken from aiopyarr (23.4.0, its newest release, the
one Home Assistant pins), for the reasons in ``clients/arr.py`` (debug logs of
whole bodies, bare status errors, a default port added to a URL without one),
and because its queue record (``models/request_common.py``, ``_Common8``)
keeps ``timeleft`` as the raw ``TimeSpan`` text and replaces the app's
``trackedDownloadState`` with a made-up ``"stopped"`` whenever the time left
reads ``00:00:00`` with bytes still to come, hiding the app's own state (a
``failedPending`` download that stopped part way, for one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from custom_components.media_request_tracker.core.parsers.arr_queue import (
    QueuePage,
    parse_queue_page,
)
from custom_components.media_request_tracker.core.parsers.fields import PayloadError

from .arr import ArrApi
from .http import LARGE_BODY, ServiceError

QUEUE_PATH = "/api/v3/queue"
COMMAND_PATH = "/api/v3/command"
# A household's queue is tens of downloads; a Sonarr record is per episode,
# so a few full-season packs make hundreds. At about 1.5 KB a record, a page
# this size stays under 2 MB.
QUEUE_PAGE_SIZE = 1000


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrCommand:
    """A command the app queued: its id, and how far it is (``queued``, ``started`` …)."""

    command_id: int
    name: str
    status: str


class ArrNotInQueueError(ServiceError):
    """The queue id is not (or no longer) in the app's queue: nothing was removed."""


class ArrQueueClient(ArrApi):
    """Reads one Radarr's or Sonarr's queue, and starts searches and removals there."""

    async def async_get_queue(self) -> QueuePage:
        """Every download in the queue, in one call; unreadable records are left out."""
        unknown = (
            "includeUnknownSeriesItems"
            if self._app == "Sonarr"
            else "includeUnknownMovieItems"
        )
        answer = await self._call(
            "GET",
            QUEUE_PATH,
            params={
                "page": "1",
                "pageSize": str(QUEUE_PAGE_SIZE),
                "sortKey": "timeleft",
                "sortDirection": "ascending",
                unknown: "false",
            },
            max_body=LARGE_BODY,
        )
        try:
            return parse_queue_page(answer.json())
        except PayloadError as err:
            raise ServiceError(f"{self._app} did not return its queue") from err

    async def async_search_movies(self, movie_ids: Iterable[int]) -> ArrCommand:
        """Search the indexers for these films (Radarr)."""
        return await self._command(
            {"name": "MoviesSearch", "movieIds": [int(i) for i in movie_ids]}
        )

    async def async_search_episodes(self, episode_ids: Iterable[int]) -> ArrCommand:
        """Search the indexers for these episodes (Sonarr)."""
        return await self._command(
            {"name": "EpisodeSearch", "episodeIds": [int(i) for i in episode_ids]}
        )

    async def async_search_season(
        self, series_id: int, season_number: int
    ) -> ArrCommand:
        """Search the indexers for a whole season (Sonarr), season packs first."""
        return await self._command(
            {
                "name": "SeasonSearch",
                "seriesId": int(series_id),
                "seasonNumber": int(season_number),
            }
        )

    async def async_remove_from_queue(
        self, queue_id: int, *, blocklist: bool, remove_from_client: bool = True
    ) -> None:
        """Remove a download, from the download client too; ``blocklist`` marks the release failed.

        Blocklisting makes the app search for another release by itself
        (``skipRedownload`` stays false), so no search needs to follow.
        """
        answer = await self._call(
            "DELETE",
            f"{QUEUE_PATH}/{int(queue_id)}",
            params={
                "removeFromClient": _flag(remove_from_client),
                "blocklist": _flag(blocklist),
            },
            answers=(404,),
        )
        if answer.status == 404:
            raise ArrNotInQueueError(f"{self._app} has no download {queue_id} queued")

    async def _command(self, body: Mapping[str, Any]) -> ArrCommand:
        answer = await self._call(
            "POST", COMMAND_PATH, body=dict(body), max_body=LARGE_BODY
        )
        data = answer.json()
        if not isinstance(data, dict):
            raise ServiceError(f"{self._app} did not return the queued command")
        try:
            command_id = int(data["id"])
        except (KeyError, TypeError, ValueError) as err:
            raise ServiceError(
                f"{self._app} did not return the queued command"
            ) from err
        return ArrCommand(
            command_id=command_id,
            name=str(data.get("name") or body["name"]),
            status=str(data.get("status") or "queued"),
        )


def _flag(value: bool) -> str:
    return "true" if value else "false"
