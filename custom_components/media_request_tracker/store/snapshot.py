"""The snapshot: every stored request in one file, in Home Assistant's storage format.

Written here rather than through ``Store``, whose ``async_save`` logs a failed
write instead of raising and, while Home Assistant stops, only schedules it:
the journal a snapshot replaces may be deleted only once it is on disk. Nor
through ``save_json``, which logs a full disk with a traceback.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
import os
from pathlib import Path
from typing import Any

from homeassistant.helpers.json import json_bytes
from homeassistant.util.json import json_loads

from .errors import StorageError, StorageVersionError
from .files import write_all

# The key and format HA's ``Store`` reads: every version of this integration
# reads and writes the same document, so going back a version loses nothing.
STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1


@dataclass(frozen=True, slots=True)
class SnapshotContent:
    """What a snapshot holds, still undecoded."""

    requests: list[Any]
    size: int
    minor_version: int


class SnapshotFile:
    """Reads and atomically replaces the snapshot; every method blocks."""

    def __init__(self, path: Path, key: str) -> None:
        """Name the file and the key written into it."""
        self.path = path
        self.key = key

    def read(self) -> SnapshotContent:
        """Return the stored requests, the file's size and its minor version.

        Raises ``StorageVersionError`` for a newer major version and
        ``StorageError`` for a file that is not a storage document: set-up
        stops then, as starting empty would overwrite it.
        """
        if not self.path.exists():
            return SnapshotContent([], 0, STORAGE_MINOR_VERSION)
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
            raise StorageVersionError(version, STORAGE_VERSION)
        minor = document.get("minor_version", STORAGE_MINOR_VERSION)
        if not isinstance(minor, int) or isinstance(minor, bool):
            minor = STORAGE_MINOR_VERSION
        data = document.get("data")
        requests = data.get("requests", []) if isinstance(data, dict) else []
        return SnapshotContent(
            requests if isinstance(requests, list) else [], len(raw), minor
        )

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
                write_all(descriptor, document)
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
        """Delete the file, when the config entry is removed."""
        self.path.unlink(missing_ok=True)
