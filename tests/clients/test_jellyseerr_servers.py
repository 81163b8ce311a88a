"""Jellyseerr's Radarr and Sonarr servers over its API, as each version answers."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.media_request_tracker.clients.http import (
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
)
from custom_components.media_request_tracker.clients.jellyseerr import JellyseerrClient
from custom_components.media_request_tracker.core.parsers.jellyseerr_servers import (
    SeerrServer,
    server_at,
)
from tests.fakes.jellyseerr import VERSIONS, FakeJellyseerr
from tests.fakes.receiver import Canned

each_version = pytest.mark.parametrize("jellyseerr_version", ["2.0.0", *VERSIONS])


def client(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession, key: str | None = None
) -> JellyseerrClient:
    return JellyseerrClient(
        session, jellyseerr.url, jellyseerr.api_key if key is None else key
    )


@each_version
async def test_a_jellyseerr_without_servers_lists_none(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    api = client(jellyseerr, session)
    assert await api.async_get_servers("radarr") == ()
    assert await api.async_get_servers("sonarr") == ()


@each_version
async def test_each_server_reads_as_its_name_address_and_4k_flag(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    jellyseerr.servers.add("radarr", name="Radarr", hostname="radarr", port=7878)
    jellyseerr.servers.add(
        "radarr",
        name="Radarr 4K",
        hostname="Radarr4k.Lan",
        port=443,
        use_ssl=True,
        base_url="/radarr4k",
        is_4k=True,
    )
    jellyseerr.servers.add("sonarr", name="Sonarr", hostname="10.0.0.5", port=8989)

    radarrs = await client(jellyseerr, session).async_get_servers("radarr")

    assert radarrs == (
        SeerrServer(name="Radarr", address=("http", "radarr", 7878, ""), is_4k=False),
        SeerrServer(
            name="Radarr 4K",
            address=("https", "radarr4k.lan", 443, "/radarr4k"),
            is_4k=True,
        ),
    )
    assert [
        s.name for s in await client(jellyseerr, session).async_get_servers("sonarr")
    ] == ["Sonarr"]


@each_version
async def test_the_servers_own_api_keys_are_not_kept(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    jellyseerr.servers.add(
        "radarr", name="Radarr", hostname="radarr", port=7878, api_key="radarr-secret"
    )
    servers = await client(jellyseerr, session).async_get_servers("radarr")
    assert "radarr-secret" not in repr(servers)


@each_version
async def test_a_wrong_key_is_refused(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    """``/settings`` is for admins; a key that is not Jellyseerr's is a 403."""
    with pytest.raises(ServiceAuthError):
        await client(jellyseerr, session, "wrong").async_get_servers("radarr")


async def test_a_jellyseerr_that_fails_is_unavailable(
    jellyseerr: FakeJellyseerr, session: aiohttp.ClientSession
) -> None:
    jellyseerr.fail_with = 502
    with pytest.raises(ServiceUnavailableError):
        await client(jellyseerr, session).async_get_servers("sonarr")


async def test_an_answer_that_is_not_a_list_is_an_error(
    canned: Canned, session: aiohttp.ClientSession
) -> None:
    canned.body = b'{"message": "not a list"}'
    with pytest.raises(ServiceError, match="did not list its radarr servers"):
        await JellyseerrClient(session, canned.url, "key").async_get_servers("radarr")


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("http://radarr:7878", "Radarr"),
        ("http://RADARR:7878/", "Radarr"),
        ("https://radarr4k.lan/radarr4k", "Radarr 4K"),
        ("https://radarr4k.lan:443/radarr4k/", "Radarr 4K"),
        ("http://radarr4k.lan/radarr4k", None),  # not the scheme Jellyseerr uses
        ("https://radarr4k.lan:8443/radarr4k", None),
        ("https://radarr4k.lan", None),  # no base URL
        ("http://radarr:7879", None),
        ("not a url", None),
    ],
)
async def test_a_url_finds_the_server_jellyseerr_reaches_there(
    jellyseerr: FakeJellyseerr,
    session: aiohttp.ClientSession,
    url: str,
    found: str | None,
) -> None:
    jellyseerr.servers.add("radarr", name="Radarr", hostname="radarr", port=7878)
    jellyseerr.servers.add(
        "radarr",
        name="Radarr 4K",
        hostname="radarr4k.lan",
        port=443,
        use_ssl=True,
        base_url="/radarr4k",
        is_4k=True,
    )
    servers = await client(jellyseerr, session).async_get_servers("radarr")
    server = server_at(servers, url)
    assert (server.name if server else None) == found
