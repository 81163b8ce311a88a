"""Fixtures for every test folder: the fake apps we register our webhooks in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.arr import FakeArr
from tests.fakes.jellyseerr import VERSIONS as JELLYSEERR_VERSIONS, FakeJellyseerr


@pytest.fixture
async def radarr(socket_enabled: None) -> AsyncIterator[FakeArr]:
    async with FakeArr("Radarr") as server:
        yield server


@pytest.fixture
async def sonarr(socket_enabled: None) -> AsyncIterator[FakeArr]:
    async with FakeArr("Sonarr") as server:
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
