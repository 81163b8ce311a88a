"""What a caller of the store can be told: a write failed, or the files are not ours to touch."""

from __future__ import annotations


class StorageError(Exception):
    """A change could not be written; it stays pending for the next flush."""


class StorageVersionError(StorageError):
    """The snapshot was written by a newer major version; it is left alone."""

    def __init__(self, version: object, supported: int) -> None:
        """Name the version found and the newest one this version reads."""
        super().__init__(f"storage version {version} is newer than {supported}")
        self.version = version
