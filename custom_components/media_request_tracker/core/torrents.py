"""qBittorrent's torrent list, kept current from incremental ``sync/maindata`` answers.

A sync answer holds only what changed since the last ``rid``; this table
merges it, remembers when each torrent last moved bytes (for stall
detection), and reduces a torrent to what a request needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

# qBittorrent's way of saying "no ETA".
ETA_UNKNOWN = 8640000

# Finished downloads, in both the 4.x ``paused*`` and the 5.x ``stopped*`` names.
_COMPLETE_STATES = frozenset(
    {"uploading", "stalledUP", "queuedUP", "forcedUP", "pausedUP", "stoppedUP"}
)
# Full progress that is not (yet) a finished download: a recheck, a move, or
# 4.1's ``queuedForChecking`` (waiting for a recheck, libtorrent < 1.1).
_NOT_YET_DONE_STATES = frozenset(
    {
        "checkingUP",
        "checkingDL",
        "checkingResumeData",
        "queuedForChecking",
        "moving",
        "error",
        "missingFiles",
    }
)
_BROKEN_STATES = frozenset({"error", "missingFiles"})


class TorrentCondition(StrEnum):
    """What a torrent means for its request."""

    WAITING = "waiting"
    DOWNLOADING = "downloading"
    COMPLETE = "complete"
    BROKEN = "broken"


@dataclass(frozen=True, kw_only=True, slots=True)
class TorrentStatus:
    """One torrent as a request sees it."""

    hash: str
    state: str
    progress: float
    download_speed: int
    eta: int | None
    size: int | None
    completed: int
    moved_at: datetime

    @property
    def condition(self) -> TorrentCondition:
        """Classify the torrent; the qBittorrent state name decides before the numbers."""
        if self.state in _BROKEN_STATES:
            return TorrentCondition.BROKEN
        if self.state in _COMPLETE_STATES or (
            self.progress >= 1.0 and self.state not in _NOT_YET_DONE_STATES
        ):
            return TorrentCondition.COMPLETE
        if self.completed > 0 or self.progress > 0 or self.download_speed > 0:
            return TorrentCondition.DOWNLOADING
        return TorrentCondition.WAITING


class TorrentTable:
    """The client's view of every torrent, merged from full and delta updates."""

    def __init__(self) -> None:
        """Start empty; the first sync (``rid`` 0) is a full update."""
        self.rid = 0
        self._torrents: dict[str, dict[str, Any]] = {}
        self._moved_at: dict[str, datetime] = {}
        self.removed: set[str] = set()

    def reset(self) -> None:
        """Ask for a full update next time, after a new login or an error."""
        self.rid = 0

    def apply(self, maindata: Mapping[str, Any], now: datetime) -> None:
        """Merge one ``sync/maindata`` answer."""
        self.removed = set()
        torrents = maindata.get("torrents")
        changes: dict[str, Any] = torrents if isinstance(torrents, dict) else {}
        if maindata.get("full_update"):
            gone = set(self._torrents) - {key.lower() for key in changes}
            self.removed |= gone
            for torrent_hash in gone:
                self._forget(torrent_hash)
        for raw_hash, fields in changes.items():
            if not isinstance(fields, dict):
                continue
            torrent_hash = raw_hash.lower()
            known = self._torrents.setdefault(torrent_hash, {})
            before = known.get("completed")
            known.update(fields)
            if torrent_hash not in self._moved_at or known.get("completed") != before:
                self._moved_at[torrent_hash] = now
        for raw_hash in maindata.get("torrents_removed") or ():
            if isinstance(raw_hash, str) and raw_hash.lower() in self._torrents:
                self.removed.add(raw_hash.lower())
                self._forget(raw_hash.lower())
        rid = maindata.get("rid")
        if isinstance(rid, int) and not isinstance(rid, bool):
            self.rid = rid

    def get(self, torrent_hash: str) -> TorrentStatus | None:
        """Return the status of one torrent, if qBittorrent has it."""
        fields = self._torrents.get(torrent_hash)
        if fields is None:
            return None
        eta = _int(fields.get("eta"))
        size = _int(fields.get("size"))
        return TorrentStatus(
            hash=torrent_hash,
            state=str(fields.get("state", "unknown")),
            progress=_float(fields.get("progress")),
            download_speed=_int(fields.get("dlspeed")) or 0,
            eta=None if eta is None or eta >= ETA_UNKNOWN or eta < 0 else eta,
            size=size if size and size > 0 else None,
            completed=_int(fields.get("completed")) or 0,
            moved_at=self._moved_at[torrent_hash],
        )

    def __contains__(self, torrent_hash: object) -> bool:
        """Whether qBittorrent holds this download (hashes in lower case)."""
        return torrent_hash in self._torrents

    def __len__(self) -> int:
        """Count known torrents."""
        return len(self._torrents)

    def _forget(self, torrent_hash: str) -> None:
        self._torrents.pop(torrent_hash, None)
        self._moved_at.pop(torrent_hash, None)


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    return None


def _float(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return min(max(float(value), 0.0), 1.0)
    return 0.0
