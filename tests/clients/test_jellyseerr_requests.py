"""Jellyseerr's request list and title details over its API, as each version answers."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.media_request_tracker.clients.http import ServiceAuthError
from custom_components.media_request_tracker.clients.jellyseerr import JellyseerrClient
from custom_components.media_request_tracker.core.events import RequestStatus
from custom_components.media_request_tracker.core.parsers.jellyseerr_api import (
    parse_api_request,
    parse_request_page,
    read_details,
)
from tests.fakes.jellyseerr import ADMIN, VERSIONS, FakeJellyseerr

each_version = pytest.mark.parametrize("jellyseerr_version", ["2.0.0", *VERSIONS])


def client(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> JellyseerrClient:
    return JellyseerrClient(session, jellyseerr.url, jellyseerr.api_key)


def add_severance(jellyseerr: FakeJellyseerr, **kwargs: object) -> int:
    return jellyseerr.listed.add(
        media_type="tv",
        tmdb_id=95396,
        tvdb_id=371980,
        title="Severance",
        date="2022-02-17",
        poster_path="/pPHpeI2X1qEd1CS1SeyrdhZ4qnT.jpg",
        seasons=(1, 2),
        **kwargs,  # type: ignore[arg-type]
    )


@each_version
async def test_the_list_is_newest_first_and_paged(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    for _ in range(3):
        add_severance(jellyseerr)
    results, pages = parse_request_page(
        await client(jellyseerr, session).async_get_requests(2, 0)
    )
    assert [item["id"] for item in results] == [3, 2]
    assert pages == 2
    results, _ = parse_request_page(
        await client(jellyseerr, session).async_get_requests(2, 2)
    )
    assert [item["id"] for item in results] == [1]


@each_version
async def test_a_listed_request_reads_as_its_webhook_would(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    add_severance(jellyseerr, is_4k=True)
    api = client(jellyseerr, session)
    [item], _ = parse_request_page(await api.async_get_requests(20, 0))
    event = parse_api_request(item)
    assert event.status is RequestStatus.PENDING
    assert event.request_id == "1"
    assert event.requested_by == "alice"
    assert event.seasons == (1, 2)
    assert event.is_4k is True
    assert event.media.ids.tvdb_id == 371980
    event = read_details(event, await api.async_get_details("tv", 95396))
    assert (event.media.title, event.media.year) == ("Severance", 2022)
    assert event.media.poster_url == (
        "https://image.tmdb.org/t/p/w600_and_h900_bestv2/pPHpeI2X1qEd1CS1SeyrdhZ4qnT.jpg"
    )


@each_version
@pytest.mark.parametrize(
    ("status", "expected"),
    [(2, RequestStatus.APPROVED), (3, RequestStatus.DECLINED)],
)
async def test_an_approval_or_decline_moves_the_status_but_updated_at_only_before_2_6(
    jellyseerr: FakeJellyseerr,
    session: aiohttp.ClientSession,
    jellyseerr_version: str,
    status: int,
    expected: RequestStatus,
) -> None:
    number = add_severance(jellyseerr)
    api = client(jellyseerr, session)
    [before], _ = parse_request_page(await api.async_get_requests(20, 0))
    jellyseerr.listed.set_status(number, status, ADMIN)
    [after], _ = parse_request_page(await api.async_get_requests(20, 0))
    assert parse_api_request(after).status is expected
    assert after["modifiedBy"]["displayName"] == "admin"
    moves = jellyseerr_version == "2.0.0"
    assert (after["updatedAt"] != before["updatedAt"]) is moves


@each_version
async def test_a_fulfilled_request_reads_as_available(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession, jellyseerr_version: str
) -> None:
    number = add_severance(jellyseerr, status=2)
    jellyseerr.listed.make_available(number)
    [item], _ = parse_request_page(
        await client(jellyseerr, session).async_get_requests(20, 0)
    )
    assert item["status"] == (2 if jellyseerr_version == "2.0.0" else 5)
    assert parse_api_request(item).status is RequestStatus.AVAILABLE


async def test_a_wrong_key_is_refused(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(ServiceAuthError):
        await JellyseerrClient(session, jellyseerr.url, "wrong").async_get_requests(
            20, 0
        )


@each_version
async def test_one_request_reads_by_its_id_and_an_unknown_one_is_none(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    number = add_severance(jellyseerr)
    api = client(jellyseerr, session)
    assert parse_api_request(await api.async_get_request(number)).seasons == (1, 2)
    assert await api.async_get_request(99) is None
