"""Radarr's and Sonarr's download queue (``GET /api/v3/queue``), read defensively.

A queue answer is a page: ``{page, pageSize, sortKey, sortDirection,
totalRecords, records}``. Each record is one tracked download (Radarr), or one
episode of one (Sonarr: a season pack is a record per episode, all with the
same ``downloadId``). A record we cannot read is skipped, never the page: one
odd download must not hide the others.

Serialisation (System.Text.Json, ``STJson``): camelCase names, nulls left
out, enums as camelCase strings, ``timeleft`` a .NET ``TimeSpan`` string
(``[d.]hh:mm:ss[.fffffff]``), dates ``yyyy-MM-ddTHH:mm:ssZ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import re
from typing import Any

from .fields import PayloadError, as_int, download_hash, optional_str

# ``TimeSpan.ToString()`` ("c"): an optional day count, then hh:mm:ss, then a fraction.
_TIMESPAN = re.compile(r"^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$")


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueRecord:
    """One queue record: a download as the *arr tracks it, for one film or episode."""

    queue_id: int
    # The download client's id, in the form the webhook parser gives a grab's
    # ``downloadId`` (a torrent hash lower-cased, 40 characters); None while pending.
    download_id: str | None
    movie_id: int | None = None
    series_id: int | None = None
    episode_id: int | None = None
    season_number: int | None = None
    title: str | None = None
    size: int | None = None
    size_left: int | None = None
    time_left: int | None = None  # seconds, as the download client last said
    estimated_completion: datetime | None = None
    status: str = "unknown"  # QueueStatus: queued, paused, downloading, completed …
    tracked_state: str | None = (
        None  # TrackedDownloadState: downloading, importBlocked …
    )
    tracked_status: str | None = None  # TrackedDownloadStatus: ok, warning, error
    messages: tuple[str, ...] = ()
    error_message: str | None = None
    protocol: str | None = None  # usenet, torrent
    download_client: str | None = None

    @property
    def message(self) -> str | None:
        """The app's status messages as one line, or its error message."""
        return "; ".join(self.messages) or self.error_message


@dataclass(frozen=True, kw_only=True, slots=True)
class QueuePage:
    """The records of one page, and how many the whole queue holds."""

    records: tuple[QueueRecord, ...]
    total_records: int
    skipped: int = 0  # records that could not be read


def parse_queue_page(data: object) -> QueuePage:
    """Read a queue page; a record that cannot be read is counted and left out."""
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise PayloadError("the queue answer is not a page of records")
    records: list[QueueRecord] = []
    skipped = 0
    for raw in data["records"]:
        try:
            records.append(parse_queue_record(raw))
        except PayloadError:
            skipped += 1
    try:
        total = as_int(data.get("totalRecords"), "totalRecords")
    except PayloadError:
        total = None
    return QueuePage(
        records=tuple(records),
        total_records=total if total is not None else len(records),
        skipped=skipped,
    )


def parse_queue_record(raw: object) -> QueueRecord:
    """Read one record; ``PayloadError`` when it has no id or a field of the wrong type."""
    if not isinstance(raw, dict):
        raise PayloadError("a queue record must be an object")
    queue_id = as_int(raw.get("id"), "id")
    if queue_id is None:
        raise PayloadError("'id' is missing")
    return QueueRecord(
        queue_id=queue_id,
        download_id=download_hash(raw),
        movie_id=_id(raw, "movieId"),
        series_id=_id(raw, "seriesId"),
        episode_id=_id(raw, "episodeId"),
        season_number=as_int(raw.get("seasonNumber"), "seasonNumber"),
        title=optional_str(raw, "title"),
        size=_bytes(raw, "size"),
        size_left=_bytes(raw, "sizeleft"),
        time_left=parse_timespan(raw.get("timeleft")),
        estimated_completion=_date(raw.get("estimatedCompletionTime")),
        status=optional_str(raw, "status") or "unknown",
        tracked_state=optional_str(raw, "trackedDownloadState"),
        tracked_status=optional_str(raw, "trackedDownloadStatus"),
        messages=_messages(raw.get("statusMessages"), optional_str(raw, "title")),
        error_message=optional_str(raw, "errorMessage"),
        protocol=optional_str(raw, "protocol"),
        download_client=optional_str(raw, "downloadClient"),
    )


def parse_timespan(value: object) -> int | None:
    """Whole seconds of a ``TimeSpan`` string (``"1.02:03:04.5"``); None if unreadable or negative."""
    if not isinstance(value, str) or (match := _TIMESPAN.match(value.strip())) is None:
        return None
    negative, days, hours, minutes, seconds, _fraction = match.groups()
    if negative:
        return None
    return ((int(days or 0) * 24 + int(hours)) * 60 + int(minutes)) * 60 + int(seconds)


def _id(raw: dict[str, Any], key: str) -> int | None:
    value = as_int(raw.get(key), key)
    return value or None


def _bytes(raw: dict[str, Any], key: str) -> int | None:
    """Read a ``decimal`` byte count: a JSON number, maybe with a fraction."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"'{key}' must be a number")
    return max(int(value), 0)


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _messages(value: object, download: str | None) -> tuple[str, ...]:
    """``statusMessages[{title, messages[]}]`` as lines.

    A message about the whole download has the download's title as its
    title, which says nothing new; one about a file of it (an import that
    was rejected) has the file's name: ``name: message``.
    """
    if not isinstance(value, list):
        return ()
    lines: list[str] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        title = item.get("title") if isinstance(item.get("title"), str) else None
        texts = [m for m in item.get("messages") or () if isinstance(m, str) and m]
        if texts:
            named = title and title != download
            lines.extend(f"{title}: {text}" if named else text for text in texts)
        elif title:
            lines.append(title)
    return tuple(lines)
