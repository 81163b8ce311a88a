"""A request that stays in one stage past its threshold is stuck, with a reason naming the fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.media_request_tracker.core.events import (
    GrabEvent,
    ImportEvent,
    MediaInfo,
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.model import (
    MediaIds,
    MediaRequest,
    MediaType,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.options import TrackerOptions
from custom_components.media_request_tracker.core.stuck import (
    StuckReason,
    StuckRequest,
    StuckThresholds,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker

START = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
DUNE = MediaInfo(media_type=MediaType.MOVIE, ids=MediaIds(tmdb_id=693134))


def approved(
    tracker: RequestTracker, status: RequestStatus = RequestStatus.APPROVED
) -> None:
    tracker.apply(RequestEvent(status=status, media=DUNE, request_id="1"), START)


def grabbed(tracker: RequestTracker, at: datetime) -> None:
    tracker.apply(
        GrabEvent(source=Source.RADARR, media=DUNE, download_hash="a" * 40), at
    )


def only(tracker: RequestTracker) -> MediaRequest:
    (request,) = list(tracker)
    return request


def test_approved_request_is_stuck_only_after_its_threshold() -> None:
    tracker = RequestTracker()
    approved(tracker)
    assert tracker.stuck(START + timedelta(hours=5, minutes=59)) == []
    assert tracker.stuck(START + timedelta(hours=6)) == [
        StuckRequest("1", Stage.APPROVED, START, StuckReason.NOT_GRABBED)
    ]


def test_the_clock_restarts_when_the_request_moves() -> None:
    tracker = RequestTracker()
    approved(tracker)
    grabbed(tracker, START + timedelta(hours=5))
    assert tracker.stuck(START + timedelta(hours=6, minutes=59)) == []
    assert tracker.stuck(START + timedelta(hours=7)) == [
        StuckRequest(
            "1", Stage.INDEXED, START + timedelta(hours=5), StuckReason.NOT_STARTED
        )
    ]


def test_each_stage_has_its_own_threshold_from_the_options() -> None:
    tracker = RequestTracker(
        options=TrackerOptions(
            stuck_after=StuckThresholds(importing=timedelta(minutes=10))
        )
    )
    approved(tracker)
    grabbed(tracker, START)
    tracker.apply(
        ImportEvent(source=Source.RADARR, media=DUNE, download_hash="a" * 40), START
    )
    assert only(tracker).stage is Stage.IMPORTING
    assert [found.reason for found in tracker.stuck(START + timedelta(minutes=10))] == [
        StuckReason.NOT_IMPORTED
    ]


def test_a_request_waiting_for_approval_is_never_stuck() -> None:
    tracker = RequestTracker()
    approved(tracker, RequestStatus.PENDING)
    assert only(tracker).stage is Stage.REQUESTED
    assert tracker.stuck(START + timedelta(days=30)) == []


def test_a_stored_request_learns_when_it_entered_its_stage_from_its_timeline() -> None:
    tracker = RequestTracker()
    approved(tracker)
    grabbed(tracker, START + timedelta(hours=1))
    stored = only(tracker).as_dict()
    del stored["stage_since"]
    assert MediaRequest.from_dict(stored).stage_since == START + timedelta(hours=1)


def test_without_a_followed_download_client_indexed_is_never_stuck() -> None:
    tracker = RequestTracker(
        options=TrackerOptions(stuck_after=StuckThresholds(indexed=None))
    )
    approved(tracker)
    grabbed(tracker, START)
    assert only(tracker).stage is Stage.INDEXED
    assert tracker.stuck(START + timedelta(days=3)) == []


def test_one_request_is_judged_by_the_same_rule_as_the_scan() -> None:
    tracker = RequestTracker()
    approved(tracker)
    later = START + timedelta(hours=7)
    assert tracker.stuck_for(only(tracker), later) == tracker.stuck(later)[0]


def test_a_stuck_request_that_moves_on_is_stuck_no_more() -> None:
    tracker = RequestTracker()
    approved(tracker)
    grabbed(tracker, START + timedelta(hours=7))
    assert tracker.stuck_for(only(tracker), START + timedelta(hours=7)) is None
