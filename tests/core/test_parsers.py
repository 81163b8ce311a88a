"""The parsers turn each source's real payloads into normalised events."""

from __future__ import annotations

import pytest

from custom_components.media_request_tracker.core.events import (
    ArrNoticeEvent,
    GrabEvent,
    IgnoredEvent,
    ImportEvent,
    LibraryItemEvent,
    LibraryItemType,
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaIds,
    MediaType,
    Source,
)
from custom_components.media_request_tracker.core.parsers import (
    PayloadError,
    parse_jellyfin,
    parse_jellyseerr,
    parse_radarr,
    parse_sonarr,
)
from tests.payloads import (
    DUNE_HASH,
    JELLYFIN_SERVER_ID,
    SEVERANCE_HASH,
    SEVERANCE_SERIES_ID,
    jellyseerr,
    payload,
)

# Jellyseerr ---------------------------------------------------------------


@pytest.mark.parametrize("status", list(RequestStatus))
def test_jellyseerr_every_media_notification_type_is_a_request_event(
    status: RequestStatus,
) -> None:
    event = parse_jellyseerr(jellyseerr("jellyseerr_movie_auto_approved", status.value))
    assert isinstance(event, RequestEvent)
    assert event.status is status


def test_jellyseerr_movie_reads_string_ids_title_year_requester_and_poster() -> None:
    event = parse_jellyseerr(payload("jellyseerr_movie_auto_approved"))
    assert isinstance(event, RequestEvent)
    assert event.request_id == "42"
    assert event.media.media_type is MediaType.MOVIE
    assert event.media.ids == MediaIds(tmdb_id=693134)
    assert event.media.title == "Dune: Part Two"
    assert event.media.year == 2024
    assert event.requested_by == "admin"
    assert (
        event.media.poster_url
        == "https://image.tmdb.org/t/p/w600_and_h900_bestv2/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
    )
    assert event.seasons == ()


def test_jellyseerr_tv_reads_requested_seasons_from_extra() -> None:
    event = parse_jellyseerr(payload("jellyseerr_anime_tv_pending"))
    assert isinstance(event, RequestEvent)
    assert event.media.ids == MediaIds(tmdb_id=209867, tvdb_id=424536)
    assert event.seasons == (1, 2)
    assert event.media.title == "Frieren: Beyond Journey's End"


def test_jellyseerr_test_notification_is_ignored() -> None:
    assert isinstance(parse_jellyseerr(payload("jellyseerr_test")), IgnoredEvent)


@pytest.mark.parametrize(
    "kind", ["ISSUE_CREATED", "ISSUE_COMMENT", "ISSUE_RESOLVED", "ISSUE_REOPENED"]
)
def test_jellyseerr_issue_notifications_are_ignored(kind: str) -> None:
    assert isinstance(
        parse_jellyseerr(jellyseerr("jellyseerr_test", kind)), IgnoredEvent
    )


# `...bestv2${poster_path}`: TMDB sends null for a title without a poster.
@pytest.mark.parametrize("missing", ["undefined", "null"])
def test_jellyseerr_missing_poster_is_dropped(missing: str) -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["image"] = f"https://image.tmdb.org/t/p/w600_and_h900_bestv2{missing}"
    event = parse_jellyseerr(data)
    assert isinstance(event, RequestEvent)
    assert event.media.poster_url is None


def test_jellyseerr_recommended_template_without_request_details_parses() -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["request"] = {"request_id": "42", "requestedBy_username": "admin"}
    del data["message"]
    event = parse_jellyseerr(data)
    assert isinstance(event, RequestEvent)
    assert event.requested_by == "admin"


def test_jellyseerr_numbers_from_a_hand_written_template_are_accepted() -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["media"]["tmdbId"] = 693134
    data["request"]["request_id"] = 42
    event = parse_jellyseerr(data)
    assert isinstance(event, RequestEvent)
    assert (event.media.ids.tmdb_id, event.request_id) == (693134, "42")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("notification_type"), "notification_type"),
        (
            lambda d: d.update(notification_type="SOMETHING_ELSE"),
            "unknown notification_type",
        ),
        (lambda d: d.update(media=None), "'media' is missing"),
        (lambda d: d["media"].update(media_type="music"), "unknown media_type"),
        (lambda d: d["media"].update(tmdbId="", tvdbId=""), "neither"),
        (lambda d: d["media"].update(tmdbId="abc"), "tmdbId"),
        (lambda d: d.update(extra="Requested Seasons"), "'extra' must be a list"),
    ],
)
def test_jellyseerr_payload_that_is_not_a_notification_is_rejected(
    mutate, message: str
) -> None:
    data = payload("jellyseerr_movie_auto_approved")
    mutate(data)
    with pytest.raises(PayloadError, match=message):
        parse_jellyseerr(data)


def test_jellyseerr_subject_without_year_keeps_the_whole_title() -> None:
    data = payload("jellyseerr_movie_auto_approved")
    data["subject"] = "Untitled Project"
    event = parse_jellyseerr(data)
    assert isinstance(event, RequestEvent)
    assert (event.media.title, event.media.year) == ("Untitled Project", None)


# Radarr -------------------------------------------------------------------


def test_radarr_grab_reads_the_upper_case_hash_in_qbittorrent_form() -> None:
    event = parse_radarr(payload("radarr_grab"))
    assert isinstance(event, GrabEvent)
    assert event.source is Source.RADARR
    assert event.download_hash == DUNE_HASH
    assert event.media.ids == MediaIds(tmdb_id=693134, imdb_id="tt15239678")
    assert event.media.title == "Dune: Part Two"
    assert (
        event.media.poster_url
        == "https://image.tmdb.org/t/p/original/1pdfLvkbY9ohJlCjQH2CZjjYVvJ.jpg"
    )
    assert event.release_title == "Dune.Part.Two.2024.1080p.BluRay.x264-GRP"
    assert event.size == 12884901888
    assert event.media.is_anime is False


def test_radarr_download_is_an_import_with_its_file_path() -> None:
    event = parse_radarr(payload("radarr_download"))
    assert isinstance(event, ImportEvent)
    assert event.download_hash == DUNE_HASH
    assert event.is_upgrade is False
    assert event.file_paths == (
        "/data/media/movies/Dune Part Two (2024)/Dune Part Two (2024) Bluray-1080p.mkv",
    )


def test_radarr_upgrade_import_is_flagged() -> None:
    data = payload("radarr_download")
    data["isUpgrade"] = True
    event = parse_radarr(data)
    assert isinstance(event, ImportEvent)
    assert event.is_upgrade is True


def test_radarr_import_without_a_download_client_has_no_hash() -> None:
    data = payload("radarr_download")
    del data["downloadId"]
    event = parse_radarr(data)
    assert isinstance(event, ImportEvent)
    assert event.download_hash is None


def test_radarr_test_event_is_ignored() -> None:
    assert isinstance(parse_radarr(payload("radarr_test")), IgnoredEvent)


def test_radarr_file_delete_is_a_timeline_notice() -> None:
    event = parse_radarr(payload("radarr_movie_file_delete"))
    assert isinstance(event, ArrNoticeEvent)
    assert event.detail == "file deleted in Radarr (upgrade)"


def test_radarr_movie_delete_is_a_timeline_notice() -> None:
    data = payload("radarr_movie_file_delete")
    data.update(eventType="MovieDelete", deletedFiles=True)
    event = parse_radarr(data)
    assert isinstance(event, ArrNoticeEvent)
    assert event.detail == "removed from Radarr (with its files)"


def test_radarr_manual_interaction_names_the_problem() -> None:
    data = payload("radarr_grab")
    data.update(
        eventType="ManualInteractionRequired",
        downloadStatusMessages=[
            {
                "title": "dune.mkv",
                "messages": ["No files found are eligible for import"],
            }
        ],
    )
    event = parse_radarr(data)
    assert isinstance(event, ArrNoticeEvent)
    assert event.download_hash == DUNE_HASH
    assert (
        event.detail
        == "Radarr needs manual interaction: No files found are eligible for import"
    )


@pytest.mark.parametrize(
    "event_type",
    [
        "Rename",
        "MovieAdded",
        "Health",
        "HealthRestored",
        "ApplicationUpdate",
        "NewThing",
    ],
)
def test_radarr_untracked_event_types_are_ignored(event_type: str) -> None:
    data = payload("radarr_grab")
    data["eventType"] = event_type
    assert isinstance(parse_radarr(data), IgnoredEvent)


def test_radarr_japanese_animation_counts_as_anime() -> None:
    data = payload("radarr_grab")
    data["movie"]["genres"] = ["Animation", "Fantasy"]
    data["movie"]["originalLanguage"] = {"id": 8, "name": "Japanese"}
    event = parse_radarr(data)
    assert isinstance(event, GrabEvent)
    assert event.media.is_anime is True


def test_sonarr_payload_sent_to_the_radarr_webhook_is_rejected() -> None:
    with pytest.raises(PayloadError, match="'movie' is missing"):
        parse_radarr(payload("sonarr_grab_season_pack"))


def test_pure_v2_hash_is_cut_to_qbittorrent_id() -> None:
    data = payload("radarr_grab")
    data["downloadId"] = "AB" * 32
    event = parse_radarr(data)
    assert isinstance(event, GrabEvent)
    assert event.download_hash == "ab" * 20


# Sonarr -------------------------------------------------------------------


def test_sonarr_season_pack_grab_lists_every_episode() -> None:
    event = parse_sonarr(payload("sonarr_grab_season_pack"))
    assert isinstance(event, GrabEvent)
    assert event.source is Source.SONARR
    assert event.download_hash == SEVERANCE_HASH
    assert event.episodes == frozenset(EpisodeKey(1, n) for n in range(1, 10))
    assert event.media.ids == MediaIds(
        tmdb_id=95396, tvdb_id=371980, imdb_id="tt11280740"
    )
    assert event.media.is_anime is False


def test_sonarr_per_file_import_names_its_episode() -> None:
    event = parse_sonarr(payload("sonarr_download_episode"))
    assert isinstance(event, ImportEvent)
    assert event.episodes == frozenset({EpisodeKey(1, 1)})
    assert len(event.file_paths) == 1


def test_sonarr_import_complete_names_every_file() -> None:
    event = parse_sonarr(payload("sonarr_download_import_complete"))
    assert isinstance(event, ImportEvent)
    assert len(event.episodes) == 9
    assert len(event.file_paths) == 9


def test_sonarr_anime_series_is_anime() -> None:
    event = parse_sonarr(payload("sonarr_anime_download_episode"))
    assert isinstance(event, ImportEvent)
    assert event.media.is_anime is True
    assert event.episodes == frozenset({EpisodeKey(1, 3)})


def test_sonarr_episode_file_delete_is_a_timeline_notice() -> None:
    event = parse_sonarr(payload("sonarr_episode_file_delete"))
    assert isinstance(event, ArrNoticeEvent)
    assert event.episodes == frozenset({EpisodeKey(1, 1)})


def test_sonarr_series_delete_is_a_timeline_notice() -> None:
    data = payload("sonarr_episode_file_delete")
    data["eventType"] = "SeriesDelete"
    event = parse_sonarr(data)
    assert isinstance(event, ArrNoticeEvent)
    assert event.detail == "removed from Sonarr (files kept)"


def test_sonarr_test_event_is_ignored() -> None:
    assert isinstance(parse_sonarr(payload("sonarr_test")), IgnoredEvent)


def test_sonarr_zero_tmdb_id_means_unknown() -> None:
    data = payload("sonarr_grab_season_pack")
    data["series"]["tmdbId"] = 0
    event = parse_sonarr(data)
    assert isinstance(event, GrabEvent)
    assert event.media.ids.tmdb_id is None


def test_sonarr_episodes_that_are_not_objects_are_rejected() -> None:
    data = payload("sonarr_grab_season_pack")
    data["episodes"] = [1, 2]
    with pytest.raises(PayloadError, match="episodes"):
        parse_sonarr(data)


# Jellyfin -----------------------------------------------------------------


def test_jellyfin_movie_item_added_normalises_the_dashed_id() -> None:
    event = parse_jellyfin(payload("jellyfin_item_added_movie"))
    assert isinstance(event, LibraryItemEvent)
    assert event.item_type is LibraryItemType.MOVIE
    assert event.item_id == "4f1c2d3e4b5a69788796a5b4c3d2e1f0"
    assert event.ids == MediaIds(tmdb_id=693134, imdb_id="tt15239678")
    assert event.server_id == JELLYFIN_SERVER_ID


def test_jellyfin_episode_item_added_names_series_and_episode() -> None:
    event = parse_jellyfin(payload("jellyfin_item_added_episode"))
    assert isinstance(event, LibraryItemEvent)
    assert event.item_type is LibraryItemType.EPISODE
    assert event.series_id == SEVERANCE_SERIES_ID
    assert event.episodes == frozenset({EpisodeKey(1, 1)})


def test_jellyfin_send_all_properties_shape_is_read_the_same() -> None:
    """Numbers stay numbers and GUIDs lose their dashes (the plugin's JsonDefaults)."""
    event = parse_jellyfin(payload("jellyfin_item_added_episode_all_properties"))
    assert event == parse_jellyfin(payload("jellyfin_item_added_episode"))


def test_jellyfin_multi_episode_file_covers_the_range() -> None:
    data = payload("jellyfin_item_added_episode")
    data["EpisodeNumberEnd"] = "3"
    event = parse_jellyfin(data)
    assert isinstance(event, LibraryItemEvent)
    assert event.episodes == frozenset(EpisodeKey(1, n) for n in (1, 2, 3))


def test_jellyfin_series_item_added_carries_series_ids() -> None:
    event = parse_jellyfin(payload("jellyfin_item_added_series"))
    assert isinstance(event, LibraryItemEvent)
    assert event.item_type is LibraryItemType.SERIES
    assert event.ids.tvdb_id == 371980


def test_jellyfin_season_item_added_is_understood() -> None:
    data = payload("jellyfin_item_added_episode")
    data.update(ItemType="Season", EpisodeNumber="")
    event = parse_jellyfin(data)
    assert isinstance(event, LibraryItemEvent)
    assert event.item_type is LibraryItemType.SEASON
    assert event.episodes == frozenset()


def test_jellyfin_other_notifications_are_ignored() -> None:
    assert isinstance(parse_jellyfin(payload("jellyfin_playback_start")), IgnoredEvent)


def test_jellyfin_other_item_types_are_ignored() -> None:
    data = payload("jellyfin_item_added_movie")
    data["ItemType"] = "Audio"
    assert isinstance(parse_jellyfin(data), IgnoredEvent)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ItemId", "not-a-guid", "not a Jellyfin item id"),
        ("ItemId", "", "'ItemId' is missing"),
        ("NotificationType", None, "'NotificationType' is missing"),
        ("EpisodeNumberEnd", "9999", "out of range"),
    ],
)
def test_jellyfin_malformed_item_is_rejected(
    field: str, value: str | None, message: str
) -> None:
    data = payload("jellyfin_item_added_episode")
    data["EpisodeNumberEnd"] = ""
    data[field] = value
    with pytest.raises(PayloadError, match=message):
        parse_jellyfin(data)


@pytest.mark.parametrize(
    "parser", [parse_jellyseerr, parse_radarr, parse_sonarr, parse_jellyfin]
)
@pytest.mark.parametrize("body", [[], "text", 3, None, True])
def test_every_parser_rejects_json_that_is_not_an_object(parser, body: object) -> None:
    with pytest.raises(PayloadError, match="must be a JSON object"):
        parser(body)
