"""When a request counts as stuck: it stayed in its stage past that stage's limit.

One rule serves both the periodic scan and the check, when a request moves,
whether an issue raised for it still holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .model import MediaRequest, Stage


class StuckReason(StrEnum):
    """Why a request stopped moving; each names a different fix."""

    NOT_GRABBED = "not_grabbed"
    NOT_STARTED = "not_started"
    STALLED = "stalled"
    NOT_IMPORTED = "not_imported"
    NOT_MATCHED = "not_matched"


@dataclass(frozen=True, kw_only=True, slots=True)
class StuckThresholds:
    """How long each stage may last before a request counts as stuck."""

    approved: timedelta = timedelta(hours=6)
    # None when no download client is followed: nothing moves a request on then.
    indexed: timedelta | None = timedelta(hours=2)
    importing: timedelta = timedelta(hours=1)
    anime_matching: timedelta = timedelta(hours=2)

    def limit_for(self, stage: Stage) -> tuple[timedelta, StuckReason] | None:
        """Return how long a stage may last and why it would stop; None where waiting is normal.

        A download is not timed here: it counts once its data stops moving.
        """
        match stage:
            case Stage.APPROVED:
                return self.approved, StuckReason.NOT_GRABBED
            case Stage.INDEXED if self.indexed is not None:
                return self.indexed, StuckReason.NOT_STARTED
            case Stage.DOWNLOAD_DONE | Stage.IMPORTING:
                return self.importing, StuckReason.NOT_IMPORTED
            case Stage.ANIME_MATCHING:
                return self.anime_matching, StuckReason.NOT_MATCHED
        return None


@dataclass(frozen=True, slots=True)
class StuckRequest:
    """A request past its stage's threshold."""

    request_id: str
    stage: Stage
    since: datetime
    reason: StuckReason


def stuck_for(
    request: MediaRequest, thresholds: StuckThresholds, now: datetime
) -> StuckRequest | None:
    """Say whether, and since when, a request is stuck at ``now``.

    A download counts once qBittorrent has moved no data for the stall
    time, from when data last moved; the other stages count from when the
    request entered them.
    """
    if request.stage is Stage.DOWNLOADING:
        stalled_since = request.download.stalled_since
        if stalled_since is None:
            return None
        return StuckRequest(
            request.request_id, request.stage, stalled_since, StuckReason.STALLED
        )
    limit = thresholds.limit_for(request.stage)
    since = request.stage_since or request.requested_at
    if limit is None or now - since < limit[0]:
        return None
    return StuckRequest(request.request_id, request.stage, since, limit[1])


def find_stuck(
    requests: Iterable[MediaRequest], thresholds: StuckThresholds, now: datetime
) -> list[StuckRequest]:
    """Every request that has stayed in its stage past the threshold."""
    return [
        found
        for request in requests
        if (found := stuck_for(request, thresholds, now)) is not None
    ]
