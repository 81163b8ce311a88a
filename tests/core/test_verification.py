"""Verification finds every kind of request in a local index of the Jellyfin library."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.media_request_tracker.core.events import (
    GrabEvent,
    ImportEvent,
    MediaInfo,
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.library import LibraryIndex
from custom_components.media_request_tracker.core.model import (
    EpisodeKey,
    MediaIds,
    MediaRequest,
    MediaType,
    Source,
    Stage,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path

NOW = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
DUNE = MediaIds(tmdb_id=693134)
SEVERANCE = MediaIds(tmdb_id=95396, tvdb_id=371980)


def request(
    tracker: RequestTracker,
    media_type: MediaType,
    ids: MediaIds,
    title: str,
    year: int,
    seasons: tuple[int, ...] = (),
    request_id: str = "1",
) -> MediaRequest:
    tracker.apply(
        RequestEvent(
            status=RequestStatus.APPROVED,
            media=MediaInfo(media_type=media_type, ids=ids, title=title, year=year),
            request_id=request_id,
            seasons=seasons,
        ),
        NOW - timedelta(hours=3),
    )
    found = tracker.get(request_id)
    assert found is not None
    return found


def imported(
    tracker: RequestTracker,
    media_type: MediaType,
    ids: MediaIds,
    episodes: frozenset[EpisodeKey] = frozenset(),
) -> None:
    media = MediaInfo(media_type=media_type, ids=ids)
    source = Source.RADARR if media_type is MediaType.MOVIE else Source.SONARR
    tracker.apply(
        GrabEvent(
            source=source, media=media, download_hash="a" * 40, episodes=episodes
        ),
        NOW - timedelta(hours=2),
    )
    tracker.apply(
        ImportEvent(
            source=source, media=media, download_hash="a" * 40, episodes=episodes
        ),
        NOW - timedelta(hours=1),
    )


def index(*items: dict) -> LibraryIndex:
    library = LibraryIndex()
    library.apply_items(items)
    return library


def season(number: int, count: int) -> frozenset[EpisodeKey]:
    return frozenset(EpisodeKey(number, episode) for episode in range(1, count + 1))


def test_regular_film_is_found_by_tmdb() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    imported(tracker, MediaType.MOVIE, DUNE)
    item = movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
    outcome = tracker.verify_library(index(item), NOW)
    assert film.stage is Stage.AVAILABLE
    assert film.jellyfin_id == item["Id"]
    assert outcome.transitions[0].source is Source.JELLYFIN


def test_regular_series_needs_every_requested_episode() -> None:
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(1,))
    imported(tracker, MediaType.TV, SEVERANCE, season(1, 9))
    item = series("Severance", 2022, {"Tvdb": "371980", "Tmdb": "95396"})
    episodes = [episode(item, 1, n) for n in range(1, 9)]
    tracker.verify_library(index(item, *episodes), NOW)
    assert show.stage is Stage.IMPORTING
    assert show.jellyfin_id == item["Id"]
    tracker.verify_library(index(item, *episodes, episode(item, 1, 9)), NOW)
    assert show.stage is Stage.AVAILABLE


def test_season_two_is_not_completed_by_season_one() -> None:
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(2,))
    item = series("Severance", 2022, {"Tvdb": "371980"})
    library = index(
        item,
        *(episode(item, 1, n) for n in range(1, 10)),
        episode(item, 2, 1),
        *(
            episode(item, 2, n, virtual=True, premiere="2025-02-21T00:00:00.0000000Z")
            for n in range(2, 11)
        ),
    )
    tracker.verify_library(library, NOW.replace(year=2025, month=3))
    assert show.stage is Stage.APPROVED
    assert (show.episodes_available, show.episodes_total) == (1, 10)
    assert EpisodeKey(1, 1) not in show.episodes


def test_unaired_virtual_episodes_do_not_hold_a_season_back() -> None:
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(2,))
    item = series("Severance", 2022, {"Tvdb": "371980"})
    library = index(
        item,
        episode(item, 2, 1),
        episode(item, 2, 2, virtual=True, premiere="2030-01-01T00:00:00.0000000Z"),
    )
    tracker.verify_library(library, NOW)
    assert show.stage is Stage.AVAILABLE


def test_anime_film_without_provider_ids_is_found_by_title() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, MediaIds(tmdb_id=916224), "Suzume", 2022)
    shokofin = movie(
        "Suzume", 2022, {"AniDB": "17140", "Shoko Series": "2331", "Shoko File": "8841"}
    )
    tracker.verify_library(index(shokofin), NOW)
    assert film.stage is Stage.AVAILABLE


def test_title_never_matches_an_item_that_has_other_ids() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, MediaIds(tmdb_id=916224), "Suzume", 2022)
    tracker.verify_library(index(movie("Suzume", 2022, {"Tmdb": "1"})), NOW)
    assert film.stage is Stage.APPROVED


def test_anime_series_by_title_counts_its_episodes() -> None:
    tracker = RequestTracker()
    frieren = MediaIds(tmdb_id=209867, tvdb_id=424536)
    show = request(
        tracker,
        MediaType.TV,
        frieren,
        "Frieren: Beyond Journey's End",
        2023,
        seasons=(1,),
    )
    imported(tracker, MediaType.TV, frieren, season(1, 3))
    item = series(
        "Frieren: Beyond Journey’s End", 2023, {"AniDB": "17617", "Shoko Series": "310"}
    )
    episodes = [
        episode(
            item,
            1,
            n,
            path=shokofin_path("Frieren", 310, 1230 + n, 1, n),
            providers={"Shoko File": str(1230 + n)},
        )
        for n in range(1, 4)
    ]
    tracker.verify_library(index(item, *episodes), NOW)
    assert show.stage is Stage.AVAILABLE


def test_anime_episodes_numbered_differently_are_matched_by_shoko_file() -> None:
    tracker = RequestTracker()
    frieren = MediaIds(tmdb_id=209867, tvdb_id=424536)
    show = request(tracker, MediaType.TV, frieren, "Frieren", 2023, seasons=(1,))
    imported(
        tracker,
        MediaType.TV,
        frieren,
        frozenset({EpisodeKey(1, 27), EpisodeKey(1, 28)}),
    )
    show.shoko_files = {5501: (EpisodeKey(1, 27),), 5502: (EpisodeKey(1, 28),)}
    item = series("Sousou no Frieren", 2023, {"AniDB": "17617"})
    # Shokofin numbers the second cour as its own season.
    library = index(
        item,
        episode(item, 2, 1, path=shokofin_path("Sousou no Frieren", 311, 5501, 2, 1)),
        episode(item, 2, 2, path=shokofin_path("Sousou no Frieren", 311, 5502, 2, 2)),
    )
    tracker.verify_library(library, NOW)
    assert show.stage is Stage.AVAILABLE


def test_compilation_film_filed_as_a_special_is_found_by_its_shoko_file() -> None:
    tracker = RequestTracker()
    film = request(
        tracker, MediaType.MOVIE, MediaIds(tmdb_id=1170521), "Frieren Recap", 2024
    )
    imported(tracker, MediaType.MOVIE, film.ids)
    film.shoko_files = {9001: ()}
    show = series("Sousou no Frieren", 2023, {"AniDB": "17617"})
    special = episode(
        show, 0, 1, path=shokofin_path("Sousou no Frieren", 310, 9001, 0, 1)
    )
    tracker.verify_library(index(show, special), NOW)
    assert film.stage is Stage.AVAILABLE
    assert film.jellyfin_id == special["Id"]


def test_compilation_film_is_found_through_its_shoko_series() -> None:
    tracker = RequestTracker()
    film = request(
        tracker, MediaType.MOVIE, MediaIds(tmdb_id=1170521), "Frieren Recap", 2024
    )
    imported(tracker, MediaType.MOVIE, film.ids)
    film.shoko_series_ids = (310,)
    show = series("Sousou no Frieren", 2023, {"AniDB": "17617", "Shoko Series": "310"})
    tracker.verify_library(index(show, episode(show, 1, 1), episode(show, 0, 1)), NOW)
    assert film.stage is Stage.AVAILABLE


def test_virtual_film_is_not_playable() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    tracker.verify_library(
        index(
            movie("Dune: Part Two", 2024, {"Tmdb": "693134"}, LocationType="Virtual")
        ),
        NOW,
    )
    assert film.stage is Stage.APPROVED


def test_request_already_in_the_library_is_available_at_once() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    tracker.verify_library(
        index(movie("Dune: Part Two", 2024, {"Tmdb": "693134"})), NOW
    )
    assert film.stage is Stage.AVAILABLE
    assert [entry.state for entry in film.timeline] == [Stage.APPROVED, Stage.AVAILABLE]
    assert len(tracker) == 1


def test_a_download_in_progress_is_not_cut_short_by_an_old_copy() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    tracker.apply(
        GrabEvent(
            source=Source.RADARR,
            media=MediaInfo(media_type=MediaType.MOVIE, ids=DUNE),
            download_hash="b" * 40,
        ),
        NOW,
    )
    tracker.verify_library(
        index(movie("Dune: Part Two", 2024, {"Tmdb": "693134"})), NOW
    )
    assert film.stage is Stage.INDEXED


def test_index_replaces_an_item_saved_again() -> None:
    library = LibraryIndex()
    item = movie("Dune: Part Two", 2024, {"Tmdb": "693134"})
    library.apply_items([item])
    library.apply_items([{**item, "ProviderIds": {"Tmdb": "1"}}])
    assert library.find(MediaType.MOVIE, DUNE) == []
    assert len(library) == 1


def test_index_skips_malformed_items() -> None:
    library = LibraryIndex()
    read = library.apply_items(
        [
            {"Id": 3},
            {"Id": "x", "Type": "Audio"},
            {
                "Id": "y",
                "Type": "Episode",
                "ProviderIds": "junk",
                "PremiereDate": "soon",
            },
        ]
    )
    assert [item.item_id for item in read] == ["y"]


# Never the wrong item ------------------------------------------------------

FRIEREN_RECAP = MediaIds(tmdb_id=1170521, imdb_id="tt15239678")


def test_film_sharing_only_an_imdb_id_with_another_films_item_is_not_found() -> None:
    """The demo's Frieren Recap once carried Dune's IMDb id: Dune's item is not the recap."""
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, FRIEREN_RECAP, "Frieren Recap", 2024)
    imported(tracker, MediaType.MOVIE, FRIEREN_RECAP)
    dune = movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
    outcome = tracker.verify_library(index(dune), NOW)
    assert film.stage is Stage.IMPORTING
    assert film.jellyfin_id is None
    assert outcome.transitions == []


def test_item_whose_ids_all_agree_with_the_request_is_found() -> None:
    tracker = RequestTracker()
    ids = MediaIds(tmdb_id=693134, imdb_id="tt15239678")
    film = request(tracker, MediaType.MOVIE, ids, "Dune: Part Two", 2024)
    imported(tracker, MediaType.MOVIE, ids)
    item = movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
    tracker.verify_library(index(item), NOW)
    assert film.stage is Stage.AVAILABLE
    assert film.jellyfin_id == item["Id"]


def test_only_the_consistent_one_of_two_items_sharing_an_id_is_taken() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, FRIEREN_RECAP, "Frieren Recap", 2024)
    imported(tracker, MediaType.MOVIE, FRIEREN_RECAP)
    dune = movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
    recap = movie("Frieren Recap", 2024, {"Tmdb": "1170521"})
    tracker.verify_library(index(dune, recap), NOW)
    assert film.stage is Stage.AVAILABLE
    assert film.jellyfin_id == recap["Id"]


def test_series_sharing_a_tvdb_id_but_not_its_tmdb_id_is_not_found() -> None:
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(1,))
    other = series("Severance", 2022, {"Tvdb": "371980", "Tmdb": "1"})
    tracker.verify_library(index(other, episode(other, 1, 1)), NOW)
    assert show.stage is Stage.APPROVED
    assert show.jellyfin_id is None
    assert show.episodes == {}


def test_same_title_and_year_with_a_different_anidb_id_is_not_found() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, MediaIds(tmdb_id=916224), "Suzume", 2022)
    film.ids = MediaIds(tmdb_id=916224, anidb_id=17140)  # as Shoko's match sets it
    other = movie("Suzume", 2022, {"AniDB": "99999", "Shoko Series": "4000"})
    tracker.verify_library(index(other), NOW)
    assert film.stage is Stage.APPROVED


def test_same_title_and_year_with_other_provider_ids_is_not_found() -> None:
    tracker = RequestTracker()
    ids = MediaIds(tmdb_id=916224, imdb_id="tt16428256")
    film = request(tracker, MediaType.MOVIE, ids, "Suzume", 2022)
    other = movie("Suzume", 2022, {"Imdb": "tt0000001"})
    tracker.verify_library(index(other), NOW)
    assert film.stage is Stage.APPROVED


def test_shoko_series_match_is_refused_when_the_items_ids_contradict() -> None:
    tracker = RequestTracker()
    frieren = MediaIds(tmdb_id=209867, tvdb_id=424536)
    show = request(tracker, MediaType.TV, frieren, "Frieren", 2023, seasons=(1,))
    imported(tracker, MediaType.TV, frieren, season(1, 1))
    show.shoko_series_ids = (310,)
    other = series("Another Show", 2023, {"Tvdb": "1", "Shoko Series": "310"})
    tracker.verify_library(index(other, episode(other, 1, 1)), NOW)
    assert show.stage is Stage.IMPORTING
    assert show.jellyfin_id is None


# Reported available by Jellyseerr before the library shows it ---------------


def reported_available(tracker: RequestTracker, media_type: MediaType) -> None:
    media = MediaInfo(
        media_type=media_type, ids=DUNE if media_type is MediaType.MOVIE else SEVERANCE
    )
    tracker.apply(
        RequestEvent(status=RequestStatus.AVAILABLE, media=media, request_id="1"),
        NOW - timedelta(minutes=30),
    )


def test_film_reported_available_first_gets_its_jellyfin_item_without_moving() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    imported(tracker, MediaType.MOVIE, DUNE)
    reported_available(tracker, MediaType.MOVIE)
    assert film.stage is Stage.AVAILABLE
    assert tracker.awaiting_library(NOW) == [film]
    assert tracker.verify_library(index(), NOW).changed == {}

    item = movie("Dune: Part Two", 2024, {"Tmdb": "693134"})
    outcome = tracker.verify_library(index(item), NOW)
    assert film.stage is Stage.AVAILABLE
    assert film.jellyfin_id == item["Id"]
    assert outcome.transitions == []
    assert outcome.changed == {"1": film}
    assert film.timeline[-1].detail == "found in the Jellyfin library"
    assert tracker.awaiting_library(NOW) == []


def test_series_reported_available_first_counts_its_episodes_from_the_library() -> None:
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(1,))
    imported(tracker, MediaType.TV, SEVERANCE, season(1, 9))
    reported_available(tracker, MediaType.TV)
    assert show.stage is Stage.AVAILABLE
    assert (show.episodes_available, show.episodes_total) == (9, 9)

    item = series("Severance", 2022, {"Tvdb": "371980", "Tmdb": "95396"})
    eight = [episode(item, 1, n) for n in range(1, 9)]
    outcome = tracker.verify_library(index(item, *eight), NOW)
    assert show.jellyfin_id == item["Id"]
    assert outcome.transitions == []
    assert tracker.awaiting_library(NOW) == [show]  # E09 is not in Jellyfin yet

    outcome = tracker.verify_library(index(item, *eight, episode(item, 1, 9)), NOW)
    assert outcome.transitions == []
    assert show.stage is Stage.AVAILABLE
    assert tracker.awaiting_library(NOW) == []


def test_series_reported_available_without_imports_takes_its_episodes_from_the_library() -> (
    None
):
    tracker = RequestTracker()
    show = request(tracker, MediaType.TV, SEVERANCE, "Severance", 2022, seasons=(1,))
    reported_available(tracker, MediaType.TV)
    assert (show.episodes_available, show.episodes_total) == (0, 0)

    item = series("Severance", 2022, {"Tvdb": "371980"})
    tracker.verify_library(
        index(item, *(episode(item, 1, n) for n in range(1, 10))), NOW
    )
    assert show.stage is Stage.AVAILABLE
    assert show.jellyfin_id == item["Id"]
    assert (show.episodes_available, show.episodes_total) == (9, 9)
    assert tracker.awaiting_library(NOW) == []


def test_request_reported_available_is_looked_for_a_day_at_most() -> None:
    tracker = RequestTracker()
    film = request(tracker, MediaType.MOVIE, DUNE, "Dune: Part Two", 2024)
    reported_available(tracker, MediaType.MOVIE)
    assert tracker.awaiting_library(NOW + timedelta(hours=23)) == [film]
    assert tracker.awaiting_library(NOW + timedelta(hours=25)) == []


def test_anime_episodes_found_by_shoko_file_alone_name_their_series() -> None:
    tracker = RequestTracker()
    frieren = MediaIds(tmdb_id=209867, tvdb_id=424536)
    show = request(tracker, MediaType.TV, frieren, "Frieren", 2023, seasons=(1,))
    imported(tracker, MediaType.TV, frieren, frozenset({EpisodeKey(1, 27)}))
    show.shoko_files = {5501: (EpisodeKey(1, 27),)}
    item = series("Sousou no Frieren", 2023, {"AniDB": "17617"})
    path = shokofin_path("Sousou no Frieren", 311, 5501, 2, 1)
    tracker.verify_library(index(item, episode(item, 2, 1, path=path)), NOW)
    assert show.stage is Stage.AVAILABLE
    assert show.jellyfin_id == item["Id"]
    assert tracker.awaiting_library(NOW) == []


def test_series_naming_another_seasons_anidb_anime_is_still_found_by_its_tvdb_id() -> (
    None
):
    """A series spans several AniDB anime; Shokofin names only its default season's."""
    tracker = RequestTracker()
    frieren = MediaIds(tmdb_id=209867, tvdb_id=424536)
    show = request(tracker, MediaType.TV, frieren, "Frieren", 2023, seasons=(2,))
    imported(tracker, MediaType.TV, frieren, season(2, 1))
    show.ids = MediaIds(tmdb_id=209867, tvdb_id=424536, anidb_id=18000)  # season 2's
    item = series("Frieren", 2023, {"Tvdb": "424536", "AniDB": "17617"})
    tracker.verify_library(index(item, episode(item, 2, 1)), NOW)
    assert show.stage is Stage.AVAILABLE
    assert show.jellyfin_id == item["Id"]
