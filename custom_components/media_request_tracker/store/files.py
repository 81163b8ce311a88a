"""Blocking file writes shared by the snapshot and the journal."""

from __future__ import annotations

import os


def write_all(descriptor: int, data: bytes) -> None:
    """Write every byte: ``os.write`` may write fewer than it is given."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
