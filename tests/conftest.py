"""Fixtures for every test folder: the fake apps we register our webhooks in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.arr import RADARR_MAJORS, SONARR_MAJORS, FakeArr
from tests.fakes.jellyseerr import VERSIONS as JELLYSEERR_VERSIONS, FakeJellyseerr


# Each claimed Radarr major with a Sonarr one: both are covered, without the product.
@pytest.fixture(
    params=list(zip(RADARR_MAJORS, SONARR_MAJORS, strict=True)),
    ids=lambda pair: f"radarr{pair[0]}-sonarr{pair[1]}",
)
def arr_majors(request: pytest.FixtureRequest) -> tuple[str, str]:
    radarr_major, sonarr_major = request.param
    return radarr_major, sonarr_major


@pytest.fixture
def radarr_version(arr_majors: tuple[str, str]) -> str:
    return arr_majors[0]


@pytest.fixture
def sonarr_version(arr_majors: tuple[str, str]) -> str:
    return arr_majors[1]


@pytest.fixture
async def radarr(socket_enabled: None, radarr_version: str) -> AsyncIterator[FakeArr]:
    async with FakeArr("Radarr", version=radarr_version) as server:
        yield server


@pytest.fixture
async def sonarr(socket_enabled: None, sonarr_version: str) -> AsyncIterator[FakeArr]:
    async with FakeArr("Sonarr", version=sonarr_version) as server:
        yield server


@pytest.fixture
def jellyseerr_version() -> str:
    """The newest release; a test parametrised over ``jellyseerr_version`` runs on each."""
    return JELLYSEERR_VERSIONS[-1]


@pytest.fixture
async def jellyseerr(
    socket_enabled: None, jellyseerr_version: str
) -> AsyncIterator[FakeJellyseerr]:
    async with FakeJellyseerr(version=jellyseerr_version) as server:
        yield server
