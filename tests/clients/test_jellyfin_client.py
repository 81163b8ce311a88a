"""The Jellyfin client against a fake that answers as Jellyfin's ItemsController does.

Every test runs against each supported release (10.9, 10.10, 10.11), so a
difference between them breaks a test here rather than a user's library check.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.jellyfin import JellyfinClient
from custom_components.media_request_tracker.core.library import ITEM_FIELDS, ITEM_TYPES
from tests.fakes.jellyfin import JELLYFIN_VERSIONS, SERVER_ID, FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie, series

LONG_AGO = "2024-01-01T00:00:00.0000000Z"


@pytest.fixture(params=JELLYFIN_VERSIONS)
async def jellyfin(
    socket_enabled: None, request: pytest.FixtureRequest
) -> AsyncIterator[FakeJellyfin]:
    server = FakeJellyfin(version=request.param)
    show = series("Severance", 2022, {"Tvdb": "371980"})
    server.add_item(**show)
    for number in range(1, 10):
        server.add_item(**episode(show, 1, number))
    server.add_item(**episode(show, 2, 1, virtual=True))
    server.add_item(**movie("Dune: Part Two", 2024, {"Tmdb": "693134"}))
    for item in server.items:
        item["DateLastSaved"] = LONG_AGO
    await server.start()
    yield server
    await server.stop()


async def test_server_info_needs_the_mediabrowser_token(
    jellyfin: FakeJellyfin, session
) -> None:
    info = await JellyfinClient(
        session, jellyfin.url, jellyfin.api_key
    ).async_get_server_info()
    assert (info.server_id, info.name, info.version) == (
        SERVER_ID,
        "Jellyfin Home",
        jellyfin.version,
    )
    with pytest.raises(ServiceAuthError):
        await JellyfinClient(session, jellyfin.url, "wrong").async_get_server_info()


async def test_library_is_read_page_by_page(jellyfin: FakeJellyfin, session) -> None:
    client = JellyfinClient(session, jellyfin.url, jellyfin.api_key)
    first, total = await client.async_get_library_page(
        0, 5, fields=ITEM_FIELDS, item_types=ITEM_TYPES
    )
    second, _ = await client.async_get_library_page(
        5, 5, fields=ITEM_FIELDS, item_types=ITEM_TYPES
    )
    third, _ = await client.async_get_library_page(
        10, 5, fields=ITEM_FIELDS, item_types=ITEM_TYPES
    )
    assert total == 12
    assert len(first) + len(second) + len(third) == 12
    assert {item["Id"] for item in first}.isdisjoint(item["Id"] for item in second)
    assert all("ProviderIds" in item and "-" not in item["Id"] for item in first)


async def test_fields_not_asked_for_are_left_out(
    jellyfin: FakeJellyfin, session
) -> None:
    items, _ = await JellyfinClient(
        session, jellyfin.url, jellyfin.api_key
    ).async_get_library_page(0, 50, fields="DateCreated", item_types="Movie")
    assert [item["Type"] for item in items] == ["Movie"]
    assert "ProviderIds" not in items[0]
    assert "Path" not in items[0]


async def test_saved_since_returns_only_recent_changes(
    jellyfin: FakeJellyfin, session
) -> None:
    client = JellyfinClient(session, jellyfin.url, jellyfin.api_key)
    jellyfin.add_item(
        **movie("Frieren Recap", 2024, {"Tmdb": "1000001"}),
        DateLastSaved="2024-06-01T20:16:03.1234567Z",
    )
    items, total = await client.async_get_library_page(
        0,
        50,
        fields=ITEM_FIELDS,
        item_types=ITEM_TYPES,
        saved_since="2024-06-01T20:00:00Z",
    )
    assert total == 1
    assert [item["Name"] for item in items] == ["Frieren Recap"]


async def test_saved_since_in_the_future_returns_nothing(
    jellyfin: FakeJellyfin, session
) -> None:
    items, total = await JellyfinClient(
        session, jellyfin.url, jellyfin.api_key
    ).async_get_library_page(
        0,
        50,
        fields=ITEM_FIELDS,
        item_types=ITEM_TYPES,
        saved_since="2999-01-01T00:00:00Z",
    )
    assert (items, total) == ([], 0)


async def test_min_date_last_saved_alone_fails_before_10_11(
    jellyfin: FakeJellyfin, session
) -> None:
    """Why the client sends ``minDateLastSavedForUser``: see upstream/jellyfin.md."""
    async with session.get(
        f"{jellyfin.url}/Items",
        params={"recursive": "true", "minDateLastSaved": "2024-06-01T20:00:00Z"},
        headers={"Authorization": f'MediaBrowser Token="{jellyfin.api_key}"'},
    ) as response:
        status = response.status
    assert status == (200 if jellyfin.version.startswith("10.11.") else 500)


async def test_legacy_token_headers_are_accepted_by_default(
    jellyfin: FakeJellyfin, session
) -> None:
    for headers, params in (
        ({"X-Emby-Token": jellyfin.api_key}, {}),
        ({"X-Emby-Authorization": f'Emby Token="{jellyfin.api_key}"'}, {}),
        ({}, {"api_key": jellyfin.api_key}),
        ({}, {"ApiKey": jellyfin.api_key}),
    ):
        async with session.get(
            f"{jellyfin.url}/System/Info", headers=headers, params=params
        ) as response:
            assert response.status == 200, (headers, params)


async def test_without_legacy_authorization_the_client_still_works(
    socket_enabled: None, session
) -> None:
    async with FakeJellyfin(version="10.11.11", legacy_authorization=False) as server:
        async with session.get(
            f"{server.url}/System/Info", headers={"X-Emby-Token": server.api_key}
        ) as response:
            assert response.status == 401
        info = await JellyfinClient(
            session, server.url, server.api_key
        ).async_get_server_info()
    assert info.server_id == SERVER_ID


async def test_unknown_parameters_are_ignored_as_jellyfin_does(
    jellyfin: FakeJellyfin, session
) -> None:
    """A provider-id filter does not exist: the whole library comes back."""
    async with session.get(
        f"{jellyfin.url}/Items",
        params={"recursive": "true", "AnyProviderIdEquals": "Tmdb.693134"},
        headers={"Authorization": f'MediaBrowser Token="{jellyfin.api_key}"'},
    ) as response:
        body = await response.json()
    assert body["TotalRecordCount"] == 12


async def test_missing_episodes_are_dropped_with_is_missing_false(
    jellyfin: FakeJellyfin, session
) -> None:
    async with session.get(
        f"{jellyfin.url}/Items",
        params={
            "recursive": "true",
            "includeItemTypes": "Episode",
            "isMissing": "false",
        },
        headers={"Authorization": f'MediaBrowser Token="{jellyfin.api_key}"'},
    ) as response:
        body = await response.json()
    assert body["TotalRecordCount"] == 9


async def test_non_recursive_query_sees_no_items(
    jellyfin: FakeJellyfin, session
) -> None:
    async with session.get(
        f"{jellyfin.url}/Items",
        headers={"Authorization": f'MediaBrowser Token="{jellyfin.api_key}"'},
    ) as response:
        assert (await response.json())["TotalRecordCount"] == 0


async def test_sorting_newest_first(jellyfin: FakeJellyfin, session) -> None:
    async with session.get(
        f"{jellyfin.url}/Items",
        params={
            "recursive": "true",
            "sortBy": "DateCreated",
            "sortOrder": "Descending",
            "limit": "1",
        },
        headers={"Authorization": f'MediaBrowser Token="{jellyfin.api_key}"'},
    ) as response:
        body = await response.json()
    assert body["Items"][0]["Type"] == "Movie"


async def test_server_errors_are_connection_errors(
    jellyfin: FakeJellyfin, session
) -> None:
    jellyfin.fail_with = 500
    with pytest.raises(ServiceUnavailableError):
        await JellyfinClient(session, jellyfin.url, jellyfin.api_key).async_get_items(
            ["a" * 32]
        )
