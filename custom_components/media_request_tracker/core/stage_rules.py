"""Which stage changes are allowed.

Forward jumps are fine (a webhook may have been missed); moving backwards
never is, because a late or repeated webhook must not undo real progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .model import PIPELINE_RANK, Stage


class Verdict(StrEnum):
    """The answer to a proposed stage change."""

    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict with the reason a user will read in the timeline."""

    verdict: Verdict
    reason: str = ""


_RECOVERABLE_FROM_FAILED = frozenset(PIPELINE_RANK) - {Stage.REQUESTED}


def decide(current: Stage, proposed: Stage, *, manual: bool = False) -> Decision:
    """Decide whether a request in ``current`` may move to ``proposed``.

    ``manual`` is a user override (``mark_available``), which may end any
    request that is not already available.
    """
    if current is proposed:
        return Decision(Verdict.UNCHANGED)
    if manual:
        if proposed is Stage.AVAILABLE:
            return Decision(Verdict.ACCEPTED)
        return Decision(Verdict.REJECTED, "only mark_available is a manual override")
    if current is Stage.FAILED:
        # A failed request that Jellyseerr or an *arr retries comes back to life.
        if proposed in _RECOVERABLE_FROM_FAILED:
            return Decision(Verdict.ACCEPTED)
        return Decision(Verdict.REJECTED, f"{current} cannot become {proposed}")
    if current.is_terminal:
        return Decision(Verdict.REJECTED, f"request is already {current}")
    if proposed is Stage.FAILED:
        return Decision(Verdict.ACCEPTED)
    if proposed is Stage.DECLINED:
        if current in (Stage.REQUESTED, Stage.APPROVED):
            return Decision(Verdict.ACCEPTED)
        return Decision(Verdict.REJECTED, f"cannot decline a request that is {current}")
    if PIPELINE_RANK[proposed] < PIPELINE_RANK[current]:
        return Decision(Verdict.REJECTED, f"{proposed} would move back from {current}")
    return Decision(Verdict.ACCEPTED)
