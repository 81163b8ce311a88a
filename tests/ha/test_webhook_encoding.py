"""Bodies that are not plain UTF-8 JSON: lone surrogates, compression, broken framing.

The raw-socket tests speak HTTP/1.1 to the test server on loopback, so that
what is sent, and when, is exactly what a misbehaving sender would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus
import json
import logging
import tracemalloc
from typing import Any
import zlib

from aiohttp import web_protocol
from aiohttp.http_parser import HttpRequestParserPy
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.payloads import payload

from .conftest import WEBHOOK_IDS, stored_requests

type RawExchange = Callable[[bytes, bytes], Awaitable[tuple[int, bytes]]]


@pytest.fixture
async def client(hass_client_no_auth, setup_integration: MockConfigEntry) -> Any:
    return await hass_client_no_auth()


@pytest.fixture
def raw_exchange(client: Any) -> RawExchange:
    """Send a request's head and first bytes, then read the answer before sending more."""

    async def exchange(head: bytes, first: bytes) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(
            client.server.host, client.server.port
        )
        try:
            writer.write(head + first)
            await writer.drain()
            async with asyncio.timeout(5):
                answer = await reader.read()  # until the server closes
        finally:
            writer.close()
        status = int(answer.split(b" ", 2)[1])
        return status, answer

    return exchange


def _head(source: str, *headers: str) -> bytes:
    lines = [
        f"POST /api/webhook/{WEBHOOK_IDS[source]} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _gzip_of_zeros(megabytes: int) -> bytes:
    """A gzip stream that inflates to ``megabytes`` MiB of zero bytes (about 1,000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(megabytes)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _logged_with_the_id(caplog: pytest.LogCaptureFixture, source: str) -> list[str]:
    """Warnings and errors naming the webhook id, and any line of ours that does.

    Home Assistant's HTTP and access logs name the path at DEBUG and INFO, as
    for every request.
    """
    return [
        record.getMessage()
        for record in caplog.records
        if WEBHOOK_IDS[source] in record.getMessage()
        and (
            record.levelno >= logging.WARNING
            or record.name.startswith("custom_components")
        )
    ]


async def test_a_title_with_a_lone_surrogate_is_stored_with_a_replacement_character(
    hass: HomeAssistant, client: Any, setup_integration: MockConfigEntry
) -> None:
    body = payload("jellyseerr_movie_auto_approved")
    # What Node's JSON.stringify writes for a string cut inside an emoji.
    body["subject"] = "Dune\ud83d: Part Two (2024)"
    raw = json.dumps(body).encode()
    assert b"\\ud83d" in raw
    response = await client.post(f"/api/webhook/{WEBHOOK_IDS['jellyseerr']}", data=raw)
    assert response.status == HTTPStatus.OK
    stored = await stored_requests(hass)
    assert stored["42"]["title"] == "Dune\ufffd: Part Two"
    entity_id = setup_integration.runtime_data.hub.entity_id("42")
    assert hass.states.get(entity_id).attributes["title"] == "Dune\ufffd: Part Two"


async def test_a_compressed_body_is_refused_before_it_is_read(
    hass: HomeAssistant, raw_exchange: RawExchange
) -> None:
    bomb = _gzip_of_zeros(400)
    assert len(bomb) < 500_000
    tracemalloc.start()
    try:
        status, _ = await raw_exchange(
            _head("radarr", "Content-Encoding: gzip", f"Content-Length: {len(bomb)}"),
            bomb[:1024],
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Answered from the head alone; the 400 MB it would inflate to never exist.
    assert status == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert peak < 16 * 1024 * 1024
    assert not await stored_requests(hass)


async def test_a_body_that_is_not_gzip_is_refused_without_a_traceback_or_the_id(
    hass: HomeAssistant, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.post(
        f"/api/webhook/{WEBHOOK_IDS['radarr']}",
        data=json.dumps(payload("radarr_grab")).encode(),
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    assert response.headers["Accept-Encoding"] == "identity"
    assert (await response.json())["result"] == "error"
    await asyncio.sleep(0.1)  # aiohttp would read the rest of the body now
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not _logged_with_the_id(caplog, "radarr")
    assert not await stored_requests(hass)


async def test_a_chunked_body_whose_framing_breaks_is_answered_400(
    hass: HomeAssistant,
    client: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # aiohttp's pure-Python parser (AIOHTTP_NO_EXTENSIONS=1, or no wheel for the
    # platform) hands the framing error to the handler reading the body.
    monkeypatch.setattr(web_protocol, "HttpRequestParser", HttpRequestParserPy)
    reader, writer = await asyncio.open_connection(
        client.server.host, client.server.port
    )
    try:
        writer.write(_head("radarr", "Transfer-Encoding: chunked") + b"10\r\n")
        writer.write(b'{"eventType": "G\r\n')
        await writer.drain()
        await asyncio.sleep(0.2)  # the handler is reading the body
        writer.write(b"not a chunk size\r\n\r\n")
        await writer.drain()
        async with asyncio.timeout(5):
            answer = await reader.read()
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert answer.endswith(b'{"result":"error","message":"body cannot be read"}')
    assert "Traceback" not in caplog.text
    assert not _logged_with_the_id(caplog, "radarr")
    assert not await stored_requests(hass)


async def test_a_declared_length_over_1_mib_is_answered_before_the_body_is_sent(
    hass: HomeAssistant, raw_exchange: RawExchange
) -> None:
    status, _ = await raw_exchange(
        _head("radarr", f"Content-Length: {64 * 1024 * 1024}"), b"{"
    )
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
