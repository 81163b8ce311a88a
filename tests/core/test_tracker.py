"""The tracker follows each request through its sources and never mixes two up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.media_request_tracker.core.events import TrackerEvent
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaIds,
    MediaRequest,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.options import TrackerOptions
from custom_components.media_request_tracker.core.outcome import Outcome
from custom_components.media_request_tracker.core.parsers import (
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.payloads import (
    DUNE_HASH,
    SEVERANCE_HASH,
    SEVERANCE_SERIES_ID,
    jellyfin_episode,
    jellyseerr,
    payload,
    sonarr_episode_import,
)

START = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)


class Clock:
    """Each event one minute after the last."""

    def __init__(self) -> None:
        self.now = START

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def tracker() -> RequestTracker:
    return RequestTracker()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def feed(tracker: RequestTracker, clock: Clock, event: TrackerEvent) -> Outcome:
    return tracker.apply(event, clock.tick())


def only(tracker: RequestTracker) -> MediaRequest:
    (request,) = list(tracker)
    return request


def test_film_goes_from_request_to_available(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    feed(tracker, clock, parse_radarr(payload("radarr_download")))
    outcome = feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_movie")))

    request = only(tracker)
    assert request.stage is Stage.AVAILABLE
    assert request.jellyfin_id == "4f1c2d3e4b5a69788796a5b4c3d2e1f0"
    assert request.download_hash == DUNE_HASH
    assert [(e.state, e.source) for e in request.timeline] == [
        (Stage.APPROVED, Source.JELLYSEERR),
        (Stage.INDEXED, Source.RADARR),
        (Stage.IMPORTING, Source.RADARR),
        (Stage.AVAILABLE, Source.JELLYFIN),
    ]
    assert [(t.from_stage, t.to_stage) for t in outcome.transitions] == [
        (Stage.IMPORTING, Stage.AVAILABLE)
    ]


def test_creation_is_reported_as_a_transition_from_nothing(
    tracker: RequestTracker, clock: Clock
) -> None:
    outcome = feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_tv_pending")))
    assert outcome.created == ["43"]
    assert [(t.from_stage, t.to_stage) for t in outcome.transitions] == [
        (None, Stage.REQUESTED)
    ]


def test_requester_poster_wins_over_the_radarr_poster(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    assert only(tracker).poster_url.startswith(
        "https://image.tmdb.org/t/p/w600_and_h900_bestv2/"
    )


def test_radarr_poster_fills_in_when_the_request_has_none(
    tracker: RequestTracker, clock: Clock
) -> None:
    request = jellyseerr("jellyseerr_movie_auto_approved")
    request["image"] = ""
    feed(tracker, clock, parse_jellyseerr(request))
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    assert (
        only(tracker).poster_url
        == "https://image.tmdb.org/t/p/original/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
    )


def test_a_missed_webhook_is_skipped_over(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_radarr(payload("radarr_download")))
    assert only(tracker).stage is Stage.IMPORTING


def test_a_late_approval_is_rejected_and_recorded(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(jellyseerr("jellyseerr_tv_pending")))
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    outcome = feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )

    request = only(tracker)
    assert request.stage is Stage.INDEXED
    assert request.timeline[-1].rejected is True
    assert request.timeline[-1].state is Stage.APPROVED
    assert outcome.transitions == []
    assert [(r.current, r.proposed) for r in outcome.rejections] == [
        (Stage.INDEXED, Stage.APPROVED)
    ]


def test_tv_is_available_only_when_every_episode_is(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    for episode in range(1, 10):
        feed(tracker, clock, parse_sonarr(sonarr_episode_import(episode)))
    request = only(tracker)
    assert (request.stage, request.episodes_available, request.episodes_total) == (
        Stage.IMPORTING,
        9,
        9,
    )

    feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_series")))
    for episode in range(1, 9):
        feed(tracker, clock, parse_jellyfin(jellyfin_episode(1, episode)))
    assert request.stage is Stage.IMPORTING
    assert request.jellyfin_id == SEVERANCE_SERIES_ID

    feed(tracker, clock, parse_jellyfin(jellyfin_episode(1, 9)))
    assert request.stage is Stage.AVAILABLE


def test_episode_of_an_unknown_series_asks_for_a_lookup(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    event = parse_jellyfin(jellyfin_episode(1, 1))
    assert tracker.needs_series_lookup(event)
    feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_series")))
    assert not tracker.needs_series_lookup(event)


def test_episode_without_a_known_series_changes_nothing(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    outcome = feed(tracker, clock, parse_jellyfin(jellyfin_episode(1, 1)))
    assert outcome.ignored
    assert not outcome.is_change


def test_season_two_request_is_not_completed_by_season_one(
    tracker: RequestTracker, clock: Clock
) -> None:
    request = jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
    request["extra"] = [{"name": "Requested Seasons", "value": "1, 2"}]
    feed(tracker, clock, parse_jellyseerr(request))
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_series")))
    for episode in range(1, 10):
        feed(tracker, clock, parse_jellyfin(jellyfin_episode(1, episode)))
    assert only(tracker).stage is Stage.INDEXED


def test_jellyseerr_available_completes_a_tv_request(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_AVAILABLE")),
    )
    request = only(tracker)
    assert request.stage is Stage.AVAILABLE
    assert request.episodes_available == 9


# The wrong-request trap ---------------------------------------------------


def finished_old_request(tracker: RequestTracker, clock: Clock) -> MediaRequest:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="7")),
    )
    old_grab = payload("radarr_grab")
    old_grab["downloadId"] = "1" * 40
    feed(tracker, clock, parse_radarr(old_grab))
    feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_movie")))
    old = tracker.get("7")
    assert old is not None
    assert old.stage is Stage.AVAILABLE
    return old


def test_new_request_for_a_finished_title_gets_its_own_events(
    tracker: RequestTracker, clock: Clock
) -> None:
    old = finished_old_request(tracker, clock)
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    feed(tracker, clock, parse_radarr(payload("radarr_download")))
    feed(tracker, clock, parse_jellyfin(payload("jellyfin_item_added_movie")))

    new = tracker.get("42")
    assert new is not None
    assert new.stage is Stage.AVAILABLE
    assert [e.state for e in new.timeline] == [
        Stage.APPROVED,
        Stage.INDEXED,
        Stage.IMPORTING,
        Stage.AVAILABLE,
    ]
    assert len(old.timeline) == 3
    assert DUNE_HASH not in old.download_hashes


def test_upgrade_of_a_finished_request_is_noted_without_regressing(
    tracker: RequestTracker, clock: Clock
) -> None:
    old = finished_old_request(tracker, clock)
    outcome = feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    assert old.stage is Stage.AVAILABLE
    assert old.timeline[-1].detail.startswith("upgrade grabbed")
    assert outcome.created == []
    assert outcome.transitions == []


def test_two_open_requests_for_one_title_each_get_a_grab(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="1")),
    )
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="2")),
    )
    first = payload("radarr_grab")
    second = payload("radarr_grab")
    second["downloadId"] = "B" * 40
    feed(tracker, clock, parse_radarr(first))
    feed(tracker, clock, parse_radarr(second))
    assert tracker.get("2").download_hashes == [
        DUNE_HASH
    ]  # the newest takes the first grab
    assert tracker.get("1").download_hashes == ["b" * 40]

    second_import = payload("radarr_download")
    second_import["downloadId"] = "B" * 40
    feed(tracker, clock, parse_radarr(second_import))
    assert tracker.get("1").stage is Stage.IMPORTING
    assert tracker.get("2").stage is Stage.INDEXED


def test_requests_for_different_seasons_are_kept_apart(
    tracker: RequestTracker, clock: Clock
) -> None:
    season_one = jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED", request_id="1")
    season_two = jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED", request_id="2")
    season_two["extra"] = [{"name": "Requested Seasons", "value": "2"}]
    feed(tracker, clock, parse_jellyseerr(season_one))
    feed(tracker, clock, parse_jellyseerr(season_two))
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    assert tracker.get("1").stage is Stage.INDEXED
    assert tracker.get("2").stage is Stage.APPROVED


# Phantom requests ---------------------------------------------------------


def test_unrequested_grab_is_tracked_without_a_requester(
    tracker: RequestTracker, clock: Clock
) -> None:
    outcome = feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    request = only(tracker)
    assert outcome.created == [request.request_id]
    assert request.request_id == "radarr_3a7c2f0b9e4d"
    assert request.requested_by is None
    assert request.stage is Stage.INDEXED
    assert request.origin is Source.RADARR


def test_unrequested_grab_is_ignored_when_the_option_is_off(clock: Clock) -> None:
    tracker = RequestTracker(options=TrackerOptions(track_unrequested=False))
    outcome = feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    assert outcome.ignored
    assert len(tracker) == 0


@pytest.mark.parametrize(
    "fixture",
    [
        "radarr_download",
        "sonarr_download_import_complete",
        "jellyfin_item_added_movie",
        "jellyfin_item_added_series",
    ],
)
def test_nothing_but_a_request_or_a_grab_creates_a_request(
    tracker: RequestTracker, clock: Clock, fixture: str
) -> None:
    parser = {
        "radarr": parse_radarr,
        "sonarr": parse_sonarr,
        "jellyfin": parse_jellyfin,
    }[fixture.split("_", maxsplit=1)[0]]
    feed(tracker, clock, parser(payload(fixture)))
    assert len(tracker) == 0


@pytest.mark.parametrize("kind", ["MEDIA_AVAILABLE", "MEDIA_DECLINED", "MEDIA_FAILED"])
def test_closing_notification_for_an_unknown_request_creates_nothing(
    tracker: RequestTracker, clock: Clock, kind: str
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", kind)),
    )
    assert len(tracker) == 0


def test_request_arriving_after_its_grab_adopts_the_tracked_download(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    outcome = feed(
        tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved"))
    )
    request = only(tracker)
    assert request.requested_by == "admin"
    assert request.stage is Stage.INDEXED
    assert not request.timeline[-1].rejected
    assert outcome.rejections == []


# Other behaviour ----------------------------------------------------------


def test_declined_request_ends(tracker: RequestTracker, clock: Clock) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_tv_pending")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_DECLINED")),
    )
    assert only(tracker).stage is Stage.DECLINED


def test_failed_request_comes_back_when_grabbed(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", "MEDIA_FAILED")),
    )
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    assert only(tracker).stage is Stage.INDEXED


def test_file_delete_is_noted_on_the_request(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_radarr(payload("radarr_movie_file_delete")))
    request = only(tracker)
    assert request.timeline[-1].detail == "file deleted in Radarr (upgrade)"
    assert request.stage is Stage.APPROVED


def test_second_season_pack_while_importing_is_followed_without_stepping_back(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    feed(tracker, clock, parse_sonarr(payload("sonarr_download_import_complete")))
    replacement = payload("sonarr_grab_season_pack")
    replacement["downloadId"] = "C" * 40
    feed(tracker, clock, parse_sonarr(replacement))
    request = only(tracker)
    assert request.stage is Stage.IMPORTING
    assert request.download_hash == "c" * 40
    assert not any(entry.rejected for entry in request.timeline)


def test_mark_available_is_a_user_override(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    outcome = tracker.mark_available("42", clock.tick(), "marked available by hand")
    assert only(tracker).stage is Stage.AVAILABLE
    assert outcome.transitions[0].source is Source.USER


def test_finished_requests_expire_after_retention(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_tv_pending")))
    tracker.mark_available("42", clock.tick(), "done")
    assert tracker.expired(clock.now + timedelta(seconds=1)) == ["42"]
    assert tracker.expired(clock.now - timedelta(days=1)) == []


def test_timeline_is_capped_but_keeps_its_first_entry(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    for _ in range(150):
        feed(tracker, clock, parse_radarr(payload("radarr_movie_file_delete")))
    request = only(tracker)
    assert len(request.timeline) == 100
    assert request.timeline[0].state is Stage.APPROVED


def test_request_survives_a_round_trip_through_storage(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")),
    )
    request = only(tracker)
    restored = MediaRequest.from_dict(request.as_dict())
    assert restored.as_dict() == request.as_dict()
    assert restored.episodes[EpisodeKey(1, 9)] == request.episodes[EpisodeKey(1, 9)]
    assert restored.ids == MediaIds(tmdb_id=95396, tvdb_id=371980, imdb_id="tt11280740")
    assert restored.timeline[-1].rejected is True


def test_hash_match_wins_over_a_newer_request(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(
        tracker,
        clock,
        parse_jellyseerr(
            jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED", request_id="1")
        ),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_grab_season_pack")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(
            jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED", request_id="2")
        ),
    )
    feed(tracker, clock, parse_sonarr(payload("sonarr_download_import_complete")))
    assert tracker.get("1").stage is Stage.IMPORTING
    assert tracker.get("2").stage is Stage.APPROVED
    assert SEVERANCE_HASH in tracker.get("1").download_hashes


# Bounds -----------------------------------------------------------------


def test_a_huge_title_is_cut_with_an_ellipsis(
    tracker: RequestTracker, clock: Clock
) -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["subject"] = "Dune " * 180_000
    feed(tracker, clock, parse_jellyseerr(data))
    request = only(tracker)
    assert len(request.title) == 200
    assert request.title.endswith("...")


def test_huge_notes_are_cut_in_the_timeline(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_radarr(payload("radarr_grab")))
    for _ in range(12):
        grab = payload("radarr_grab")
        grab["release"]["releaseTitle"] = "x" * 900_000
        feed(tracker, clock, parse_radarr(grab))
    request = only(tracker)
    assert max(len(entry.detail) for entry in request.timeline) == 500
    assert request.timeline[-1].detail.endswith("...")


def test_a_huge_poster_url_is_dropped_not_cut(
    tracker: RequestTracker, clock: Clock
) -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["image"] = "https://image.example/" + "p" * 900_000
    feed(tracker, clock, parse_jellyseerr(data))
    assert only(tracker).poster_url is None


def test_no_request_is_created_past_the_limit(clock: Clock) -> None:
    tracker = RequestTracker(options=TrackerOptions(request_limit=3))
    for request_id in ("1", "2", "3"):
        feed(
            tracker,
            clock,
            parse_jellyseerr(
                jellyseerr("jellyseerr_tv_pending", request_id=request_id)
            ),
        )
    outcome = feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", request_id="4")),
    )
    assert len(tracker) == 3
    assert outcome.created == []
    assert outcome.refused == "Dune: Part Two"


def test_a_new_season_of_a_finished_series_is_noted_not_tracked(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_tv_pending")))
    feed(
        tracker,
        clock,
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_AVAILABLE")),
    )
    finished = only(tracker)
    assert finished.stage is Stage.AVAILABLE
    grab = payload("sonarr_grab_season_pack")
    grab["downloadId"] = "3" * 40
    for episode in grab["episodes"]:
        episode["seasonNumber"] = 9
    outcome = feed(tracker, clock, parse_sonarr(grab))
    assert outcome.created == []
    assert only(tracker) is finished
    assert finished.stage is Stage.AVAILABLE
    assert "not tracked" in finished.timeline[-1].detail


def test_a_jellyfin_film_sharing_one_id_but_contradicting_another_is_not_taken(
    tracker: RequestTracker, clock: Clock
) -> None:
    feed(tracker, clock, parse_jellyseerr(payload("jellyseerr_movie_auto_approved")))
    request = only(tracker)
    request.ids = MediaIds(tmdb_id=693134, imdb_id="tt15239678", anidb_id=1)
    item = payload("jellyfin_item_added_movie")
    item["Provider_tmdb"] = ""
    item["Provider_anidb"] = "2"
    outcome = feed(tracker, clock, parse_jellyfin(item))
    assert outcome.ignored == "film matches no request in progress"
    assert request.stage is Stage.APPROVED
    assert request.jellyfin_id is None
