"""Changes not yet on disk, and which flush callers made them.

Every writer changes, then flushes, with no wait in between; so the changes
a flush must wait for are those made since the previous flush call. Each
change carries generation numbers to tell them apart from later callers'.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from custom_components.media_request_tracker.core.model import MediaRequest


@dataclass(slots=True)
class PendingChange:
    """The request as it is now (None once removed), and when it changed.

    ``first`` is the generation of the oldest change the journal lacks,
    ``last`` of the newest; a flush fails for its caller if either falls in
    the generations the caller made.
    """

    request: MediaRequest | None
    first: int
    last: int


class PendingChanges:
    """The requests changed since the last append that took them."""

    def __init__(self) -> None:
        """Start with nothing pending."""
        self._changes: dict[str, PendingChange] = {}
        self._generation = 0
        # Generation when the last flush was asked for: later ones are the next caller's.
        self._flushed_up_to = 0

    def __bool__(self) -> bool:
        """Whether anything waits to be written."""
        return bool(self._changes)

    def __iter__(self) -> Iterator[tuple[str, PendingChange]]:
        """Request ids and their changes, in the order they first changed."""
        return iter(list(self._changes.items()))

    def mark(self, request_id: str, request: MediaRequest | None) -> None:
        """Note a change (``None`` for a removal), under any not yet written."""
        self._generation += 1
        pending = self._changes.get(request_id)
        first = pending.first if pending is not None else self._generation
        self._changes[request_id] = PendingChange(request, first, self._generation)

    def flush_window(self) -> tuple[int, int]:
        """Return the generations this flush answers for; the next starts after them."""
        since, self._flushed_up_to = self._flushed_up_to, self._generation
        return since, self._generation

    def unwritten(self, since: int, until: int) -> list[str]:
        """Request ids with a change in ``(since, until]`` not yet on disk."""
        return [
            request_id
            for request_id, pending in self._changes.items()
            if pending.first <= until and pending.last > since
        ]

    def take(self, request_ids: list[str]) -> dict[str, PendingChange]:
        """Remove these changes, to be appended; ``restore`` puts them back."""
        return {request_id: self._changes.pop(request_id) for request_id in request_ids}

    def restore(self, taken: dict[str, PendingChange]) -> None:
        """Put changes back whose append failed, under any made since."""
        for request_id, pending in taken.items():
            if (newer := self._changes.get(request_id)) is not None:
                newer.first = pending.first
            else:
                self._changes[request_id] = pending
