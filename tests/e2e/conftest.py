"""Fixtures for end-to-end tests: a real hass process and fake upstream services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
import sys

from homeassistant.const import REQUIRED_PYTHON_VER, __version__
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
    if sys.version_info[:3] < REQUIRED_PYTHON_VER:
        # HA 2026.x refuses to start on the machines' Python 3.13.0 (the compatibility job).
        pytest.skip(
            f"Home Assistant {__version__} needs Python {REQUIRED_PYTHON_VER} to run as a process"
        )
    process = HassProcess(tmp_path / "config", free_port())
    await process.start()
    await process.onboard()
    await process.wait_until_running()
    yield process
    await process.close()
