"""qBittorrent's incremental sync is merged into one view, and read the way a request needs it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.media_request_tracker.core.events import GrabEvent, MediaInfo
from custom_components.media_request_tracker.core.model import (
    MediaIds,
    MediaType,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.parsers import parse_radarr
from custom_components.media_request_tracker.core.torrents import (
    TorrentCondition,
    TorrentTable,
)
from custom_components.media_request_tracker.core.tracker import (
    RequestTracker,
    StuckReason,
    TrackerOptions,
)
from tests.fakes.qbittorrent import QBITTORRENT_VERSIONS, RELEASES
from tests.payloads import payload

T0 = datetime(2024, 6, 1, 20, 0, tzinfo=UTC)
HASH = "3a7c2f0b9e4d1c6a8b5f2e0d9c7b6a5f4e3d2c1b"
OTHER = "b" * 40


def torrent(**fields: object) -> dict:
    base = {
        "state": "downloading",
        "progress": 0.25,
        "dlspeed": 500_000,
        "eta": 120,
        "size": 4_000_000,
        "completed": 1_000_000,
        "name": "Dune.Part.Two.2024.1080p.mkv",
    }
    return {**base, **fields}


def full(*pairs: tuple[str, dict], rid: int = 1) -> dict:
    return {
        "rid": rid,
        "full_update": True,
        "torrents": dict(pairs),
        "categories": {},
        "server_state": {},
    }


def test_full_update_then_delta_merges_only_changed_keys() -> None:
    table = TorrentTable()
    table.apply(full((HASH.upper(), torrent()), (OTHER, torrent(state="pausedDL"))), T0)
    table.apply(
        {"rid": 2, "torrents": {HASH: {"progress": 0.5, "completed": 2_000_000}}},
        T0 + timedelta(seconds=10),
    )
    status = table.get(HASH)
    assert status is not None
    assert (status.progress, status.download_speed, status.state) == (
        0.5,
        500_000,
        "downloading",
    )
    assert status.moved_at == T0 + timedelta(seconds=10)
    assert table.rid == 2
    assert len(table) == 2


def test_bytes_that_do_not_move_keep_the_old_moved_at() -> None:
    table = TorrentTable()
    table.apply(full((HASH, torrent())), T0)
    table.apply(
        {"rid": 2, "torrents": {HASH: {"dlspeed": 0}}}, T0 + timedelta(minutes=5)
    )
    assert table.get(HASH).moved_at == T0


def test_removed_torrents_are_reported_once() -> None:
    table = TorrentTable()
    table.apply(full((HASH, torrent())), T0)
    table.apply({"rid": 2, "torrents_removed": [HASH]}, T0)
    assert table.removed == {HASH}
    assert table.get(HASH) is None
    table.apply({"rid": 3}, T0)
    assert table.removed == set()


def test_a_new_full_update_drops_torrents_it_no_longer_lists() -> None:
    table = TorrentTable()
    table.apply(full((HASH, torrent()), (OTHER, torrent())), T0)
    table.reset()
    assert table.rid == 0
    table.apply(full((OTHER, torrent()), rid=1), T0)
    assert table.removed == {HASH}


@pytest.mark.parametrize(
    ("fields", "condition"),
    [
        (
            {"state": "metaDL", "progress": 0, "completed": 0, "dlspeed": 0},
            TorrentCondition.WAITING,
        ),
        (
            {"state": "stalledDL", "progress": 0, "completed": 0, "dlspeed": 0},
            TorrentCondition.WAITING,
        ),
        ({"state": "downloading"}, TorrentCondition.DOWNLOADING),
        ({"state": "uploading", "progress": 1}, TorrentCondition.COMPLETE),
        ({"state": "pausedUP", "progress": 1}, TorrentCondition.COMPLETE),
        ({"state": "stoppedUP", "progress": 1}, TorrentCondition.COMPLETE),
        ({"state": "stalledUP", "progress": 1}, TorrentCondition.COMPLETE),
        ({"state": "checkingUP", "progress": 1}, TorrentCondition.DOWNLOADING),
        ({"state": "moving", "progress": 1}, TorrentCondition.DOWNLOADING),
        ({"state": "error"}, TorrentCondition.BROKEN),
        ({"state": "missingFiles"}, TorrentCondition.BROKEN),
    ],
)
def test_states_of_4x_and_5x_are_classified(
    fields: dict, condition: TorrentCondition
) -> None:
    table = TorrentTable()
    table.apply(full((HASH, torrent(**fields))), T0)
    assert table.get(HASH).condition is condition


@pytest.mark.parametrize("version", QBITTORRENT_VERSIONS)
def test_every_state_name_of_every_release_at_full_progress(version: str) -> None:
    """Only a seeding or stopped-complete torrent is done; a recheck or move is not yet."""
    not_yet = {
        "checkingUP",
        "checkingDL",
        "checkingResumeData",
        "queuedForChecking",
        "moving",
    }
    for state in sorted(RELEASES[version].states):
        table = TorrentTable()
        table.apply(full((HASH, torrent(state=state, progress=1.0))), T0)
        expected = (
            TorrentCondition.BROKEN
            if state in {"error", "missingFiles"}
            else TorrentCondition.DOWNLOADING
            if state in not_yet
            else TorrentCondition.COMPLETE
        )
        assert table.get(HASH).condition is expected, state


def test_eta_sentinel_and_junk_values_read_as_unknown() -> None:
    table = TorrentTable()
    table.apply(
        full((HASH, torrent(eta=8640000, size=0, progress="x", dlspeed=True))), T0
    )
    status = table.get(HASH)
    assert (status.eta, status.size, status.progress, status.download_speed) == (
        None,
        None,
        0.0,
        0,
    )


def test_malformed_sync_answers_change_nothing() -> None:
    table = TorrentTable()
    table.apply({"rid": True, "torrents": [1, 2], "torrents_removed": [3]}, T0)
    table.apply({"rid": 1, "torrents": {HASH: "not an object"}}, T0)
    assert len(table) == 0


# The tracker reading the table -------------------------------------------


def grabbed_tracker(stall_minutes: int = 30) -> RequestTracker:
    tracker = RequestTracker(
        options=TrackerOptions(stall_after=timedelta(minutes=stall_minutes))
    )
    tracker.apply(
        GrabEvent(
            source=Source.RADARR,
            media=MediaInfo(
                media_type=MediaType.MOVIE,
                ids=MediaIds(tmdb_id=693134),
                title="Dune: Part Two",
                year=2024,
            ),
            download_hash=HASH,
        ),
        T0,
    )
    return tracker


def test_broken_torrent_is_noted_once_and_clears_when_it_recovers() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(state="missingFiles"))), T0)
    first = tracker.update_downloads(table, T0)
    again = tracker.update_downloads(table, T0)
    (request,) = tracker
    assert request.download_problem == "missingFiles"
    assert request.timeline[-1].detail == "qBittorrent reports missingFiles"
    assert first.is_change
    assert not again.is_change

    table.apply(
        {
            "rid": 2,
            "torrents": {HASH: {"state": "downloading", "completed": 2_000_000}},
        },
        T0,
    )
    tracker.update_downloads(table, T0)
    assert request.download_problem is None
    assert request.stage is Stage.DOWNLOADING


def test_torrent_not_yet_added_is_waited_for() -> None:
    tracker = grabbed_tracker()
    outcome = tracker.update_downloads(TorrentTable(), T0)
    assert not outcome.is_visible


def test_finished_torrent_jumps_straight_to_done() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(state="stoppedUP", progress=1, eta=8640000))), T0)
    outcome = tracker.update_downloads(table, T0)
    (request,) = tracker
    assert request.stage is Stage.DOWNLOAD_DONE
    assert (request.download.progress, request.download.eta) == (100.0, None)
    assert [(t.from_stage, t.to_stage) for t in outcome.transitions] == [
        (Stage.INDEXED, Stage.DOWNLOAD_DONE)
    ]
    assert tracker.downloads_to_follow() == {}


def stalled() -> tuple[RequestTracker, TorrentTable, datetime]:
    """A download that has moved no data for 31 minutes, with a 30-minute stall time."""
    tracker = grabbed_tracker(stall_minutes=30)
    table = TorrentTable()
    table.apply(full((HASH, torrent())), T0)
    tracker.update_downloads(table, T0)
    later = T0 + timedelta(minutes=31)
    tracker.update_downloads(table, later)
    return tracker, table, later


def data_moves(tracker: RequestTracker, table: TorrentTable, at: datetime) -> None:
    table.apply(
        {"rid": 2, "torrents": {HASH: {"completed": 3_000_000, "progress": 0.75}}}, at
    )
    tracker.update_downloads(table, at)


def test_stall_is_shown_once_and_cleared_when_data_moves() -> None:
    tracker, table, later = stalled()
    (request,) = tracker
    assert request.download.stalled is True
    assert request.timeline[-1].detail == "stalled: no data for 30 minutes"
    data_moves(tracker, table, later)
    assert request.download.stalled is False
    assert request.timeline[-1].detail == "data is moving again"


def test_small_progress_is_not_a_visible_change() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(progress=0.250))), T0)
    tracker.update_downloads(table, T0)
    table.apply(
        {
            "rid": 2,
            "torrents": {
                HASH: {"progress": 0.255, "dlspeed": 480_000, "completed": 1_020_000}
            },
        },
        T0,
    )
    assert not tracker.update_downloads(table, T0).is_visible
    later = T0 + timedelta(seconds=30)
    table.apply(
        {"rid": 3, "torrents": {HASH: {"progress": 0.27, "completed": 1_080_000}}},
        later,
    )
    outcome = tracker.update_downloads(table, later)
    assert outcome.is_visible
    assert not outcome.is_change  # figures are shown, not written to disk


def test_progress_alone_is_shown_at_most_every_30_seconds() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(progress=0.25))), T0)
    tracker.update_downloads(table, T0)
    shown = []
    for poll, progress in enumerate((0.30, 0.35, 0.40, 0.45), 1):
        at = T0 + timedelta(seconds=10 * poll)
        table.apply({"rid": poll + 1, "torrents": {HASH: {"progress": progress}}}, at)
        shown.append(tracker.update_downloads(table, at).is_visible)
    assert shown == [False, False, True, False]
    (request,) = tracker
    assert request.download.progress == 40.0


def test_a_stalled_download_is_stuck_until_data_moves() -> None:
    tracker, table, later = stalled()
    (stuck,) = tracker.stuck(later)
    assert (stuck.stage, stuck.reason) == (Stage.DOWNLOADING, StuckReason.STALLED)
    assert stuck.since == T0  # the last time data moved
    data_moves(tracker, table, later)
    assert tracker.stuck(later) == []


def test_a_finished_download_shows_no_speed_or_eta() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(progress=0.5, dlspeed=820398, eta=600))), T0)
    tracker.update_downloads(table, T0)
    table.apply(
        full((HASH, torrent(state="uploading", progress=1, dlspeed=820398))), T0
    )
    tracker.update_downloads(table, T0 + timedelta(minutes=1))
    (request,) = tracker
    assert request.stage is Stage.DOWNLOAD_DONE
    assert request.download.progress == 100.0
    assert (request.download.download_speed, request.download.eta) == (None, None)


def test_an_import_clears_the_last_download_figures() -> None:
    tracker = grabbed_tracker()
    table = TorrentTable()
    table.apply(full((HASH, torrent(progress=0.5, dlspeed=820398, eta=600))), T0)
    tracker.update_downloads(table, T0)
    tracker.apply(parse_radarr(payload("radarr_download")), T0 + timedelta(minutes=1))
    (request,) = tracker
    assert request.stage is Stage.IMPORTING
    assert request.download.progress is None
    assert (request.download.download_speed, request.download.eta) == (None, None)
    assert request.download.size is not None
