"""Shared fixtures for the client tests: an aiohttp session, a receiver, a canned answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fakes.receiver import Canned, Receiver


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as session:
        yield session


@pytest.fixture
async def receiver(socket_enabled: None) -> AsyncIterator[Receiver]:
    async with Receiver() as server:
        yield server


@pytest.fixture
async def canned(socket_enabled: None) -> AsyncIterator[Canned]:
    async with Canned() as server:
        yield server
