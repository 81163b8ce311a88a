"""Fixtures for every test folder: the fake apps we register our webhooks in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.arr import FakeArr
from tests.fakes.jellyseerr import FakeJellyseerr


@pytest.fixture
async def radarr(socket_enabled: None) -> AsyncIterator[FakeArr]:
    async with FakeArr("Radarr") as server:
        yield server


@pytest.fixture
async def sonarr(socket_enabled: None) -> AsyncIterator[FakeArr]:
    async with FakeArr("Sonarr") as server:
        yield server


@pytest.fixture
async def jellyseerr(socket_enabled: None) -> AsyncIterator[FakeJellyseerr]:
    async with FakeJellyseerr() as server:
        yield server
