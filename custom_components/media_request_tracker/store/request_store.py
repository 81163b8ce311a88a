"""The store the hub writes through: a group commit to the journal, and folds."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from homeassistant.core import HomeAssistant

from custom_components.media_request_tracker.const import DOMAIN, LOGGER
from custom_components.media_request_tracker.core.model import MediaRequest
from custom_components.media_request_tracker.failure_log import FailureLog

from .encoding import Unserialisable, encode_request
from .errors import StorageError
from .journal import Journal, delete_line, put_line
from .pending import PendingChanges
from .records import StoredRecords, fold
from .snapshot import STORAGE_MINOR_VERSION, STORAGE_VERSION, SnapshotFile

# The journal is folded into the snapshot once it is larger than both.
COMPACT_AFTER_BYTES = 256 * 1024


@dataclass(slots=True)
class StoreStats:
    """Write figures, for diagnostics and benchmarks."""

    # Snapshots written, and how many of them folded a journal in.
    saves: int = 0
    compactions: int = 0
    # Group commits: one write to the journal each.
    appends: int = 0
    bytes_written: int = 0
    # The files' sizes now: the journal's decides when to fold.
    journal_bytes: int = 0
    snapshot_bytes: int = 0


class RequestStore:
    """Makes changes to requests durable; holds only those not yet on disk.

    The requests themselves live in the tracker. The store serialises a
    changed request when it appends it, and folds the journal into the
    snapshot from the files themselves.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store for one config entry."""
        self._hass = hass
        key = f"{DOMAIN}.{entry_id}"
        self._snapshot = SnapshotFile(Path(hass.config.path(".storage", key)), key)
        self._journal = Journal(Path(hass.config.path(".storage", f"{key}.journal")))
        self._pending = PendingChanges()
        # Held while appending, and while a fold sets the journal aside.
        self._lock = asyncio.Lock()
        # One fold at a time: a second would rotate lines into the journal
        # the first deletes once its snapshot is written.
        self._folding = asyncio.Lock()
        self._compacting: asyncio.Task[None] | None = None
        self._fold_failure = FailureLog(
            "Cannot fold the request journal into the snapshot: %s; nothing "
            "is lost, the journal is kept and replayed at the next start",
            "The request journal is folded into the snapshot again",
        )
        # Requests whose last change cannot be written as JSON.
        self._unserialisable: set[str] = set()
        self.stats = StoreStats()

    async def async_load(self) -> list[MediaRequest]:
        """Read the snapshot, replay the journal; an unreadable request is set aside."""
        return await self._hass.async_add_executor_job(self._load_blocking)

    def _load_blocking(self) -> list[MediaRequest]:
        """Read and decode in the executor: thousands of requests take a while."""
        snapshot = self._snapshot.read()
        journal, torn = self._journal.read_all()
        stored = StoredRecords.replayed(snapshot, journal)
        self._journal.resume_after(torn)
        self.stats.snapshot_bytes = snapshot.size
        self.stats.journal_bytes = len(journal)
        if snapshot.minor_version > STORAGE_MINOR_VERSION:
            LOGGER.warning(
                "The stored requests were written by a newer version of this "
                "integration (storage version %s.%s; this one knows %s.%s). They "
                "are read as far as this version understands them; a request it "
                "changes loses what it does not know",
                STORAGE_VERSION,
                snapshot.minor_version,
                STORAGE_VERSION,
                STORAGE_MINOR_VERSION,
            )
        if stored.unkeyed:
            LOGGER.warning(
                "%s stored entries have no request id and cannot be read; they "
                "are kept on disk as they are",
                len(stored.unkeyed),
            )
        texts: dict[str, str] = {}
        requests: list[MediaRequest] = []
        for request_id, raw in stored.by_id.items():
            try:
                requests.append(MediaRequest.from_dict(raw, texts))
            except Exception as err:  # noqa: BLE001 - any unreadable record is set aside
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
        self._pending.mark(request.request_id, request)

    def delete(self, request_id: str) -> None:
        """Forget a removed request; the next flush records the removal."""
        self._pending.mark(request_id, None)

    async def async_flush(self) -> None:
        """Return once every change made since the previous flush call is on disk.

        Those are the caller's. A change that cannot be written fails the
        flushes of the callers who made it, and stays pending; other callers'
        changes are written meanwhile, and all callers that arrive while one
        append runs share the next. An append is a ``write`` to the kernel,
        which survives the process being killed (not a power cut: nothing is
        fsynced, as with HA's own files).
        """
        since, until = self._pending.flush_window()
        if not self._pending.unwritten(since, until):
            return
        async with self._lock:
            if self._pending.unwritten(since, until):
                await self._async_append_pending()
            if unwritten := self._pending.unwritten(since, until):
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

    async def _async_append_pending(self) -> None:
        """Append every change that can be written; the caller holds the lock.

        Each change is serialised before it is taken: one that cannot be
        stays pending, and the others are written.
        """
        lines: dict[str, bytes] = {}
        for request_id, pending in self._pending:
            if pending.request is None:
                lines[request_id] = delete_line(request_id)
                continue
            try:
                lines[request_id] = put_line(encode_request(pending.request))
            except Unserialisable as err:
                self._log_unserialisable(request_id, err)
        if not lines:
            return
        taken = self._pending.take(list(lines))
        data = b"".join(lines.values())
        try:
            await self._hass.async_add_executor_job(self._journal.append, data)
        except Exception as err:
            # Kept for the next flush; changes made meanwhile are newer.
            self._pending.restore(taken)
            raise StorageError(str(err) or type(err).__name__) from err
        self._unserialisable.difference_update(taken)
        self.stats.appends += 1
        self.stats.bytes_written += len(data)
        self.stats.journal_bytes += len(data)

    def _log_unserialisable(self, request_id: str, err: Unserialisable) -> None:
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
            self._fold_failure.report(err)

    async def _async_compact(self) -> None:
        """Set the journal aside, then fold it into the snapshot.

        Appends go on in a fresh journal while the snapshot is read and
        written in the executor.
        """
        async with self._folding:
            try:
                async with self._lock:
                    # Under the lock, so no append lands in the journal being retired.
                    await self._async_append_pending()
                    try:
                        await self._hass.async_add_executor_job(self._journal.rotate)
                    except OSError as err:
                        raise StorageError(
                            f"cannot set the journal aside: {err}"
                        ) from err
                    self.stats.journal_bytes = 0
                self.stats.snapshot_bytes = await self._hass.async_add_executor_job(
                    fold, self._snapshot, self._journal
                )
            finally:
                self._compacting = None
        self.stats.saves += 1
        self.stats.compactions += 1
        self.stats.bytes_written += self.stats.snapshot_bytes
        self._fold_failure.report(None)

    async def async_close(self) -> None:
        """Fold the journal into the snapshot, when the entry unloads or HA stops.

        Versions without the journal read only the snapshot. A failure
        is logged and changes nothing: the journal stays, and the next start
        replays it.
        """
        try:
            if self._compacting is not None:
                await self._compacting
            if self.stats.journal_bytes or self._pending:
                await self._async_compact()
        except StorageError as err:
            self._fold_failure.report(err)
        with suppress(OSError):
            await self._hass.async_add_executor_job(self._journal.close)

    async def async_remove(self) -> None:
        """Delete the snapshot and journal, when the config entry is removed."""
        await self._hass.async_add_executor_job(self._remove_files)

    def _remove_files(self) -> None:
        self._journal.remove()
        self._snapshot.remove()
