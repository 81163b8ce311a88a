"""Following a download through a Radarr's or Sonarr's queue, whatever client holds it.

The queue records are the fake app's own (``tests/fakes/arr_queue.py``), read
by the same parser the client uses.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.media_request_tracker.core.model import (
    MediaRequest,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.options import TrackerOptions
from custom_components.media_request_tracker.core.outcome import Outcome
from custom_components.media_request_tracker.core.parsers import (
    parse_radarr,
    parse_sonarr,
)
from custom_components.media_request_tracker.core.parsers.arr_queue import (
    parse_queue_page,
    parse_timespan,
)
from custom_components.media_request_tracker.core.queue import ArrQueue
from custom_components.media_request_tracker.core.stuck import StuckReason, stuck_for
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.fakes.arr_queue import STALLED, TITLE_MISMATCH, FakeQueue
from tests.payloads import payload

T0 = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)
GIB = 1024**3
RADARR = "radarr-main"
HASH = "3A7C2F0B9E4D1C6A8B5F2E0D9C7B6A5F4E3D2C1B"  # radarr_grab's downloadId
PACK = "9F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C"  # sonarr_grab_season_pack's


class Stack:
    """A tracker, one instance's fake queue, and the queue as the core keeps it."""

    def __init__(self, app: str = "Radarr", instance: str = RADARR) -> None:
        self.now = T0
        self.app = app
        self.instance = instance
        self.fake = FakeQueue(app, "6", lambda _request: None, clock=lambda: self.now)
        self.queue = ArrQueue()
        self.tracker = RequestTracker(options=TrackerOptions())

    def grab(self, name: str, **changes: object) -> MediaRequest:
        parse = parse_radarr if self.app == "Radarr" else parse_sonarr
        event = replace(parse(payload(name)), instance=self.instance, **changes)  # type: ignore[type-var]
        self.tracker.apply(event, self.now)
        (request,) = self.tracker
        return request

    def poll(
        self, after: timedelta = timedelta(seconds=30), **kwargs: object
    ) -> Outcome:
        self.now += after
        page = parse_queue_page({"records": self.fake.records(), "totalRecords": 0})
        self.queue.apply(page.records, self.now)
        source = Source.RADARR if self.app == "Radarr" else Source.SONARR
        return self.tracker.update_queue(
            self.instance,
            source,
            self.queue,
            self.now,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def stack() -> Stack:
    return Stack()


def test_a_film_goes_from_indexed_to_downloading_to_done_with_progress_and_eta(
    stack: Stack,
) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    assert request.stage is Stage.INDEXED

    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll()
    assert request.stage is Stage.DOWNLOADING
    assert request.download.progress == 10.0
    # Counted from the app's refresh, 30 s before this poll.
    assert request.download.eta == 20 * 60 - 30
    assert request.download.size == 10 * GIB
    assert request.download_client == "qBittorrent"

    stack.fake.advance(HASH, 4 * GIB, timedelta(minutes=8))
    stack.poll(timedelta(minutes=1))
    assert request.download.progress == 60.0
    assert request.download.eta == 8 * 60 - 60

    stack.fake.finish(HASH)
    stack.poll(timedelta(minutes=1))
    assert request.stage is Stage.DOWNLOAD_DONE
    assert request.download.progress == 100.0
    assert (request.download.download_speed, request.download.eta) == (None, None)
    assert request.import_status == "importPending"


def test_the_first_sample_has_no_speed_and_the_next_one_does(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll()
    assert request.download.download_speed is None

    stack.fake.advance(HASH, 9 * GIB - 60_000_000, timedelta(minutes=19))
    stack.poll(timedelta(seconds=60))
    assert request.download.download_speed == 1_000_000


def test_a_speed_stays_between_the_apps_refreshes(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll()
    stack.fake.advance(HASH, 9 * GIB - 60_000_000, timedelta(minutes=19))
    stack.poll(timedelta(seconds=60))

    stack.poll(timedelta(seconds=30))  # the app has not refreshed since
    assert stack.queue.downloads[HASH.lower()].speed == 1_000_000

    stack.poll(timedelta(minutes=3))
    assert stack.queue.downloads[HASH.lower()].speed == 0
    assert request.download.download_speed == 0


def test_progress_alone_is_shown_only_so_often(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll()
    stack.fake.advance(HASH, 8 * GIB, timedelta(minutes=18))
    stack.poll(timedelta(seconds=60))

    stack.fake.advance(HASH, 7 * GIB, timedelta(minutes=16))
    quiet = stack.poll(timedelta(seconds=10))  # within progress_every of the last
    assert not quiet.is_visible
    assert request.download.progress == 20.0

    nothing = stack.poll(timedelta(seconds=5))
    assert not nothing.is_visible
    shown = stack.poll(timedelta(seconds=30))
    assert shown.is_visible and not shown.is_change  # refreshed, not written
    assert request.download.progress == 30.0


def test_usenet_downloads_match_by_the_apps_id_whatever_its_case(stack: Stack) -> None:
    request = stack.grab("radarr_grab", download_hash="sabnzbd_nzo_p86tgx")
    stack.fake.add_usenet("SABnzbd_nzo_p86tgx", "Dune", movie_id=99, size=GIB)
    stack.fake.advance("SABnzbd_nzo_p86tgx", GIB // 2, timedelta(minutes=2))

    stack.poll()

    assert request.stage is Stage.DOWNLOADING
    assert request.download_client == "SABnzbd"


def test_a_grab_without_a_download_id_is_matched_by_its_movie(stack: Stack) -> None:
    request = stack.grab("radarr_grab", download_hash=None)
    stack.fake.add_usenet("SABnzbd_nzo_x", "Dune", movie_id=request.arr.item_id)  # type: ignore[union-attr]
    stack.fake.advance("SABnzbd_nzo_x", 2 * GIB, timedelta(minutes=2))

    stack.poll()

    assert request.stage is Stage.DOWNLOADING
    assert request.download.progress == 50.0


def test_another_instances_queue_leaves_the_request_alone(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    other = Stack(instance="radarr-4k")
    other.tracker = stack.tracker
    other.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    other.fake.advance(HASH, GIB, timedelta(minutes=1))

    outcome = other.poll()

    assert not outcome.is_visible
    assert request.stage is Stage.INDEXED
    assert not stack.tracker.follows_queue("radarr-4k")
    assert stack.tracker.follows_queue(RADARR)


def test_a_blocked_import_is_shown_noted_and_cleared_when_it_goes(
    stack: Stack,
) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12)
    stack.fake.block(HASH)

    blocked = stack.poll()

    assert request.stage is Stage.DOWNLOAD_DONE
    assert request.import_status == "importBlocked"
    assert request.import_message == TITLE_MISMATCH
    assert [entry.detail for entry in request.timeline[-2:]] == [
        "download finished",
        f"cannot import: {TITLE_MISMATCH}",
    ]
    assert blocked.blocked_imports == {request.request_id: request}
    assert not stack.poll().is_visible  # said once

    stack.fake.remove(HASH)  # imported by hand
    cleared = stack.poll()

    assert (request.import_status, request.import_message) == (None, None)
    assert cleared.is_change
    assert cleared.unblocked_imports == [request.request_id]


def test_a_sonarr_season_pack_is_one_download_of_the_request() -> None:
    stack = Stack("Sonarr", instance="sonarr-main")
    request = stack.grab("sonarr_grab_season_pack")
    stack.fake.add_torrent(
        PACK,
        "Show.S01",
        series_id=21,
        season_number=1,
        episode_ids=tuple(request.arr.episode_ids),  # type: ignore[union-attr]
        size=20 * GIB,
    )
    stack.fake.advance(PACK, 15 * GIB, timedelta(hours=1))

    stack.poll()

    assert len(stack.fake.records()) == len(request.arr.episode_ids) > 1  # type: ignore[union-attr]
    assert len(stack.queue.downloads) == 1
    assert request.download.progress == 25.0
    assert request.download.size == 20 * GIB
    assert stack.queue.downloads_of(request)[0].queue_ids  # for a blocklist


def test_figures_followed_elsewhere_are_left_but_the_import_state_is_not(
    stack: Stack,
) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 5 * GIB, timedelta(minutes=5))

    stack.poll(skip_figures={HASH.lower()})

    assert request.download.progress is None
    assert request.download_client == "qBittorrent"


def _downloading_then_still(stack: Stack, minutes: int) -> MediaRequest:
    """A usenet download that moved once, then ``sizeleft`` stood still for ``minutes``."""
    request = stack.grab("radarr_grab", download_hash="sabnzbd_nzo_1")
    stack.fake.add_usenet("SABnzbd_nzo_1", "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance("SABnzbd_nzo_1", 9 * GIB, timedelta(minutes=20))
    stack.poll()
    for _ in range(minutes):
        stack.fake.advance("SABnzbd_nzo_1", 9 * GIB, None)  # refreshed, no bytes
        stack.poll(timedelta(minutes=1))
    return request


def test_a_queue_download_whose_bytes_left_stand_still_stalls(stack: Stack) -> None:
    request = _downloading_then_still(stack, 29)
    assert request.download.stalled is False

    stack.fake.advance("SABnzbd_nzo_1", 9 * GIB, None)
    stack.poll(timedelta(minutes=1))

    assert request.download.stalled is True
    assert request.download.stalled_since == T0 + timedelta(seconds=30)
    assert request.timeline[-1].source is Source.RADARR
    assert request.timeline[-1].detail == "stalled: no data for 30 minutes"
    stuck = stuck_for(request, TrackerOptions().stuck_after, stack.now)
    assert stuck is not None and stuck.reason is StuckReason.STALLED


def test_a_stalled_queue_download_clears_when_bytes_move_again(stack: Stack) -> None:
    request = _downloading_then_still(stack, 31)

    stack.fake.advance("SABnzbd_nzo_1", 8 * GIB, timedelta(minutes=10))
    stack.poll(timedelta(minutes=1))

    assert request.download.stalled is False
    assert request.timeline[-1].detail == "data is moving again"
    assert stuck_for(request, TrackerOptions().stuck_after, stack.now) is None


@pytest.mark.parametrize("status", ["paused", "queued"])
def test_a_paused_or_queued_download_does_not_stall(stack: Stack, status: str) -> None:
    request = _downloading_then_still(stack, 0)
    stack.fake.downloads["SABnzbd_nzo_1"].status = status

    stack.poll(timedelta(hours=2))

    assert request.download.stalled is False


def test_the_apps_own_word_for_a_stall_is_quoted(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll()
    stack.fake.stall(HASH)
    stack.poll(timedelta(minutes=10))
    assert request.download.stalled is False  # a moment's state, not yet a stall

    stack.poll(timedelta(minutes=21))

    assert request.download.stalled is True
    assert request.timeline[-1].detail == (
        f"stalled: no data for 30 minutes ({STALLED})"
    )


def test_a_download_followed_in_qbittorrent_is_not_timed_here(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12, size=10 * GIB)
    stack.fake.advance(HASH, 9 * GIB, timedelta(minutes=20))
    stack.poll(skip_figures={HASH.lower()})
    stack.fake.stall(HASH)

    stack.poll(timedelta(hours=1), skip_figures={HASH.lower()})

    assert request.download.stalled is False


def test_a_failed_download_is_flagged_once(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12)
    stack.fake.fail(HASH, "Download failed: not enough disk space")

    stack.poll()

    assert request.download_problem == "failed"
    assert request.import_status == "failedPending"
    assert request.import_message == "Download failed: not enough disk space"
    assert "not enough disk space" in request.timeline[-1].detail
    assert not stack.poll().is_visible


def test_the_queue_fields_are_stored_and_old_data_still_loads(stack: Stack) -> None:
    request = stack.grab("radarr_grab")
    stack.fake.add_torrent(HASH, "Dune", movie_id=12)
    stack.fake.block(HASH)
    stack.poll()

    stored = request.as_dict()
    again = MediaRequest.from_dict(stored)
    assert (again.download_client, again.import_status, again.import_message) == (
        "qBittorrent",
        "importBlocked",
        TITLE_MISMATCH,
    )
    for key in ("download_client", "import_status", "import_message"):
        del stored[key]
    old = MediaRequest.from_dict(stored)
    assert (old.download_client, old.import_status, old.import_message) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:12:34", 754),
        ("1.02:03:04", 93784),
        ("00:00:05.1234567", 5),
        ("10675199.02:48:05.4775807", 922337203685),  # TimeSpan.MaxValue
        ("-00:00:01", None),
        ("soon", None),
        (None, None),
        (90, None),
    ],
)
def test_timeleft_is_read_as_a_dotnet_timespan(
    text: object, seconds: int | None
) -> None:
    assert parse_timespan(text) == seconds
