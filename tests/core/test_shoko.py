"""Shoko's file events, v5 and v6, move anime requests into and through anime_matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.media_request_tracker.core.correlation import same_file
from custom_components.media_request_tracker.core.events import (
    IgnoredEvent,
    ShokoFileAction,
    ShokoFileEvent,
)
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaRequest,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.parsers import (
    PayloadError,
    parse_jellyseerr,
    parse_shoko,
    parse_sonarr,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.fakes.shoko import FILE_EVENTS
from tests.payloads import jellyseerr, payload

T0 = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
E03 = EpisodeKey(1, 3)


@pytest.mark.parametrize(
    ("target", "fixture", "action"),
    [
        ("ShokoEvent:FileDetected", "shoko_v5_file_detected", ShokoFileAction.DETECTED),
        ("ShokoEvent:FileHashed", "shoko_v5_file_hashed", ShokoFileAction.HASHED),
        ("ShokoEvent:FileMatched", "shoko_v5_file_matched", ShokoFileAction.MATCHED),
        (
            "ShokoEvent:FileNotMatched",
            "shoko_v5_file_not_matched",
            ShokoFileAction.NOT_MATCHED,
        ),
        ("ShokoEvent:FileDeleted", "shoko_v5_file_deleted", ShokoFileAction.DELETED),
        ("ShokoEvent:FileMoved", "shoko_v5_file_hashed", ShokoFileAction.MOVED),
        ("ShokoEvent:FileRenamed", "shoko_v5_file_hashed", ShokoFileAction.RENAMED),
        ("file:detected", "shoko_v6_file_detected", ShokoFileAction.DETECTED),
        ("file:hashed", "shoko_v6_file_hashed", ShokoFileAction.HASHED),
        ("file:relocated", "shoko_v6_file_hashed", ShokoFileAction.MOVED),
        ("file:deleted", "shoko_v6_file_deleted", ShokoFileAction.DELETED),
        ("release:saved", "shoko_v6_release_saved", ShokoFileAction.MATCHED),
        (
            "release:search.completed",
            "shoko_v6_release_search_failed",
            ShokoFileAction.NOT_MATCHED,
        ),
    ],
)
def test_v5_and_v6_names_become_one_file_event(
    target: str, fixture: str, action: ShokoFileAction
) -> None:
    event = parse_shoko(target, [payload(fixture)])
    assert isinstance(event, ShokoFileEvent)
    assert event.action is action


def test_v5_match_reads_ids_and_path() -> None:
    event = parse_shoko("ShokoEvent:FileMatched", [payload("shoko_v5_file_matched")])
    assert isinstance(event, ShokoFileEvent)
    assert (event.file_id, event.series_ids, event.anidb_anime_ids) == (
        1234,
        (310,),
        (17617,),
    )
    assert event.relative_path.endswith(
        "Frieren - S01E03 - Killing Magic [WEBDL-1080p].mkv"
    )


def test_v6_windows_path_is_normalised_and_release_gives_anime_id() -> None:
    hashed = parse_shoko("file:hashed", [payload("shoko_v6_file_hashed")])
    saved = parse_shoko("release:saved", [payload("shoko_v6_release_saved")])
    assert "\\\\" not in hashed.relative_path
    assert hashed.relative_path.startswith("Frieren - Beyond Journey's End/Season 01/")
    assert (saved.file_id, saved.relative_path, saved.anidb_anime_ids) == (
        1234,
        None,
        (17617,),
    )


def test_v6_release_ids_come_from_provider_ids_and_from_older_dev_builds() -> None:
    current = payload("shoko_v6_release_saved")  # 6.0.0-dev.311 and later
    older = payload("shoko_v6_release_saved")  # before: flat AniDB ids
    older["Release"]["CrossReferences"] = [
        {"AnidbEpisodeID": 271234, "AnidbAnimeID": 17617, "PercentageEnd": 100}
    ]
    for body in (current, older):
        event = parse_shoko("release:saved", [body])
        assert isinstance(event, ShokoFileEvent)
        assert event.anidb_anime_ids == (17617,)


@pytest.mark.parametrize(
    "change",
    [
        {"ReleaseInfo": payload("shoko_v6_release_saved")["Release"]},
        {"IsCancelled": True},
    ],
    ids=["found", "redundant"],
)
def test_v6_search_that_found_a_release_or_was_cancelled_is_ignored(
    change: dict,
) -> None:
    body = payload("shoko_v6_release_search_failed") | change
    assert isinstance(parse_shoko("release:search.completed", [body]), IgnoredEvent)


def test_null_shoko_ids_are_skipped() -> None:
    body = payload("shoko_v5_file_matched")
    body["CrossReferences"] = [
        {"EpisodeID": None, "SeriesID": None, "AnidbAnimeID": 17617},
        None,
    ]
    event = parse_shoko("ShokoEvent:FileMatched", [body])
    assert (event.series_ids, event.anidb_anime_ids) == ((), (17617,))


@pytest.mark.parametrize(
    "target",
    [
        "ShokoEvent:SeriesUpdated",
        "metadata:series.updated",
        "ShokoEvent:OnConnected",
        "file:connected",
    ],
)
def test_other_events_are_ignored(target: str) -> None:
    assert isinstance(
        parse_shoko(target, [payload("shoko_v5_series_updated")]), IgnoredEvent
    )


@pytest.mark.parametrize("arguments", [[], ["text"], [[1]]])
@pytest.mark.parametrize(
    "target", ["ShokoEvent:FileMatched", "release:saved", "release:search.completed"]
)
def test_file_event_without_an_object_is_rejected(target: str, arguments: list) -> None:
    with pytest.raises(PayloadError):
        parse_shoko(target, arguments)


@pytest.mark.parametrize(
    "references",
    [[{"ProviderIDs": "17617"}], [{"ProviderIDs": {"AniDB_Anime": "x"}}]],
)
def test_malformed_v6_provider_ids_are_rejected(references: list) -> None:
    body = payload("shoko_v6_release_saved")
    body["Release"]["CrossReferences"] = references
    with pytest.raises(PayloadError):
        parse_shoko("release:saved", [body])


@pytest.mark.parametrize(
    ("arr_path", "shoko_path", "same"),
    [
        (
            "/data/media/anime/Frieren/Season 01/E03.mkv",
            "Frieren/Season 01/E03.mkv",
            True,
        ),
        (
            "/anime/Frieren/Season 01/E03.mkv",
            "/mnt/import/anime/Frieren/Season 01/E03.mkv",
            True,
        ),
        ("D:\\\\Anime\\\\Frieren\\\\E03.mkv", "Frieren/E03.mkv", True),
        ("/anime/Frieren/Season 01/E03.mkv", "Other/Season 01/E03.mkv", False),
        ("/anime/Frieren/E03.mkv", "Frieren/E04.mkv", False),
        ("/anime/x.mkv", "", False),
    ],
)
def test_paths_are_compared_by_their_common_tail(
    arr_path: str, shoko_path: str, same: bool
) -> None:
    assert same_file(arr_path, shoko_path) is same


def anime_request_imported() -> tuple[RequestTracker, MediaRequest]:
    tracker = RequestTracker()
    tracker.apply(
        parse_jellyseerr(jellyseerr("jellyseerr_anime_tv_pending", "MEDIA_APPROVED")),
        T0,
    )
    tracker.apply(
        parse_sonarr(payload("sonarr_anime_download_episode")),
        T0 + timedelta(minutes=1),
    )
    request = tracker.get("44")
    assert request is not None
    assert request.stage is Stage.IMPORTING
    return tracker, request


def shoko(tracker: RequestTracker, major: int, name: str, minute: int = 2):
    target, fixture = FILE_EVENTS[major][name]
    return tracker.apply(
        parse_shoko(target, [payload(fixture)]), T0 + timedelta(minutes=minute)
    )


majors = pytest.mark.parametrize("major", [5, 6], ids=["shoko5", "shoko6"])


@majors
def test_shoko_seeing_the_file_starts_anime_matching(major: int) -> None:
    tracker, request = anime_request_imported()
    outcome = shoko(tracker, major, "detected")
    assert request.stage is Stage.ANIME_MATCHING
    assert outcome.transitions[0].source is Source.SHOKO


@majors
def test_match_records_ids_but_never_makes_a_request_available(major: int) -> None:
    tracker, request = anime_request_imported()
    shoko(tracker, major, "hashed")
    shoko(tracker, major, "matched", 3)
    assert request.stage is Stage.ANIME_MATCHING
    assert request.shoko_files == {1234: (E03,)}
    assert request.shoko_matched == (1234,)
    assert request.ids.anidb_id == 17617
    # v6 matches name no Shoko series; v5 matches do.
    assert request.shoko_series_ids == (() if major >= 6 else (310,))
    assert request.timeline[-1].detail == (
        "Shoko matched Frieren - S01E03 - Killing Magic [WEBDL-1080p].mkv "
        "to AniDB anime 17617"
        if major < 6
        else "Shoko matched file 1234 to AniDB anime 17617"
    )


@majors
def test_the_same_match_twice_is_applied_once(major: int) -> None:
    tracker, request = anime_request_imported()
    shoko(tracker, major, "hashed")
    shoko(tracker, major, "matched")
    entries = len(request.timeline)
    outcome = shoko(tracker, major, "matched", 4)
    assert len(request.timeline) == entries
    assert not outcome.is_change


def test_v5_match_alone_finds_the_file_by_its_path() -> None:
    tracker, request = anime_request_imported()
    shoko(tracker, 5, "matched")
    assert request.shoko_matched == (1234,)


def test_v6_match_of_a_file_never_seen_changes_nothing() -> None:
    tracker, request = anime_request_imported()
    outcome = shoko(tracker, 6, "matched")
    assert outcome.ignored
    assert request.shoko_matched == ()


@majors
def test_not_matched_is_shown_once(major: int) -> None:
    tracker, request = anime_request_imported()
    shoko(tracker, major, "hashed")
    shoko(tracker, major, "not_matched", 3)
    shoko(tracker, major, "not_matched", 5)
    notes = [
        entry.detail for entry in request.timeline if "could not match" in entry.detail
    ]
    assert notes == [
        "Shoko could not match Frieren - S01E03 - Killing Magic [WEBDL-1080p].mkv "
        "(AniDB has banned Shoko for now)"
        if major < 6
        else "Shoko could not match file 1234"
    ]
    assert request.shoko_unmatched


@majors
def test_deleted_file_is_recorded(major: int) -> None:
    tracker, request = anime_request_imported()
    shoko(tracker, major, "hashed")
    shoko(tracker, major, "matched")
    shoko(tracker, major, "deleted", 4)
    assert request.timeline[-1].detail.endswith("was deleted")


def test_unknown_file_changes_nothing() -> None:
    tracker, _ = anime_request_imported()
    body = payload("shoko_v5_file_matched")
    body.update(FileID=9, RelativePath="Other Show/Other Show - 01.mkv")
    outcome = tracker.apply(parse_shoko("ShokoEvent:FileMatched", [body]), T0)
    assert outcome.ignored
    assert not outcome.is_change


def test_season_pack_import_ties_each_file_to_its_episode_by_name() -> None:
    tracker = RequestTracker()
    tracker.apply(
        parse_jellyseerr(jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")), T0
    )
    tracker.apply(parse_sonarr(payload("sonarr_download_import_complete")), T0)
    request = tracker.get("43")
    assert request.file_paths[
        "/data/media/tv/Severance/Season 01/Severance - S01E04 - The You You Are [WEBDL-1080p].mkv"
    ] == (EpisodeKey(1, 4),)
