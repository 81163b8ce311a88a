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

A stored request this version cannot read is set aside, not dropped: it is
written back as it is at every compaction, so that the version that wrote it
still finds it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from contextlib import suppress
from dataclasses import dataclass
import os
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.util.json import json_loads

from .const import DOMAIN, LOGGER
from .core.model import MediaRequest
from .core.parsers.fields import valid_text

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1

# The journal is folded into the snapshot once it is larger than both.
COMPACT_AFTER_BYTES = 256 * 1024
# Requests serialised between two yields to the event loop while compacting.
COMPACT_BATCH = 200


class StorageError(Exception):
    """A change could not be written; it stays pending for the next flush."""


class StorageVersionError(StorageError):
    """The snapshot was written by a newer major version; it is left alone."""

    def __init__(self, version: object) -> None:
        """Name the version found."""
        super().__init__(f"storage version {version} is newer than {STORAGE_VERSION}")
        self.version = version


class _Unserialisable(Exception):
    """One request cannot be turned into JSON, even with its text repaired."""


def _repaired(value: Any) -> Any:
    """Copy with lone surrogates replaced: orjson refuses them, json accepts them."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {_repaired(key): _repaired(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_repaired(item) for item in value]
    return value


def _encode(record: dict[str, Any]) -> bytes:
    """JSON of one record; text that is not valid UTF-8 gets replacement characters.

    Raises ``_Unserialisable`` for anything else orjson refuses (an integer
    beyond 64 bits, a type it does not know), so that one bad request never
    takes the others with it.
    """
    try:
        return json_bytes(record)
    except TypeError:
        pass
    try:
        return json_bytes(_repaired(record))
    except TypeError as err:
        raise _Unserialisable(str(err)) from err


def _encode_request(request: MediaRequest) -> bytes:
    try:
        record = request.as_dict()
    except Exception as err:  # noqa: BLE001 - a bug in one request, kept pending
        raise _Unserialisable(f"{type(err).__name__}: {err}") from err
    return _encode(record)


@dataclass(slots=True)
class _Pending:
    """A change not yet on disk: the request (None once removed), and when it changed.

    ``first`` is the generation of the oldest change the journal lacks,
    ``last`` of the newest; a flush fails for its caller if either falls in
    the generations the caller made.
    """

    request: MediaRequest | None
    first: int
    last: int


@dataclass(slots=True)
class _Stored:
    """What the snapshot and journal hold, before it is decoded."""

    records: dict[str, Any]
    # Snapshot entries without a request id: kept, as they are, too.
    unkeyed: list[Any]
    snapshot_bytes: int
    minor_version: int
    journal_bytes: int


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
    schedules it: the journal it replaces may be deleted only once it is on
    disk. Nor through ``save_json``, which logs a full disk with a traceback.
    """

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def read(self) -> tuple[list[Any], int, int]:
        """Return the stored requests, the file's size and its minor version."""
        if not self.path.exists():
            return [], 0, STORAGE_MINOR_VERSION
        raw = self.path.read_bytes()
        try:
            document = json_loads(raw)
        except ValueError as err:
            raise StorageError(f"{self.path.name} is not valid JSON") from err
        if not isinstance(document, dict):
            raise StorageError(f"{self.path.name} is not a storage document")
        version = document.get("version", STORAGE_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            raise StorageError(f"{self.path.name} has no readable version")
        if version > STORAGE_VERSION:
            # Written by a newer version of the integration; never overwrite it.
            raise StorageVersionError(version)
        minor = document.get("minor_version", STORAGE_MINOR_VERSION)
        if not isinstance(minor, int) or isinstance(minor, bool):
            minor = STORAGE_MINOR_VERSION
        data = document.get("data")
        requests = data.get("requests", []) if isinstance(data, dict) else []
        return (requests if isinstance(requests, list) else []), len(raw), minor

    def write(self, requests: list[bytes]) -> int:
        """Replace the file atomically with these encoded requests; return its size."""
        document = b"".join(
            (
                b'{"version":',
                json_bytes(STORAGE_VERSION),
                b',"minor_version":',
                json_bytes(STORAGE_MINOR_VERSION),
                b',"key":',
                json_bytes(self.key),
                b',"data":{"requests":[',
                b",".join(requests),
                b"]}}",
            )
        )
        temporary = self.path.with_name(f"{self.path.name}.tmp")
        try:
            self.path.parent.mkdir(exist_ok=True)
            descriptor = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600
            )
            try:
                view = memoryview(document)
                while view:
                    view = view[os.write(descriptor, view) :]
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            temporary.replace(self.path)
        except OSError as err:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise StorageError(f"cannot write {self.path.name}: {err}") from err
        # The rename itself is durable once the folder is.
        with suppress(OSError):
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        return len(document)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _replay(stored: dict[str, Any], lines: list[bytes], *, warn: bool = True) -> None:
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
            if warn:
                LOGGER.warning(
                    "Skipped unreadable line %s of the request journal", number
                )


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

    def read_all(self) -> tuple[bytes, bool]:
        """Return the rotated journal, then the current one, and whether it was cut.

        A file that does not end its last line was cut short by a kill: the
        next record must not be appended to that fragment.
        """
        parts: list[bytes] = []
        torn = False
        for path in (self.rotated, self.path):
            if path.exists() and (content := path.read_bytes()):
                parts.append(content if content.endswith(b"\n") else content + b"\n")
                torn = not content.endswith(b"\n")
        return b"".join(parts), torn

    def resume_after(self, torn: bool) -> None:
        """Start the next append on a line of its own if the last one was cut."""
        self._torn = torn

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
        # Changed since the last append.
        self._dirty: dict[str, _Pending] = {}
        # Stored records this version cannot read, by request id, and those
        # without one: written back as they are.
        self._set_aside: dict[str, Any] = {}
        self._set_aside_unkeyed: list[Any] = []
        self._lock = asyncio.Lock()
        self._generation = 0
        # Generation when the last flush was asked for: later ones are the next caller's.
        self._flushed_up_to = 0
        self._compacting: asyncio.Task[None] | None = None
        self._compaction_failing = False
        # Requests whose last change cannot be written as JSON.
        self._unserialisable: set[str] = set()
        self.stats = StoreStats()

    async def async_load(self) -> list[MediaRequest]:
        """Read the snapshot, replay the journal; an unreadable request is set aside."""
        requests = await self._hass.async_add_executor_job(self._load_blocking)
        self._requests = {request.request_id: request for request in requests}
        return requests

    def _read_stored(self) -> tuple[_Stored, bool]:
        """Read the snapshot and replay the journal, still undecoded."""
        snapshot, size, minor = self._snapshot.read()
        journal, torn = self._journal.read_all()
        records: dict[str, Any] = {}
        unkeyed: list[Any] = []
        for raw in snapshot:
            if isinstance(raw, dict) and isinstance(raw.get("request_id"), str):
                records[raw["request_id"]] = raw
            else:
                unkeyed.append(raw)
        _replay(records, journal.splitlines())
        return _Stored(records, unkeyed, size, minor, len(journal)), torn

    def _load_blocking(self) -> list[MediaRequest]:
        """Read and decode in the executor: thousands of requests take a while."""
        stored, torn = self._read_stored()
        self._journal.resume_after(torn)
        self.stats.snapshot_bytes = stored.snapshot_bytes
        self.stats.journal_bytes = stored.journal_bytes
        if stored.minor_version > STORAGE_MINOR_VERSION:
            LOGGER.warning(
                "The stored requests were written by a newer version of this "
                "integration (storage version %s.%s; this one knows %s.%s). They "
                "are read as far as this version understands them; what it does "
                "not know is not kept when it next writes them",
                STORAGE_VERSION,
                stored.minor_version,
                STORAGE_VERSION,
                STORAGE_MINOR_VERSION,
            )
        if stored.unkeyed:
            LOGGER.warning(
                "%s stored entries have no request id and cannot be read; they "
                "are kept on disk as they are",
                len(stored.unkeyed),
            )
        self._set_aside_unkeyed = stored.unkeyed
        texts: dict[str, str] = {}
        requests: list[MediaRequest] = []
        for request_id, raw in stored.records.items():
            try:
                requests.append(MediaRequest.from_dict(raw, texts))
            except Exception as err:  # noqa: BLE001 - any unreadable record is set aside
                self._set_aside[request_id] = raw
                LOGGER.warning(
                    "Stored request %s cannot be read (%s: %s); it is kept on "
                    "disk as it is, and not tracked",
                    request_id,
                    type(err).__name__,
                    err,
                )
        return requests

    def update(self, request: MediaRequest) -> None:
        """Record a changed request; it is written by the next flush."""
        self._requests[request.request_id] = request
        self._mark(request.request_id, request)

    def delete(self, request_id: str) -> None:
        """Forget a removed request; the next flush records the removal."""
        if self._requests.pop(request_id, None) is not None:
            self._mark(request_id, None)

    def _mark(self, request_id: str, request: MediaRequest | None) -> None:
        self._generation += 1
        pending = self._dirty.get(request_id)
        first = pending.first if pending is not None else self._generation
        self._dirty[request_id] = _Pending(request, first, self._generation)

    async def async_flush(self) -> None:
        """Return once every change made since the previous flush call is on disk.

        Those are the caller's: every writer changes, then flushes, with no
        wait in between. A change that cannot be written fails the flushes of
        the callers who made it, and stays pending; other callers' changes
        are written meanwhile.
        """
        since, until = self._flushed_up_to, self._generation
        self._flushed_up_to = until
        if not self._unwritten(since, until):
            return
        async with self._lock:
            if self._unwritten(since, until):
                await self._async_append_pending()
            if unwritten := self._unwritten(since, until):
                raise StorageError(
                    "request "
                    + ", ".join(sorted(unwritten))
                    + " cannot be written as JSON; it stays in memory"
                )
        if (
            self.stats.journal_bytes
            > max(COMPACT_AFTER_BYTES, self.stats.snapshot_bytes)
            and self._compacting is None
        ):
            self._compacting = self._hass.async_create_background_task(
                self._async_compact_in_background(),
                "media_request_tracker_compact_storage",
            )

    def _unwritten(self, since: int, until: int) -> list[str]:
        """Request ids with a change in ``(since, until]`` not yet on disk."""
        return [
            request_id
            for request_id, pending in self._dirty.items()
            if pending.first <= until and pending.last > since
        ]

    async def _async_append_pending(self) -> None:
        """Append every change that can be written; the caller holds the lock.

        Each change is serialised before it is taken: one that cannot be
        stays pending, and the others are written.
        """
        if not self._dirty:
            return
        lines: list[bytes] = []
        taken: dict[str, _Pending] = {}
        for request_id, pending in self._dirty.items():
            try:
                lines.append(
                    _encode_request(pending.request)
                    if pending.request is not None
                    else json_bytes({"delete": request_id})
                )
            except _Unserialisable as err:
                self._log_unserialisable(request_id, err)
                continue
            taken[request_id] = pending
        if not taken:
            return
        self._dirty = {
            request_id: pending
            for request_id, pending in self._dirty.items()
            if request_id not in taken
        }
        data = b"".join(
            (b'{"put":' + line + b"}\n")
            if taken[request_id].request is not None
            else line + b"\n"
            for request_id, line in zip(taken, lines, strict=True)
        )
        try:
            await self._hass.async_add_executor_job(self._journal.append, data)
        except Exception as err:
            # Kept for the next flush; changes made meanwhile are newer.
            self._restore(taken)
            raise StorageError(str(err) or type(err).__name__) from err
        self._unserialisable.difference_update(taken)
        self.stats.appends += 1
        self.stats.bytes_written += len(data)
        self.stats.journal_bytes += len(data)

    def _restore(self, taken: dict[str, _Pending]) -> None:
        """Put changes back whose append failed, under any made since."""
        for request_id, pending in taken.items():
            if (newer := self._dirty.get(request_id)) is not None:
                newer.first = pending.first
            else:
                self._dirty[request_id] = pending

    def _log_unserialisable(self, request_id: str, err: _Unserialisable) -> None:
        if request_id not in self._unserialisable:
            self._unserialisable.add(request_id)
            LOGGER.error(
                "Request %s cannot be written as JSON (%s); it stays in memory, "
                "and what is on disk for it is kept",
                request_id,
                err,
            )

    async def _async_compact_in_background(self) -> None:
        try:
            await self._async_compact()
        except StorageError as err:
            self._report_compaction(err)

    def _report_compaction(self, failure: StorageError | None) -> None:
        """Log once while folding the journal fails, and once when it works again."""
        if failure is not None and not self._compaction_failing:
            LOGGER.error(
                "Cannot fold the request journal into the snapshot: %s; nothing "
                "is lost, the journal is kept and replayed at the next start",
                failure,
            )
        elif failure is None and self._compaction_failing:
            LOGGER.info("The request journal is folded into the snapshot again")
        self._compaction_failing = failure is not None

    async def _async_compact(self) -> None:
        """Rewrite the snapshot from memory, then drop the journal it covers."""
        try:
            async with self._lock:
                # Under the lock, so no append lands in the journal being retired.
                await self._async_append_pending()
                # A change that cannot be written: its snapshot entry stays
                # what is on disk, not what is in memory.
                held_back = set(self._unserialisable)
                try:
                    await self._hass.async_add_executor_job(self._journal.rotate)
                except OSError as err:
                    raise StorageError(f"cannot set the journal aside: {err}") from err
                self.stats.journal_bytes = 0
                requests = list(self._requests.values())
            # Appends go on in the fresh journal while the snapshot is made and
            # written. A request that changes meanwhile may enter the snapshot
            # newer than the rotation, which is harmless: its journal line,
            # replayed after the snapshot, is at least as new.
            encoded: list[bytes] = []
            for number, request in enumerate(requests, 1):
                if request.request_id not in held_back:
                    try:
                        encoded.append(_encode_request(request))
                    except _Unserialisable as err:
                        self._log_unserialisable(request.request_id, err)
                        held_back.add(request.request_id)
                if number % COMPACT_BATCH == 0:
                    await asyncio.sleep(0)
            set_aside = [
                raw
                for request_id, raw in self._set_aside.items()
                if request_id not in self._requests
            ]
            set_aside.extend(self._set_aside_unkeyed)
            self.stats.snapshot_bytes = await self._hass.async_add_executor_job(
                self._replace_snapshot,
                encoded,
                set_aside,
                held_back & self._requests.keys(),
            )
            self.stats.saves += 1
            self.stats.compactions += 1
            self.stats.bytes_written += self.stats.snapshot_bytes
        finally:
            self._compacting = None
        self._report_compaction(None)

    def _replace_snapshot(
        self, encoded: list[bytes], set_aside: list[Any], held_back: Collection[str]
    ) -> int:
        """Write the snapshot; only once it is on disk, drop the journal it covers.

        Records set aside, and the disk's version of requests held back, are
        written as they were read.
        """
        kept = list(set_aside)
        if held_back:
            # The files being retired hold the last version written of each.
            try:
                snapshot, _, _ = self._snapshot.read()
                retiring = (
                    self._journal.rotated.read_bytes()
                    if self._journal.rotated.exists()
                    else b""
                )
            except (OSError, StorageError) as err:
                raise StorageError(f"cannot read the journal back: {err}") from err
            records = {
                raw["request_id"]: raw
                for raw in snapshot
                if isinstance(raw, dict) and isinstance(raw.get("request_id"), str)
            }
            _replay(records, retiring.splitlines(), warn=False)
            kept.extend(records[key] for key in held_back if key in records)
        for raw in kept:
            try:
                encoded.append(_encode(raw))
            except _Unserialisable:
                continue  # read by orjson, so it can always be written back
        size = self._snapshot.write(encoded)
        try:
            self._journal.drop_rotated()
        except OSError as err:
            raise StorageError(f"cannot delete the folded journal: {err}") from err
        return size

    async def async_close(self) -> None:
        """Fold the journal into the snapshot, when the entry unloads or HA stops.

        A failure is logged and changes nothing: the journal stays, and the
        next start replays it.
        """
        try:
            if self._compacting is not None:
                await self._compacting
            if self.stats.journal_bytes or self._dirty:
                await self._async_compact()
        except StorageError as err:
            self._report_compaction(err)
        with suppress(OSError):
            await self._hass.async_add_executor_job(self._journal.close)

    async def async_remove(self) -> None:
        """Delete the snapshot and journal, when the config entry is removed."""
        await self._hass.async_add_executor_job(self._remove_files)

    def _remove_files(self) -> None:
        self._journal.remove()
        self._snapshot.remove()
