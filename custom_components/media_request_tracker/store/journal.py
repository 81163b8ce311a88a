"""The journal: one JSON line per change, appended beside the snapshot.

A line is ``{"put": <request>}`` or ``{"delete": "<request id>"}``; replayed
oldest first over the snapshot, they give what was last acknowledged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from homeassistant.helpers.json import json_bytes
from homeassistant.util.json import json_loads

from custom_components.media_request_tracker.const import LOGGER

from .files import write_all


def put_line(encoded_request: bytes) -> bytes:
    """Return the line that stores a request, from its JSON."""
    return b'{"put":' + encoded_request + b"}\n"


def delete_line(request_id: str) -> bytes:
    """Return the line that removes a request."""
    return json_bytes({"delete": request_id}) + b"\n"


def replay(records: dict[str, Any], journal: bytes, *, warn: bool = True) -> None:
    """Apply journal lines, oldest first, to records by request id."""
    for number, line in enumerate(journal.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record: Any = json_loads(line)
            if "delete" in record:
                records.pop(str(record["delete"]), None)
            else:
                request = record["put"]
                records[str(request["request_id"])] = request
        except (KeyError, TypeError, ValueError):
            # Only a write cut short can leave such a line, and it was never
            # acknowledged.
            if warn:
                LOGGER.warning(
                    "Skipped unreadable line %s of the request journal", number
                )


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


class Journal:
    """Appends lines to one file; every method blocks, so run it in the executor.

    While the snapshot is rewritten, the lines it covers wait in a rotated
    file beside the journal, so that appends go on in a fresh one.
    """

    def __init__(self, path: Path) -> None:
        """Name the file; it is opened at the first append."""
        self.path = path
        self.rotated = path.with_name(path.name + ".old")
        self._fd: int | None = None
        self._torn = False

    def append(self, data: bytes) -> None:
        """Append whole lines; a failed write leaves the next on a line of its own."""
        if self._torn:
            # A failed write may have left half a line; end it, so that the
            # next record starts on a line of its own.
            data = b"\n" + data
        if self._fd is None:
            self.path.parent.mkdir(exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._torn = True
        write_all(self._fd, data)
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

    def read_rotated(self) -> bytes:
        """Return the lines the snapshot being written must take in."""
        return _read(self.rotated)

    def read_all(self) -> tuple[bytes, bool]:
        """Return the rotated journal, then the current one, and whether it was cut.

        A file that does not end its last line was cut short by a kill: the
        next record must not be appended to that fragment.
        """
        parts: list[bytes] = []
        torn = False
        for path in (self.rotated, self.path):
            if content := _read(path):
                parts.append(content if content.endswith(b"\n") else content + b"\n")
                torn = not content.endswith(b"\n")
        return b"".join(parts), torn

    def resume_after(self, torn: bool) -> None:
        """Start the next append on a line of its own if the last one was cut."""
        self._torn = torn

    def drop_rotated(self) -> None:
        """Delete the rotated journal, once the snapshot holds its lines."""
        self.rotated.unlink(missing_ok=True)

    def remove(self) -> None:
        """Delete both files, when the config entry is removed."""
        self.close()
        self.drop_rotated()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close the file; the next append opens it again."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
