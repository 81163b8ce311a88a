"""What the snapshot and journal hold together, as undecoded records.

Read at start-up, to decode, and at every fold, to write back: a fold
rewrites the snapshot from the files, not from memory, so a record this
version cannot read, or a change it cannot write, keeps what is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .encoding import Unserialisable, encode_record
from .errors import StorageError
from .journal import Journal, replay
from .snapshot import SnapshotContent, SnapshotFile


@dataclass(slots=True)
class StoredRecords:
    """Records by request id, with the journal replayed over the snapshot."""

    by_id: dict[str, Any] = field(default_factory=dict)
    # Snapshot entries without a request id: kept, as they are, too.
    unkeyed: list[Any] = field(default_factory=list)

    @classmethod
    def replayed(
        cls, snapshot: SnapshotContent, journal: bytes, *, warn: bool = True
    ) -> StoredRecords:
        """Read the snapshot's records with the journal's lines applied, oldest first."""
        records = cls()
        for raw in snapshot.requests:
            if isinstance(raw, dict) and isinstance(raw.get("request_id"), str):
                records.by_id[raw["request_id"]] = raw
            else:
                records.unkeyed.append(raw)
        replay(records.by_id, journal, warn=warn)
        return records


def fold(snapshot: SnapshotFile, journal: Journal) -> int:
    """Write the rotated journal into the snapshot, then drop it; return the size.

    Blocks. The rotated journal is deleted only once the snapshot is on disk.
    An unreadable line in it is skipped quietly: it was never acknowledged.
    """
    try:
        records = StoredRecords.replayed(
            snapshot.read(), journal.read_rotated(), warn=False
        )
    except OSError as err:
        raise StorageError(f"cannot read the journal back: {err}") from err
    encoded: list[bytes] = []
    for raw in (*records.by_id.values(), *records.unkeyed):
        try:
            encoded.append(encode_record(raw))
        except Unserialisable:
            continue  # read by orjson, so it can always be written back
    size = snapshot.write(encoded)
    try:
        journal.drop_rotated()
    except OSError as err:
        raise StorageError(f"cannot delete the folded journal: {err}") from err
    return size
