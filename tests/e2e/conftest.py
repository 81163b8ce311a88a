"""Fixtures for end-to-end tests: a real hass process and fake upstream services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.services.qbittorrent import free_port

from .hass_process import HassProcess


@pytest.fixture
async def fake_jellyfin(socket_enabled: None) -> AsyncIterator[FakeJellyfin]:
    server = FakeJellyfin()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def hass_process(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[HassProcess]:
    process = HassProcess(tmp_path / "config", free_port())
    await process.start()
    await process.onboard()
    await process.wait_until_running()
    yield process
    await process.close()
