"""The queue and command part of the fake Radarr or Sonarr (``FakeArr.queue``).

Every fact here was read upstream at the release ``ArrRelease`` names
(``tests/fakes/UPSTREAM.md``, "Queue and commands"). As the real apps do:

- ``GET /api/v3/queue`` answers a page ``{page, pageSize, sortKey,
  sortDirection, totalRecords, records}``; ``pageSize`` defaults to 10 and is
  not capped; the order is ``timeleft`` (an unknown ``sortKey`` falls back to
  it, except in Sonarr 4.0.5), **descending when no direction is sent**, then
  progress descending; downloads not mapped to a film or series
  are left out unless ``includeUnknownMovieItems``/``includeUnknownSeriesItems``;
- a record is ``QueueResource`` serialised by ``STJson``: nulls left out,
  enums camelCase, ``timeleft`` a ``TimeSpan`` string, dates ``…Z``,
  ``estimatedCompletionTime`` = the refresh time + ``timeleft``; Sonarr has
  one record per episode (``seriesId``, ``episodeId``, ``seasonNumber``,
  ``episodeHasFile``), Radarr one per download (``movieId``); a qBittorrent
  download id is the hash in upper case, SABnzbd's its ``nzo_id``; queue ids
  are a 31-bit hash of client, download id (and episode id), not a sequence;
- ``DELETE /api/v3/queue/{id}`` answers ``200`` with an empty body (``404
  {"message": "NotFound"}`` for an id not queued) and stops tracking the whole
  download; ``blocklist=true`` marks it failed, which blocklists it and, unless
  ``skipRedownload``, pushes a new search (Radarr ``MoviesSearch``, Sonarr
  ``EpisodeSearch`` or, for a whole season, ``SeasonSearch``); Sonarr 4.0.5
  blocklists a *pending* release even without ``blocklist``;
- ``POST /api/v3/command`` answers ``201`` with the ``CommandResource``
  (``Location`` header set); an identical command still queued is answered
  with that one; an unknown name is a ``500`` (Sonarr v5: ``400 {message,
  description}``).

The helpers play the download client's side (``add_torrent``,
``add_usenet``, ``advance``, ``stall``, ``finish``, ``block``, ``fail`` …); ``bytes_served``
counts the queue answers' bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
from typing import Any
import zlib

from aiohttp import web

# Radarr's and Sonarr's own words (CompletedDownloadService.cs, FailedDownloadService.cs).
TITLE_MISMATCH = (
    "Movie title mismatch, automatic import is not possible. Manual Import required."
)
NOT_IMPORTED = (
    "One or more movies expected in this release were not imported or missing"
)
NO_FILES = "No files found are eligible for import in {path}"
SERIES_MISMATCH = (
    "Series title mismatch; automatic import is not possible. "
    "Check the download troubleshooting entry on the wiki for common causes."
)
EPISODES_NOT_IMPORTED = (
    "One or more episodes expected in this release were not imported or missing "
    "from the release"
)
# qBittorrent's ``stalledDL`` in the app's English words (Localization/Core/en.json,
# ``DownloadClientQbittorrentTorrentStateStalled``); other UI languages have their own.
STALLED = "The download is stalled with no connections"
_COMMON_SORT_KEYS = {
    "added",
    "downloadClient",
    "estimatedCompletionTime",
    "indexer",
    "languages",
    "progress",
    "protocol",
    "quality",
    "size",
    "status",
    "timeleft",
    "title",
}
SORT_KEYS = {
    "Radarr": _COMMON_SORT_KEYS | {"movies.sortTitle", "year"},
    "Sonarr": _COMMON_SORT_KEYS
    | {
        "episode",
        "episode.airDateUtc",
        "episode.title",
        "episodes.airDateUtc",
        "episodes.title",
        "language",
        "series.sortTitle",
    },
}
KNOWN_COMMANDS = {
    "Radarr": ("MoviesSearch", "RefreshMonitoredDownloads", "MissingMoviesSearch"),
    "Sonarr": (
        "EpisodeSearch",
        "SeasonSearch",
        "SeriesSearch",
        "RefreshMonitoredDownloads",
    ),
}


@dataclass
class FakeDownload:
    """One download the app tracks, as its download client last reported it."""

    download_id: str
    title: str
    protocol: str  # usenet, torrent
    download_client: str
    size: int
    size_left: int
    movie_id: int | None = None
    series_id: int | None = None
    season_number: int | None = None
    episode_ids: tuple[int, ...] = ()
    time_left: timedelta | None = None
    refreshed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: str = "queued"
    tracked_status: str | None = "ok"
    tracked_state: str | None = "downloading"
    status_messages: list[dict[str, Any]] = field(default_factory=list)
    error_message: str | None = None
    indexer: str = "Indexer"
    added: datetime = field(default_factory=lambda: datetime.now(UTC))
    client_id: int = 1
    pending: bool = False  # held by a delay profile: no download id yet


class FakeQueue:
    """The queue, commands and blocklist of one fake app."""

    def __init__(
        self,
        app: str,
        version: str,
        guard: Callable[[web.Request], web.Response | None],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.version = version
        self._guard = guard
        self.clock = clock
        self.downloads: dict[str, FakeDownload] = {}
        self.commands: list[dict[str, Any]] = []
        self.blocklisted: list[str] = []
        self.removed_from_client: list[str] = []
        self.bytes_served = 0
        self.queue_calls = 0

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/api/v3/queue", self._get_queue)
        router.add_delete("/api/v3/queue/{id:\\d+}", self._delete)
        router.add_post("/api/v3/command", self._command)

    # The download client's side ---------------------------------------------

    def add_torrent(self, info_hash: str, title: str, **item: Any) -> FakeDownload:
        """A torrent in qBittorrent: the app names it by the hash in upper case."""
        item.setdefault("download_client", "qBittorrent")
        return self._add(info_hash.upper(), title, "torrent", **item)

    def add_usenet(self, nzo_id: str, title: str, **item: Any) -> FakeDownload:
        """An NZB in SABnzbd: the app names it by SABnzbd's ``nzo_id``, as it is."""
        item.setdefault("download_client", "SABnzbd")
        return self._add(nzo_id, title, "usenet", **item)

    def add_pending(self, key: str, title: str, **item: Any) -> FakeDownload:
        """A release a delay profile holds back: ``status`` ``delay``, no tracked state."""
        item.setdefault("download_client", "qBittorrent")
        download = self._add(key, title, "torrent", **item)
        download.pending = True
        download.status = "delay"
        download.tracked_state = download.tracked_status = None
        download.time_left = timedelta(hours=1)
        return download

    def advance(
        self, download_id: str, size_left: int, time_left: timedelta | None
    ) -> FakeDownload:
        """The client reports progress (the app's once-a-minute refresh)."""
        download = self._find(download_id)
        download.size_left = size_left
        download.time_left = time_left
        download.status = "downloading"
        download.error_message = None
        download.refreshed_at = self.clock()
        return download

    def stall(self, download_id: str) -> FakeDownload:
        """A torrent in ``stalledDL``: ``warning`` with the app's words, nothing moved.

        The tracked download stays ``ok``/``downloading`` (the app warns only
        through the item's status and message); qBittorrent's unknown ETA
        leaves ``timeleft`` out.
        """
        download = self._find(download_id)
        assert download.download_client == "qBittorrent", "stalledDL is qBittorrent's"
        download.status = "warning"
        download.error_message = STALLED
        download.time_left = None
        download.refreshed_at = self.clock()
        return download

    def finish(self, download_id: str) -> FakeDownload:
        """All bytes are there; the app will import (``importPending``)."""
        download = self.advance(download_id, 0, timedelta(0))
        download.status = "completed"
        download.tracked_state = "importPending"
        return download

    def block(self, download_id: str, message: str | None = None) -> FakeDownload:
        """The import cannot go on by itself, with the app's words for why (a title mismatch)."""
        download = self.finish(download_id)
        download.tracked_state = "importBlocked"
        download.tracked_status = "warning"
        download.status_messages = [
            {"title": download.title, "messages": [message or self._mismatch]}
        ]
        return download

    def reject_files(
        self, download_id: str, rejections: Iterable[tuple[str, str]]
    ) -> FakeDownload:
        """Files were rejected on import: the summary line, then one per file."""
        download = self.finish(download_id)
        download.tracked_state = "importBlocked"
        download.tracked_status = "warning"
        summary = NOT_IMPORTED if self.app == "Radarr" else EPISODES_NOT_IMPORTED
        download.status_messages = [
            {"title": summary, "messages": []},
            *({"title": name, "messages": [reason]} for name, reason in rejections),
        ]
        return download

    def fail(self, download_id: str, message: str) -> FakeDownload:
        """The client reports the download failed: ``failedPending`` until handled."""
        download = self._find(download_id)
        download.status = "failed"
        download.tracked_state = "failedPending"
        download.tracked_status = "error"
        download.error_message = message
        return download

    def importing(self, download_id: str) -> FakeDownload:
        download = self._find(download_id)
        download.tracked_state = "importing"
        download.tracked_status = "ok"
        download.status_messages = []
        return download

    def remove(self, download_id: str) -> None:
        """Imported (or removed in the client): no longer tracked, gone from the queue."""
        self.downloads.pop(download_id, None)

    def records(self, *, ascending: bool = True) -> list[dict[str, Any]]:
        """Every record as ``QueueResource`` serialises it, by time left (none last).

        Then by progress, most first, whichever the direction (``ThenByDescending``).
        """
        ordered = sorted(
            self.downloads.values(),
            key=lambda d: (
                (
                    (d.time_left is None, d.time_left or timedelta(0))
                    if ascending
                    else (d.time_left is not None, -(d.time_left or timedelta(0)))
                )
                + (-(d.size - d.size_left) / d.size if d.size else 0,)
            ),
        )
        return [record for d in ordered for record in self._records(d)]

    # The API -----------------------------------------------------------------

    async def _get_queue(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        self.queue_calls += 1
        query = request.query
        page = int(query.get("page", 1))
        size = int(query.get("pageSize", 10))
        unknown = query.get(f"includeUnknown{self._item}Items", "false") == "true"
        # No direction is descending (the ``PagingResource`` constructor);
        # ``default`` is the controller's default, ascending.
        direction = (query.get("sortDirection") or "descending").lower()
        ascending = direction != "descending"
        sort_key = query.get("sortKey")
        if sort_key not in SORT_KEYS[self.app] and self.version != "4.0.5":
            sort_key = "timeleft"  # the fake orders by time left whatever the key
        records = [
            r
            for r in self.records(ascending=ascending)
            if unknown or r.get(self._item_key) is not None
        ]
        if query.get("includeMovie") == "true" or query.get("includeSeries") == "true":
            for record in records:
                record[self._item.lower()] = self._item_resource(record)
        body = {
            "page": page,
            "pageSize": size,
            "sortKey": sort_key or "timeleft",
            "sortDirection": "ascending" if ascending else "descending",
            "totalRecords": len(records),
            "records": records[(page - 1) * size : page * size],
        }
        return self._json(body)

    async def _delete(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        queue_id = int(request.match_info["id"])
        found = next(
            (
                d
                for d in self.downloads.values()
                if any(r["id"] == queue_id for r in self._records(d))
            ),
            None,
        )
        if found is None:
            return web.json_response({"message": "NotFound"}, status=404)
        query = request.query
        blocklist = query.get("blocklist", "false") == "true"
        if found.pending:
            if blocklist or self.version == "4.0.5":
                self.blocklisted.append(found.download_id)
        else:
            if query.get("removeFromClient", "true") == "true":
                self.removed_from_client.append(found.download_id)
            if blocklist:
                self.blocklisted.append(found.download_id)
                if query.get("skipRedownload", "false") != "true":
                    self._push(self._redownload(found), trigger="unspecified")
        del self.downloads[found.download_id]
        return web.Response(status=200)

    async def _command(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        name = next(
            (
                known
                for known in KNOWN_COMMANDS[self.app]
                if known.casefold() == str(body.get("name", "")).casefold()
            ),
            None,
        )
        if name is None:
            # ``Single`` finds no command type: an InvalidOperationException.
            message = "Sequence contains no matching element"
            if self.app == "Sonarr" and self.version == "5":
                return web.json_response(
                    {"message": message, "description": message}, status=400
                )
            return web.Response(status=500, text=message)
        resource = self._push({**body, "name": name}, trigger="manual")
        return web.json_response(
            resource,
            status=201,
            headers={"Location": f"/api/v3/command/{resource['id']}"},
        )

    # Behaviour behind the API --------------------------------------------------

    @property
    def _mismatch(self) -> str:
        return TITLE_MISMATCH if self.app == "Radarr" else SERIES_MISMATCH

    @property
    def _item(self) -> str:
        return "Movie" if self.app == "Radarr" else "Series"

    @property
    def _item_key(self) -> str:
        return "movieId" if self.app == "Radarr" else "seriesId"

    def _add(
        self, download_id: str, title: str, protocol: str, **item: Any
    ) -> FakeDownload:
        size = item.pop("size", 4 * 1024**3)
        download = FakeDownload(
            download_id=download_id,
            title=title,
            protocol=protocol,
            size=size,
            size_left=item.pop("size_left", size),
            refreshed_at=self.clock(),
            added=self.clock(),
            **item,
        )
        self.downloads[download_id] = download
        return download

    def _find(self, download_id: str) -> FakeDownload:
        for key, download in self.downloads.items():
            if key.casefold() == download_id.casefold():
                return download
        raise KeyError(download_id)

    def _records(self, d: FakeDownload) -> list[dict[str, Any]]:
        """``QueueService.MapQueue``: Radarr one record, Sonarr one per episode."""
        episodes: tuple[int | None, ...] = (
            d.episode_ids if self.app == "Sonarr" and d.episode_ids else (None,)
        )
        return [self._record(d, episode) for episode in episodes]

    def _record(self, d: FakeDownload, episode_id: int | None) -> dict[str, Any]:
        kind = "pending" if d.pending else "trackedDownload"
        key = f"{kind}-{d.client_id}-{d.download_id}"
        if self.app == "Sonarr" and not d.pending:
            key += f"-ep{episode_id or 0}"
        record: dict[str, Any] = {}
        if self.app == "Radarr":
            record["movieId"] = d.movie_id
        else:
            record["seriesId"] = d.series_id
            record["episodeId"] = episode_id
            record["seasonNumber"] = d.season_number if episode_id else None
        record |= {
            "languages": [{"id": 1, "name": "English"}],
            "quality": {
                "quality": {
                    "id": 7,
                    "name": "Bluray-1080p",
                    "source": "bluray",
                    "resolution": 1080,
                    "modifier": "none",
                },
                "revision": {"version": 1, "real": 0, "isRepack": False},
            },
            "customFormats": [],
            "customFormatScore": 0,
            "size": d.size,
            "title": d.title,
            "estimatedCompletionTime": _date(d.refreshed_at + d.time_left)
            if d.time_left is not None
            else None,
            "added": _date(d.added),
            "status": d.status,
            "trackedDownloadStatus": d.tracked_status,
            "trackedDownloadState": d.tracked_state,
            "statusMessages": None if d.pending else d.status_messages,
            "errorMessage": d.error_message,
            "downloadId": None if d.pending else d.download_id,
            "protocol": d.protocol,
            "downloadClient": d.download_client,
            "downloadClientHasPostImportCategory": False,
            "indexer": d.indexer,
            "outputPath": None if d.pending else f"/downloads/{d.title}",
        }
        if self.app == "Sonarr":
            record["episodeHasFile"] = False
        record |= {
            "sizeleft": d.size_left,
            "timeleft": _timespan(d.time_left) if d.time_left is not None else None,
            "id": zlib.crc32(key.encode()) & 0x7FFFFFFF,
        }
        # STJson: WhenWritingNull.
        return {k: v for k, v in record.items() if v is not None}

    def _item_resource(self, record: dict[str, Any]) -> dict[str, Any]:
        """A trimmed ``MovieResource``/``SeriesResource``: the real one is kilobytes."""
        item_id = record.get(self._item_key)
        return {
            "id": item_id,
            "title": f"{self._item} {item_id}",
            "overview": "An overview of a few hundred characters. " * 8,
            "images": [
                {"coverType": kind, "url": f"/MediaCover/{item_id}/{kind}.jpg"}
                for kind in ("poster", "fanart", "banner")
            ],
        }

    def _redownload(self, d: FakeDownload) -> dict[str, Any]:
        """``RedownloadFailedDownloadService``: search again for what failed."""
        if self.app == "Radarr":
            return {"name": "MoviesSearch", "movieIds": [d.movie_id]}
        if len(d.episode_ids) > 1:
            # The fake takes several episodes for the whole season.
            return {
                "name": "SeasonSearch",
                "seriesId": d.series_id,
                "seasonNumber": d.season_number,
            }
        return {"name": "EpisodeSearch", "episodeIds": list(d.episode_ids)}

    def _push(self, body: dict[str, Any], *, trigger: str) -> dict[str, Any]:
        """``CommandQueueManager.Push``: an identical queued command is that command."""
        for command in self.commands:
            if command["status"] == "queued" and _same(command["body"], body):
                return command
        name = body["name"]
        command = {
            "name": name,
            "commandName": _split_camel(name),
            "body": {
                **{k: v for k, v in body.items() if k != "name"},
                "sendUpdatesToClient": True,
                "updateScheduledTask": True,
                "completionMessage": "Completed",
                "requiresDiskAccess": False,
                "isExclusive": False,
                "isTypeExclusive": False,
                "isLongRunning": False,
                "name": name,
                "trigger": trigger,
                "suppressMessages": False,
            },
            "priority": "normal",
            "status": "queued",
            "result": "unknown",
            "queued": _date(self.clock()),
            "trigger": trigger,
            "sendUpdatesToClient": True,
            "updateScheduledTask": True,
            "id": len(self.commands) + 1,
        }
        self.commands.append(command)
        return command

    def _json(self, body: Any, status: int = 200) -> web.Response:
        text = json.dumps(body, separators=(",", ":"))
        self.bytes_served += len(text.encode())
        return web.Response(text=text, status=status, content_type="application/json")


_COMMAND_KEYS = ("movieIds", "episodeIds", "seriesId", "seasonNumber")


def _same(stored: dict[str, Any], body: dict[str, Any]) -> bool:
    """``CommandEqualityComparer``: the same name and the same arguments."""
    return stored["name"] == body["name"] and all(
        stored.get(key) == body.get(key) for key in _COMMAND_KEYS
    )


def _split_camel(name: str) -> str:
    return "".join(f" {c}" if c.isupper() and i else c for i, c in enumerate(name))


def _date(value: datetime) -> str:
    """``STJUtcConverter``: ``yyyy-MM-ddTHH:mm:ssZ``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timespan(value: timedelta) -> str:
    """``TimeSpan.ToString()`` ("c"): ``[d.]hh:mm:ss[.fffffff]``."""
    ticks = round(value.total_seconds() * 10_000_000)
    seconds, fraction = divmod(ticks, 10_000_000)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{days}." if days else ""
    text += f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:07d}" if fraction else "")
