"""An outcome says what it means for the layer around the core: wake the download poller, look at the library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.media_request_tracker.core.model import Stage
from custom_components.media_request_tracker.core.outcome import Outcome
from custom_components.media_request_tracker.core.parsers import (
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.payloads import jellyseerr, payload

START = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)


def requested(tracker: RequestTracker) -> Outcome:
    return tracker.apply(
        parse_jellyseerr(payload("jellyseerr_movie_auto_approved")), START
    )


def grabbed(tracker: RequestTracker) -> Outcome:
    return tracker.apply(
        parse_radarr(payload("radarr_grab")), START + timedelta(minutes=1)
    )


def imported(tracker: RequestTracker) -> Outcome:
    return tracker.apply(
        parse_radarr(payload("radarr_download")), START + timedelta(minutes=2)
    )


def test_a_grab_awaits_its_download() -> None:
    tracker = RequestTracker()
    assert not requested(tracker).awaits_download
    assert grabbed(tracker).awaits_download


def test_a_note_on_a_download_under_way_does_not_await_it_again() -> None:
    tracker = RequestTracker()
    requested(tracker)
    grabbed(tracker)
    again = grabbed(tracker)
    assert again.is_change
    assert not again.awaits_download


def test_a_new_request_may_already_be_in_the_library() -> None:
    tracker = RequestTracker()
    assert requested(tracker).may_have_arrived


def test_an_import_may_have_brought_the_files() -> None:
    tracker = RequestTracker()
    requested(tracker)
    assert not grabbed(tracker).may_have_arrived
    assert imported(tracker).may_have_arrived


def test_jellyseerr_saying_available_sends_a_look_at_the_library() -> None:
    tracker = RequestTracker()
    requested(tracker)
    available = jellyseerr_says(tracker, "MEDIA_AVAILABLE")
    assert [t.to_stage for t in available.transitions] == [Stage.AVAILABLE]
    assert available.may_have_arrived


def test_jellyfin_itself_saying_available_needs_no_look() -> None:
    tracker = RequestTracker()
    requested(tracker)
    imported(tracker)
    added = tracker.apply(
        parse_jellyfin(payload("jellyfin_item_added_movie")),
        START + timedelta(minutes=3),
    )
    assert [t.to_stage for t in added.transitions] == [Stage.AVAILABLE]
    assert not added.may_have_arrived


def test_an_ignored_event_means_nothing() -> None:
    outcome = Outcome.ignoring("item from another Jellyfin server")
    assert outcome.ignored == "item from another Jellyfin server"
    assert not (outcome.is_visible or outcome.moved)
    assert not (outcome.awaits_download or outcome.may_have_arrived)


def test_a_refused_move_is_shown_but_is_no_move() -> None:
    tracker = RequestTracker()
    requested(tracker)
    imported(tracker)
    declined = jellyseerr_says(tracker, "MEDIA_DECLINED")
    assert [r.proposed for r in declined.rejections] == [Stage.DECLINED]
    assert list(declined.shown) == ["42"]
    assert not declined.moved


def jellyseerr_says(tracker: RequestTracker, notification_type: str) -> Outcome:
    return tracker.apply(
        parse_jellyseerr(
            jellyseerr("jellyseerr_movie_auto_approved", notification_type)
        ),
        START + timedelta(minutes=5),
    )
