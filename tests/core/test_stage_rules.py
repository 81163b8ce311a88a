"""The stage rules let requests skip ahead but never move back."""

from __future__ import annotations

import pytest

from custom_components.media_request_tracker.core.model import Stage
from custom_components.media_request_tracker.core.stage_rules import Verdict, decide


@pytest.mark.parametrize(
    ("current", "proposed"),
    [
        (Stage.REQUESTED, Stage.APPROVED),
        (Stage.APPROVED, Stage.INDEXED),
        (Stage.REQUESTED, Stage.IMPORTING),
        (Stage.INDEXED, Stage.AVAILABLE),
        (Stage.IMPORTING, Stage.ANIME_MATCHING),
        (Stage.DOWNLOADING, Stage.FAILED),
        (Stage.REQUESTED, Stage.DECLINED),
        (Stage.FAILED, Stage.INDEXED),
    ],
)
def test_forward_moves_and_jumps_are_accepted(current: Stage, proposed: Stage) -> None:
    assert decide(current, proposed).verdict is Verdict.ACCEPTED


@pytest.mark.parametrize(
    ("current", "proposed"),
    [
        (Stage.INDEXED, Stage.APPROVED),
        (Stage.IMPORTING, Stage.DOWNLOADING),
        (Stage.AVAILABLE, Stage.INDEXED),
        (Stage.DECLINED, Stage.APPROVED),
        (Stage.DOWNLOADING, Stage.DECLINED),
        (Stage.FAILED, Stage.REQUESTED),
    ],
)
def test_backward_moves_are_rejected_with_a_reason(
    current: Stage, proposed: Stage
) -> None:
    decision = decide(current, proposed)
    assert decision.verdict is Verdict.REJECTED
    assert decision.reason


def test_the_same_stage_again_is_no_change() -> None:
    assert decide(Stage.INDEXED, Stage.INDEXED).verdict is Verdict.UNCHANGED


def test_a_user_may_mark_any_request_available() -> None:
    assert (
        decide(Stage.DECLINED, Stage.AVAILABLE, manual=True).verdict is Verdict.ACCEPTED
    )
    assert (
        decide(Stage.IMPORTING, Stage.FAILED, manual=True).verdict is Verdict.REJECTED
    )
