"""The Jellyfin client against a fake that answers as Jellyfin's ItemsController does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from custom_components.media_request_tracker.clients.jellyfin import (
    JellyfinAuthError,
    JellyfinClient,
    JellyfinConnectionError,
)
from custom_components.media_request_tracker.core.library import ITEM_FIELDS, ITEM_TYPES
from tests.fakes.jellyfin import SERVER_ID, FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie, series


@pytest.fixture
async def jellyfin(socket_enabled: None) -> AsyncIterator[FakeJellyfin]:
    server = FakeJellyfin()
    show = series("Severance", 2022, {"Tvdb": "371980"})
    server.add_item(**show)
    for number in range(1, 10):
        server.add_item(**episode(show, 1, number))
    server.add_item(**episode(show, 2, 1, virtual=True))
    server.add_item(**movie("Dune: Part Two", 2024, {"Tmdb": "693134"}))
    await server.start()
    yield server
    await server.stop()


async def test_server_info_needs_the_mediabrowser_token(
    jellyfin: FakeJellyfin, session
) -> None:
    info = await JellyfinClient(
        session, jellyfin.url, jellyfin.api_key
    ).async_get_server_info()
    assert (info.server_id, info.name) == (SERVER_ID, "Jellyfin Home")
    with pytest.raises(JellyfinAuthError):
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
    items, total = await client.async_get_library_page(
        0,
        50,
        fields=ITEM_FIELDS,
        item_types=ITEM_TYPES,
        saved_since="2999-01-01T00:00:00Z",
    )
    assert (items, total) == ([], 0)


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
    with pytest.raises(JellyfinConnectionError):
        await JellyfinClient(session, jellyfin.url, jellyfin.api_key).async_get_items(
            ["a" * 32]
        )
