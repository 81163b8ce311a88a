"""What one event did, and what that means for the layer around the core.

The shell persists, shows and announces an outcome, and wakes its pollers from
it; the properties here say what an outcome means, so that no caller has to
read transitions or stage sets to find out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Self

from .model import DOWNLOAD_STAGES, WAITING_STAGES, MediaRequest, Source, Stage

# The *arr queue's tracked state for a download it cannot import by itself.
IMPORT_BLOCKED = "importBlocked"


@dataclass(frozen=True, slots=True)
class Transition:
    """An accepted stage change; ``from_stage`` is None when a request is created."""

    request_id: str
    from_stage: Stage | None
    to_stage: Stage
    source: Source
    detail: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A stage change the stage rules refused; kept for a single warning."""

    request_id: str
    current: Stage
    proposed: Stage
    source: Source
    reason: str


@dataclass(slots=True)
class Outcome:
    """Everything one event did."""

    changed: dict[str, MediaRequest] = field(default_factory=dict)
    # Shown to the user but not worth a disk write (download figures).
    refreshed: dict[str, MediaRequest] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    ignored: str | None = None
    # A request that was not created because the entry tracks its limit already.
    refused: str | None = None
    # Requests the user or the retention period stopped tracking.
    removed: list[str] = field(default_factory=list)
    # A Radarr or Sonarr grab that matched no request: its request may have
    # been missed (a lost webhook), so a look at Jellyseerr is worth it.
    unmatched_grab: bool = False

    @classmethod
    def ignoring(cls, reason: str) -> Self:
        """Report an event that changes nothing, with the reason it is dropped."""
        return cls(ignored=reason)

    @property
    def is_change(self) -> bool:
        """True when something must be shown and persisted."""
        return bool(self.changed)

    @property
    def is_visible(self) -> bool:
        """True when some entity must be written."""
        return bool(self.changed or self.refreshed)

    @property
    def shown(self) -> dict[str, MediaRequest]:
        """Every request whose entity must be written, changed or only refreshed."""
        return self.refreshed | self.changed

    @property
    def blocked_imports(self) -> dict[str, MediaRequest]:
        """Changed requests whose *arr cannot import the download, by id.

        Each deserves a repair quoting ``import_message``; any other changed
        request (``unblocked_imports``) has no such problem, or no longer.
        """
        return {
            request_id: request
            for request_id, request in self.changed.items()
            if request.import_status == IMPORT_BLOCKED
        }

    @property
    def unblocked_imports(self) -> list[str]:
        """Changed requests with no blocked import: their repair, if any, goes."""
        return [
            request_id
            for request_id, request in self.changed.items()
            if request.import_status != IMPORT_BLOCKED
        ]

    @property
    def moved(self) -> bool:
        """True when some request was created or changed its stage."""
        return bool(self.transitions)

    @property
    def awaits_download(self) -> bool:
        """True when a request began waiting on its download client.

        The download poller sleeps while nothing is downloading; this is
        what wakes it.
        """
        return any(
            transition.to_stage in DOWNLOAD_STAGES for transition in self.transitions
        )

    @property
    def may_have_arrived(self) -> bool:
        """True when media may now be in the library, so a look is worth it.

        A new request may be a re-request of something already there; a
        request waiting for its files, or reported available by anyone but
        Jellyfin itself, may be there before the library says so.
        """
        return bool(self.created) or any(
            transition.to_stage in WAITING_STAGES
            or (
                transition.to_stage is Stage.AVAILABLE
                and transition.source is not Source.JELLYFIN
            )
            for transition in self.transitions
        )
