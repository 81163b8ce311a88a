"""Durable storage of tracked requests: a snapshot and an append-only journal.

A webhook may only answer 2xx once its effect is on disk. Rewriting every
request on each webhook made a save cost grow with the number of requests,
so a save now appends only the requests that changed, one JSON line each,
to a journal beside the snapshot. When the journal outgrows the snapshot,
the snapshot is rewritten in the background and the journal starts afresh,
so the bytes written stay proportional to the changes.

``async_flush`` is a group commit: every caller waits for an append that
includes its change, and all callers that arrive while one runs share the
next. An append is a ``write`` to the kernel, which survives the process
being killed (not a power cut: nothing is fsynced, as with HA's own files).

The snapshot keeps the key and format of earlier versions
(``media_request_tracker.<entry_id>``, version 1). Version 0.2 adds the
journal, ``<key>.journal`` in the same folder; an earlier version reading the
folder would miss what only the journal holds, so the journal is folded into
the snapshot whenever the entry unloads or Home Assistant stops.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import os
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.json import json_bytes, save_json
from homeassistant.util.json import json_loads

from .const import DOMAIN, LOGGER
from .core.model import MediaRequest

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1

# The journal is folded into the snapshot once it is larger than both.
COMPACT_AFTER_BYTES = 256 * 1024
# Requests serialised between two yields to the event loop while compacting.
COMPACT_BATCH = 200


class StorageError(Exception):
    """A change could not be written; it stays pending for the next flush."""


@dataclass(slots=True)
class StoreStats:
    """Write figures, for diagnostics and benchmarks."""

    saves: int = 0
    appends: int = 0
    compactions: int = 0
    bytes_written: int = 0
    journal_bytes: int = 0
    snapshot_bytes: int = 0


class _Snapshot:
    """The snapshot file, in Home Assistant's storage format; methods block.

    Written here rather than through ``Store``, whose ``async_save`` logs a
    failed write instead of raising and, while Home Assistant stops, only
    schedules it: the journal it replaces may be deleted only once it is on disk.
    """

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def read(self) -> tuple[list[Any], int]:
        """Return the stored requests and the file's size; none if it is absent."""
        if not self.path.exists():
            return [], 0
        raw = self.path.read_bytes()
        try:
            document = json_loads(raw)
        except ValueError as err:
            raise StorageError(f"{self.path.name} is not valid JSON") from err
        if not isinstance(document, dict):
            raise StorageError(f"{self.path.name} is not a storage document")
        version = document.get("version", STORAGE_VERSION)
        if isinstance(version, int) and version > STORAGE_VERSION:
            # Written by a newer version of the integration; never overwrite it.
            raise StorageError(f"{self.path.name} is from a newer version")
        data = document.get("data")
        # Minor versions only add optional fields, which the model defaults.
        requests = data.get("requests", []) if isinstance(data, dict) else []
        return (requests if isinstance(requests, list) else []), len(raw)

    def write(self, requests: list[dict[str, Any]]) -> int:
        """Replace the file atomically; return its size."""
        document = {
            "version": STORAGE_VERSION,
            "minor_version": STORAGE_MINOR_VERSION,
            "key": self.key,
            "data": {"requests": requests},
        }
        self.path.parent.mkdir(exist_ok=True)
        try:
            save_json(str(self.path), document, private=True, atomic_writes=True)
        except (HomeAssistantError, OSError) as err:
            raise StorageError(str(err)) from err
        return self.path.stat().st_size

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _replay(stored: dict[str, Any], lines: list[bytes]) -> None:
    """Apply journal lines, oldest first, to the requests read from the snapshot."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record: Any = json_loads(line)
            if "delete" in record:
                stored.pop(str(record["delete"]), None)
            else:
                request = record["put"]
                stored[str(request["request_id"])] = request
        except (KeyError, TypeError, ValueError):
            # Only a write cut short by a kill can leave such a line, and it
            # was never acknowledged.
            LOGGER.warning("Skipped unreadable line %s of the request journal", number)


class _Journal:
    """Appends lines to one file; every method blocks, so run it in the executor."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rotated = path.with_name(path.name + ".old")
        self._fd: int | None = None
        self._torn = False

    def append(self, data: bytes) -> None:
        if self._torn:
            # A failed write may have left half a line; end it, so that the
            # next record starts on a line of its own.
            data = b"\n" + data
        if self._fd is None:
            self.path.parent.mkdir(exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        view = memoryview(data)
        self._torn = True
        while view:
            view = view[os.write(self._fd, view) :]
        self._torn = False

    def rotate(self) -> None:
        """Start a fresh journal; the old one stays until the snapshot is saved.

        A rotated journal left by an interrupted compaction keeps its lines,
        and the current ones go after them.
        """
        self.close()
        if not self.path.exists():
            return
        if self.rotated.exists():
            with self.rotated.open("ab") as rotated:
                rotated.write(b"\n" + self.path.read_bytes())
            self.path.unlink()
        else:
            self.path.replace(self.rotated)

    def drop_rotated(self) -> None:
        self.rotated.unlink(missing_ok=True)

    def read_all(self) -> bytes:
        """Return the rotated journal, then the current one.

        A file that does not end its last line was cut short by a kill: the
        next record must not be appended to that fragment.
        """
        parts: list[bytes] = []
        for path in (self.rotated, self.path):
            if path.exists() and (content := path.read_bytes()):
                parts.append(content if content.endswith(b"\n") else content + b"\n")
                self._torn = not content.endswith(b"\n")
        return b"".join(parts)

    def remove(self) -> None:
        self.close()
        self.drop_rotated()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class RequestStore:
    """Makes changes to requests durable; holds no copy of them.

    The requests themselves live in the tracker; the store keeps references,
    and serialises a request only when it writes it.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one config entry."""
        self._hass = hass
        key = f"{DOMAIN}.{entry_id}"
        self._snapshot = _Snapshot(Path(hass.config.path(".storage", key)), key)
        self._journal = _Journal(Path(hass.config.path(".storage", f"{key}.journal")))
        self._requests: dict[str, MediaRequest] = {}
        # Changed since the last append: the request, or None once removed.
        self._dirty: dict[str, MediaRequest | None] = {}
        self._lock = asyncio.Lock()
        self._generation = 0
        self._saved_generation = 0
        self._compacting: asyncio.Task[None] | None = None
        self.stats = StoreStats()

    async def async_load(self) -> list[MediaRequest]:
        """Read the snapshot, replay the journal; an unreadable request is skipped."""
        requests = await self._hass.async_add_executor_job(self._load_blocking)
        self._requests = {request.request_id: request for request in requests}
        return requests

    def _load_blocking(self) -> list[MediaRequest]:
        """Read and decode in the executor: thousands of requests take a while."""
        snapshot, self.stats.snapshot_bytes = self._snapshot.read()
        journal = self._journal.read_all()
        self.stats.journal_bytes = len(journal)
        stored: dict[str, Any] = {}
        for raw in snapshot:
            if isinstance(raw, dict) and isinstance(raw.get("request_id"), str):
                stored[raw["request_id"]] = raw
        _replay(stored, journal.splitlines())
        texts: dict[str, str] = {}
        requests: list[MediaRequest] = []
        for raw in stored.values():
            try:
                requests.append(MediaRequest.from_dict(raw, texts))
            except (KeyError, TypeError, ValueError):
                continue
        return requests

    def update(self, request: MediaRequest) -> None:
        """Record a changed request; it is written by the next flush."""
        self._requests[request.request_id] = request
        self._dirty[request.request_id] = request
        self._generation += 1

    def delete(self, request_id: str) -> None:
        """Forget a removed request; the next flush records the removal."""
        if self._requests.pop(request_id, None) is not None:
            self._dirty[request_id] = None
            self._generation += 1

    async def async_flush(self) -> None:
        """Return once every change made before this call is on disk."""
        target = self._generation
        async with self._lock:
            if self._saved_generation >= target:
                return
            await self._async_append_pending()
        if (
            self.stats.journal_bytes
            > max(COMPACT_AFTER_BYTES, self.stats.snapshot_bytes)
            and self._compacting is None
        ):
            self._compacting = self._hass.async_create_background_task(
                self._async_compact(), "media_request_tracker_compact_storage"
            )

    async def _async_append_pending(self) -> None:
        """Append every change not yet written; the caller holds the lock."""
        if self._saved_generation >= self._generation:
            return
        generation = self._generation
        pending, self._dirty = self._dirty, {}
        data = b"".join(
            json_bytes(
                {"put": request.as_dict()}
                if request is not None
                else {"delete": request_id}
            )
            + b"\n"
            for request_id, request in pending.items()
        )
        try:
            await self._hass.async_add_executor_job(self._journal.append, data)
        except OSError as err:
            # Kept for the next flush; changes made meanwhile are newer.
            self._dirty = pending | self._dirty
            raise StorageError(str(err)) from err
        self._saved_generation = generation
        self.stats.appends += 1
        self.stats.bytes_written += len(data)
        self.stats.journal_bytes += len(data)

    async def _async_compact(self) -> None:
        """Rewrite the snapshot from memory, then drop the journal it covers."""
        try:
            async with self._lock:
                # Under the lock, so no append lands in the journal being retired.
                await self._async_append_pending()
                await self._hass.async_add_executor_job(self._journal.rotate)
                self.stats.journal_bytes = 0
                requests = list(self._requests.values())
            # Appends go on in the fresh journal while the snapshot is made and
            # written. A request that changes meanwhile may enter the snapshot
            # newer than the rotation, which is harmless: its journal line,
            # replayed after the snapshot, is at least as new.
            serialised: list[dict[str, Any]] = []
            for number, request in enumerate(requests, 1):
                serialised.append(request.as_dict())
                if number % COMPACT_BATCH == 0:
                    await asyncio.sleep(0)
            self.stats.snapshot_bytes = await self._hass.async_add_executor_job(
                self._replace_snapshot, serialised
            )
            self.stats.saves += 1
            self.stats.compactions += 1
            self.stats.bytes_written += self.stats.snapshot_bytes
        finally:
            self._compacting = None

    def _replace_snapshot(self, requests: list[dict[str, Any]]) -> int:
        """Write the snapshot; only once it is on disk, drop the journal it covers."""
        size = self._snapshot.write(requests)
        self._journal.drop_rotated()
        return size

    async def async_close(self) -> None:
        """Fold the journal into the snapshot, when the entry unloads or HA stops.

        A failure is logged and changes nothing: the journal stays, and the
        next start replays it.
        """
        try:
            if self._compacting is not None:
                await self._compacting
            if self.stats.journal_bytes or self._generation != self._saved_generation:
                await self._async_compact()
        except StorageError as err:
            LOGGER.error("Cannot fold the request journal into the snapshot: %s", err)
        await self._hass.async_add_executor_job(self._journal.close)

    async def async_remove(self) -> None:
        """Delete the snapshot and journal, when the config entry is removed."""
        await self._hass.async_add_executor_job(self._remove_files)

    def _remove_files(self) -> None:
        self._journal.remove()
        self._snapshot.remove()
