"""The tracker's behaviour that a user can choose."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from .stuck import StuckThresholds


@dataclass(frozen=True, kw_only=True, slots=True)
class TrackerOptions:
    """Behaviour a user can choose in the options flow."""

    track_unrequested: bool = True
    # The entry has a Radarr or Sonarr flagged 4K: an *arr event then belongs
    # only to requests of its instance's kind (4K or standard). Off, one
    # instance may serve both, and either kind takes its events.
    separate_4k: bool = False
    stall_after: timedelta = timedelta(minutes=30)
    # Progress alone makes a new state at most this often per download.
    progress_every: timedelta = timedelta(seconds=30)
    stuck_after: StuckThresholds = field(default_factory=StuckThresholds)
    # At most this many requests per entry: a flood of made-up request ids
    # must not become thousands of entities. Stored requests always load.
    request_limit: int = 5000
