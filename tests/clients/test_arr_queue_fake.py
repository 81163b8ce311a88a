"""The fake's queue and commands answer on the wire as Radarr and Sonarr do (UPSTREAM.md).

Raw HTTP, no client of ours: these pin the upstream facts the fake encodes.
"""

from __future__ import annotations

from datetime import timedelta
import re
from typing import Any

import aiohttp
import pytest

from tests.fakes.arr import FakeArr

HASH = "8f4e1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b"
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture(params=["radarr", "sonarr"])
def arr(request: pytest.FixtureRequest, arr_majors: tuple[str, str]) -> FakeArr:
    fake: FakeArr = request.getfixturevalue(request.param)
    return fake


async def get(
    session: aiohttp.ClientSession, app: FakeArr, params: dict[str, str] | None = None
) -> dict[str, Any]:
    async with session.get(
        f"{app.url}/api/v3/queue", params=params, headers={"X-Api-Key": app.api_key}
    ) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


def add(app: FakeArr, number: int, time_left: timedelta | None = None) -> None:
    app.queue.add_torrent(
        f"{number:040x}",
        f"Title {number}",
        movie_id=number + 1,
        series_id=number + 1,
        episode_ids=(1000 + number,),
        season_number=1,
        time_left=time_left,
    )


async def test_a_page_is_ten_records_unless_asked_and_says_what_it_holds(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    for number in range(12):
        add(arr, number, timedelta(minutes=number))

    page = await get(session, arr)

    assert set(page) == {
        "page",
        "pageSize",
        "sortKey",
        "sortDirection",
        "totalRecords",
        "records",
    }
    assert (page["page"], page["pageSize"], page["totalRecords"]) == (1, 10, 12)
    assert len(page["records"]) == 10
    # No direction sent: descending (the PagingResource constructor's default).
    assert (page["sortKey"], page["sortDirection"]) == ("timeleft", "descending")
    assert page["records"][0]["timeleft"] == "00:11:00"


async def test_ascending_puts_unknown_time_left_last(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    add(arr, 1, None)
    add(arr, 2, timedelta(days=1, hours=2, minutes=3, seconds=4))
    add(arr, 3, timedelta(seconds=5.5))

    page = await get(
        session,
        arr,
        {"pageSize": "1000", "sortKey": "timeleft", "sortDirection": "ascending"},
    )

    assert [r.get("timeleft") for r in page["records"]] == [
        "00:00:05.5000000",
        "1.02:03:04",
        None,
    ]
    assert "estimatedCompletionTime" not in page["records"][2]  # null: left out


async def test_a_record_is_the_queue_resource_with_nulls_left_out(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    arr.queue.add_torrent(
        HASH, "Title", movie_id=3, series_id=3, episode_ids=(30,), season_number=2
    )
    arr.queue.advance(HASH, 1000, timedelta(minutes=1))

    (record,) = (await get(session, arr))["records"]

    assert (
        record["downloadId"] == HASH.upper()
    )  # QBittorrent.cs: torrent.Hash.ToUpper()
    assert (record["status"], record["trackedDownloadState"]) == (
        "downloading",
        "downloading",
    )
    assert record["trackedDownloadStatus"] == "ok"
    assert record["protocol"] == "torrent"
    assert record["statusMessages"] == []
    assert "errorMessage" not in record
    assert DATE.match(record["estimatedCompletionTime"])
    assert isinstance(record["id"], int) and 0 <= record["id"] < 2**31
    if arr.app == "Radarr":
        assert record["movieId"] == 3
        assert "seriesId" not in record
    else:
        assert (record["seriesId"], record["episodeId"], record["seasonNumber"]) == (
            3,
            30,
            2,
        )
        assert record["episodeHasFile"] is False
        assert "movieId" not in record


async def test_unknown_items_are_left_out_unless_asked_for(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    arr.queue.add_torrent(HASH, "Not grabbed by the app")

    assert (await get(session, arr))["records"] == []
    flag = (
        "includeUnknownMovieItems"
        if arr.app == "Radarr"
        else "includeUnknownSeriesItems"
    )
    assert len((await get(session, arr, {flag: "true"}))["records"]) == 1


async def test_a_removal_answers_200_with_no_body_and_an_unknown_id_404(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    add(arr, 1)
    (record,) = (await get(session, arr))["records"]
    headers = {"X-Api-Key": arr.api_key}

    async with session.delete(
        f"{arr.url}/api/v3/queue/{record['id']}", headers=headers
    ) as response:
        assert (response.status, await response.read()) == (200, b"")
    async with session.delete(
        f"{arr.url}/api/v3/queue/{record['id']}", headers=headers
    ) as response:
        assert response.status == 404
        assert await response.json() == {"message": "NotFound"}
    # removeFromClient defaults to true, blocklist to false.
    assert arr.queue.removed_from_client == [f"{1:040x}".upper()]
    assert arr.queue.blocklisted == []


async def test_a_command_answers_201_with_its_resource_and_location(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    body = (
        {"name": "moviesSearch", "movieIds": [3]}
        if arr.app == "Radarr"
        else {"name": "episodeSearch", "episodeIds": [30]}
    )

    async with session.post(
        f"{arr.url}/api/v3/command", json=body, headers={"X-Api-Key": arr.api_key}
    ) as response:
        assert response.status == 201
        resource = await response.json()
        assert response.headers["Location"] == f"/api/v3/command/{resource['id']}"

    # The name is matched ignoring case and answered as the command type names it.
    assert resource["name"] in ("MoviesSearch", "EpisodeSearch")
    assert resource["commandName"] in ("Movies Search", "Episode Search")
    assert (resource["status"], resource["priority"], resource["trigger"]) == (
        "queued",
        "normal",
        "manual",
    )
    assert DATE.match(resource["queued"])


async def test_an_unknown_command_is_a_500_but_a_400_on_sonarr_5(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    async with session.post(
        f"{arr.url}/api/v3/command",
        json={"name": "NoSuchCommand"},
        headers={"X-Api-Key": arr.api_key},
    ) as response:
        expected = (
            400 if arr.app == "Sonarr" and arr.release.version.startswith("5") else 500
        )
        assert response.status == expected


async def test_the_queue_wants_the_key(
    session: aiohttp.ClientSession, arr: FakeArr
) -> None:
    async with session.get(f"{arr.url}/api/v3/queue") as response:
        assert (response.status, await response.read()) == (401, b"")
