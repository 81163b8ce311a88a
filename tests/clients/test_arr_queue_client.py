"""The queue and command client against a fake Radarr and Sonarr that answer as their API does.

Tests that reach a fake run against each claimed major of both apps, and
Sonarr 4.0.5 where it answers differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

import aiohttp
import pytest

from custom_components.media_request_tracker.clients.arr_queue import (
    QUEUE_PAGE_SIZE,
    ArrNotInQueueError,
    ArrQueueClient,
)
from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
)
from tests.fakes.arr import FakeArr
from tests.fakes.receiver import Canned

HASH = "8f4e1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b"
GIB = 1024**3


def client(session: aiohttp.ClientSession, app: FakeArr) -> ArrQueueClient:
    return ArrQueueClient(session, app.url, app.api_key, app=app.app)


async def test_a_radarr_torrent_reads_back_with_its_figures(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    radarr.queue.add_torrent(HASH, "Film.2024.1080p", movie_id=12, size=8 * GIB)
    radarr.queue.advance(HASH, 6 * GIB, timedelta(minutes=12, seconds=5))

    page = await client(session, radarr).async_get_queue()

    (record,) = page.records
    assert record.download_id == HASH  # the app's upper case, as a grab's id is read
    assert (record.movie_id, record.size, record.size_left) == (12, 8 * GIB, 6 * GIB)
    assert record.time_left == 12 * 60 + 5
    assert record.estimated_completion is not None
    assert abs(
        record.estimated_completion - (datetime.now(UTC) + timedelta(minutes=12))
    ) < timedelta(seconds=10)
    assert (record.status, record.tracked_state, record.tracked_status) == (
        "downloading",
        "downloading",
        "ok",
    )
    assert (record.protocol, record.download_client) == ("torrent", "qBittorrent")
    assert record.message is None


async def test_a_sonarr_season_pack_is_a_record_per_episode(
    session: aiohttp.ClientSession, sonarr: FakeArr
) -> None:
    sonarr.queue.add_usenet(
        "SABnzbd_nzo_p86tgx",
        "Show.S01.1080p",
        series_id=4,
        season_number=1,
        episode_ids=(101, 102, 103),
    )

    page = await client(session, sonarr).async_get_queue()

    assert [r.episode_id for r in page.records] == [101, 102, 103]
    assert {r.download_id for r in page.records} == {"sabnzbd_nzo_p86tgx"}
    assert {(r.series_id, r.season_number) for r in page.records} == {(4, 1)}
    assert len({r.queue_id for r in page.records}) == 3
    assert {r.download_client for r in page.records} == {"SABnzbd"}


async def test_one_call_asks_for_a_large_page_without_nested_items(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    for number in range(30):  # more than the API's default page of 10
        radarr.queue.add_torrent(
            f"{number:040x}", f"Film {number}", movie_id=number + 1
        )

    page = await client(session, radarr).async_get_queue()

    assert len(page.records) == page.total_records == 30
    assert radarr.calls == [("GET", "/api/v3/queue")]
    assert radarr.queue.queue_calls == 1
    assert QUEUE_PAGE_SIZE >= 1000


async def test_an_import_blocked_download_carries_the_apps_words(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    radarr.queue.add_torrent(HASH, "Film.2024.1080p", movie_id=12)
    radarr.queue.block(HASH)

    (record,) = (await client(session, radarr).async_get_queue()).records

    assert (record.tracked_state, record.tracked_status) == ("importBlocked", "warning")
    assert record.message == (
        "Movie title mismatch, automatic import is not possible. Manual Import required."
    )
    assert record.size_left == 0
    assert record.status == "completed"


async def test_rejected_files_are_named_in_the_message(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    radarr.queue.add_torrent(HASH, "Film.2024.1080p", movie_id=12)
    radarr.queue.reject_files(
        HASH, [("film.mkv", "Not an upgrade for existing movie file")]
    )

    (record,) = (await client(session, radarr).async_get_queue()).records

    assert record.message == (
        "One or more movies expected in this release were not imported or missing; "
        "film.mkv: Not an upgrade for existing movie file"
    )


async def test_a_pending_release_has_no_download_id_and_no_tracked_state(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    radarr.queue.add_pending("held", "Film.2024.2160p", movie_id=12)

    (record,) = (await client(session, radarr).async_get_queue()).records

    assert record.download_id is None
    assert record.tracked_state is None
    assert record.status == "delay"
    assert record.time_left == 3600


async def test_a_malformed_record_is_skipped_not_the_page(
    session: aiohttp.ClientSession, canned: Canned
) -> None:
    canned.body = json.dumps(
        {
            "page": 1,
            "pageSize": 1000,
            "sortKey": "timeleft",
            "sortDirection": "ascending",
            "totalRecords": 3,
            "records": [
                {
                    "id": 1,
                    "movieId": 3,
                    "size": 10,
                    "sizeleft": 5,
                    "timeleft": "00:01:00",
                },
                {"id": "x", "movieId": 4},
                {"id": 2, "size": "lots"},
            ],
        }
    ).encode()

    page = await ArrQueueClient(session, canned.url, "key").async_get_queue()

    assert [r.queue_id for r in page.records] == [1]
    assert page.skipped == 2
    assert page.total_records == 3


async def test_an_answer_that_is_no_page_is_an_error(
    session: aiohttp.ClientSession, canned: Canned
) -> None:
    canned.body = b"[]"

    with pytest.raises(ServiceError, match="did not return its queue"):
        await ArrQueueClient(session, canned.url, "key").async_get_queue()


async def test_a_wrong_key_is_refused(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    with pytest.raises(ServiceAuthError):
        await ArrQueueClient(session, radarr.url, "wrong").async_get_queue()


async def test_an_app_that_fails_is_unavailable(
    session: aiohttp.ClientSession, sonarr: FakeArr
) -> None:
    sonarr.fail_with = 503

    with pytest.raises(ServiceUnavailableError):
        await client(session, sonarr).async_get_queue()


async def test_a_movie_search_is_queued(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    command = await client(session, radarr).async_search_movies([12])

    assert (command.name, command.status) == ("MoviesSearch", "queued")
    (queued,) = radarr.queue.commands
    assert queued["id"] == command.command_id
    assert queued["body"]["movieIds"] == [12]
    assert queued["trigger"] == "manual"


async def test_the_same_search_twice_is_the_same_command(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    first = await client(session, radarr).async_search_movies([12])
    second = await client(session, radarr).async_search_movies([12])

    assert first.command_id == second.command_id
    assert len(radarr.queue.commands) == 1


async def test_episode_and_season_searches_are_queued(
    session: aiohttp.ClientSession, sonarr: FakeArr
) -> None:
    episodes = await client(session, sonarr).async_search_episodes([101, 102])
    season = await client(session, sonarr).async_search_season(4, 1)

    assert (episodes.name, season.name) == ("EpisodeSearch", "SeasonSearch")
    bodies = [command["body"] for command in sonarr.queue.commands]
    assert bodies[0]["episodeIds"] == [101, 102]
    assert (bodies[1]["seriesId"], bodies[1]["seasonNumber"]) == (4, 1)


async def test_a_search_the_app_does_not_know_is_an_error(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    # Radarr has no EpisodeSearch: its command lookup throws.
    with pytest.raises(ServiceUnavailableError):
        await client(session, radarr).async_search_episodes([1])


async def test_blocklisting_removes_the_download_and_searches_again(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    radarr.queue.add_torrent(HASH, "Film.2024.1080p", movie_id=12)
    (record,) = (await client(session, radarr).async_get_queue()).records

    await client(session, radarr).async_remove_from_queue(
        record.queue_id, blocklist=True
    )

    assert radarr.queue.blocklisted == [HASH.upper()]
    assert radarr.queue.removed_from_client == [HASH.upper()]
    assert (await client(session, radarr).async_get_queue()).records == ()
    (search,) = radarr.queue.commands
    assert (search["name"], search["body"]["movieIds"]) == ("MoviesSearch", [12])


async def test_removing_without_blocklist_blocklists_nothing(
    session: aiohttp.ClientSession, sonarr: FakeArr
) -> None:
    sonarr.queue.add_torrent(HASH, "Show.S01E01", series_id=4, episode_ids=(101,))
    (record,) = (await client(session, sonarr).async_get_queue()).records

    await client(session, sonarr).async_remove_from_queue(
        record.queue_id, blocklist=False
    )

    assert sonarr.queue.blocklisted == []
    assert sonarr.queue.commands == []
    assert sonarr.queue.downloads == {}


async def test_removing_a_download_not_queued_says_so(
    session: aiohttp.ClientSession, radarr: FakeArr
) -> None:
    with pytest.raises(ArrNotInQueueError):
        await client(session, radarr).async_remove_from_queue(1234, blocklist=True)


@pytest.mark.parametrize("version", ["4.0.5", "4"])
async def test_sonarr_405_blocklists_a_pending_release_it_removes(
    session: aiohttp.ClientSession, socket_enabled: None, version: str
) -> None:
    async with FakeArr("Sonarr", version=version) as sonarr:
        sonarr.queue.add_pending("held", "Show.S01E01", series_id=4, episode_ids=(101,))
        (record,) = (await client(session, sonarr).async_get_queue()).records

        await client(session, sonarr).async_remove_from_queue(
            record.queue_id, blocklist=False
        )

        assert sonarr.queue.blocklisted == (["held"] if version == "4.0.5" else [])


async def test_a_sonarr_import_blocked_carries_sonarrs_words(
    session: aiohttp.ClientSession, sonarr: FakeArr
) -> None:
    sonarr.queue.add_torrent(HASH, "Show.S01E01", series_id=4, episode_ids=(101,))
    sonarr.queue.block(HASH)

    (record,) = (await client(session, sonarr).async_get_queue()).records

    assert record.tracked_state == "importBlocked"
    assert record.message == (
        "Series title mismatch; automatic import is not possible. "
        "Check the download troubleshooting entry on the wiki for common causes."
    )
