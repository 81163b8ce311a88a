"""Bytes written into files, counted at the operating-system call level.

An audit hook (PEP 578) sees every ``open`` with its flags, every
``os.rename``/``os.replace`` and every ``os.remove``, in whatever thread
they run, before they happen. For the files of one directory whose names
start with a prefix it counts:

- a file renamed into place (how Home Assistant's ``Store`` saves): the whole
  size of the temporary file, stat'ed just before the rename;
- a file opened for writing in place (an append-only journal): its growth,
  measured from its size at the open (0 after ``O_TRUNC``) to its size at the
  next event on it or the next report.

It reads no figure from the code that writes, so it does not depend on that
code's own accounting. Its blind spot is a file kept open and shrunk with
``ftruncate`` between two reports; ``/proc/<pid>/io`` ``wchar`` is the
cross-check for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import os
from pathlib import Path
import sys
import threading
import time
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


@dataclass
class _FileCount:
    replaced: int = 0
    opened: int = 0
    bytes: int = 0


@dataclass
class FileWrites:
    """Counts writes into ``directory/<prefix>*`` files while installed."""

    directory: Path
    prefix: str
    files: dict[str, _FileCount] = field(default_factory=dict)
    # (time.monotonic(), file name, bytes) for every file renamed into place.
    replacements: list[tuple[float, str, int]] = field(default_factory=list)
    _sizes: dict[Path, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _active: bool = False

    def __post_init__(self) -> None:
        """Compare absolute paths."""
        self.directory = Path(self.directory).absolute()

    def install(self) -> None:
        """Start counting; an audit hook cannot be removed, so ``stop`` only mutes it."""
        self._active = True
        sys.addaudithook(self._hook)

    def stop(self) -> None:
        """Stop counting."""
        self._active = False

    def report(self) -> dict[str, Any]:
        """Totals so far, growth of files still open included."""
        with self._lock:
            for path in list(self._sizes):
                self._observe(path)
            files = {
                name: {"replaced": c.replaced, "opened": c.opened, "bytes": c.bytes}
                for name, c in sorted(self.files.items())
            }
            return {
                "replaced": sum(c.replaced for c in self.files.values()),
                "opened": sum(c.opened for c in self.files.values()),
                "bytes": sum(c.bytes for c in self.files.values()),
                "files": files,
                "replacements": list(self.replacements),
            }

    def _tracked(self, path: object) -> Path | None:
        if not isinstance(path, str | bytes | os.PathLike):
            return None  # a file descriptor
        candidate = Path(os.fsdecode(path)).absolute()
        if candidate.parent != self.directory or not candidate.name.startswith(
            self.prefix
        ):
            return None
        return candidate

    def _count(self, path: Path) -> _FileCount:
        return self.files.setdefault(path.name, _FileCount())

    @staticmethod
    def _size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    def _observe(self, path: Path) -> None:
        """Add the growth of ``path`` since it was last seen."""
        size = self._size(path)
        before = self._sizes.get(path, size)
        if size > before:
            self._count(path).bytes += size - before
        self._sizes[path] = size

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._active or event not in ("open", "os.rename", "os.remove"):
            return
        try:
            with self._lock:
                if event == "open":
                    self._on_open(args)
                elif event == "os.rename":
                    self._on_rename(args)
                else:
                    self._on_remove(args)
        except Exception:  # noqa: BLE001 - an audit hook must never break the call it watches
            return

    def _on_open(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = args[0], args[1], args[2]
        if (tracked := self._tracked(path)) is None:
            return
        writing = bool(flags & _WRITE_FLAGS) or (
            isinstance(mode, str) and any(c in mode for c in "wax+")
        )
        if not writing:
            return
        self._count(tracked).opened += 1
        if tracked in self._sizes:
            self._observe(tracked)
        truncated = bool(flags & os.O_TRUNC) or (isinstance(mode, str) and "w" in mode)
        if truncated:
            self._sizes[tracked] = 0
        else:
            self._sizes[tracked] = self._size(tracked)

    def _on_rename(self, args: tuple[Any, ...]) -> None:
        source, target = args[0], args[1]
        tracked = self._tracked(target)
        if (moved := self._tracked(source)) is not None:
            # One of our files renamed (a rotation): no new bytes, the size moves along.
            if moved in self._sizes:
                self._observe(moved)
            size = self._sizes.pop(moved, None)
            if tracked is not None and size is not None:
                self._sizes[tracked] = size
            return
        if tracked is None:
            return
        if tracked in self._sizes:
            self._observe(tracked)
        size = Path(os.fsdecode(source)).stat().st_size
        count = self._count(tracked)
        count.replaced += 1
        count.bytes += size
        self._sizes[tracked] = size
        self.replacements.append((time.monotonic(), tracked.name, size))

    def _on_remove(self, args: tuple[Any, ...]) -> None:
        if (tracked := self._tracked(args[0])) is not None and tracked in self._sizes:
            self._observe(tracked)
            del self._sizes[tracked]


def process_io(pid: int | str = "self") -> dict[str, int]:
    """``/proc/<pid>/io``: ``wchar`` is every byte the process passed to write(2)-like calls."""
    text = Path(f"/proc/{pid}/io").read_text(encoding="ascii")
    return {
        key: int(value)
        for key, _, value in (line.partition(": ") for line in text.splitlines())
        if value
    }
