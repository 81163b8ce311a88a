"""Benchmark: what a Jellyfin verification cycle costs, against one query per request.

A fake Jellyfin (a separate process on loopback, real /Items protocol) holds
20,000 items (10,000 films; 500 series with 20 episodes each). 500 requests
wait. Side by side in one run:

- ours: the library is paged through once, then each cycle is one incremental
  call plus a lookup in a local index;
- the earlier tracker's approach: one ``/Items`` query per waiting request with
  a provider-id filter Jellyfin ignores, so each returns every film, filtered
  client-side. It is measured on a sample of requests and scaled to 500.

Then, in a real Home Assistant (the test harness's), the time from an item
appearing in the library with an import event to the sensor reading available.
Our calls and bytes are counted on the session (``benchkit/http_counter.py``).

Run: .venv/bin/python bench/jellyfin_verify.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import statistics
import subprocess
import sys
import time

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit.http_counter import HttpCounter  # noqa: E402

from custom_components.media_request_tracker.clients.jellyfin import JellyfinClient  # noqa: E402
from custom_components.media_request_tracker.core.events import (  # noqa: E402
    ImportEvent,
    MediaInfo,
    RequestEvent,
    RequestStatus,
)
from custom_components.media_request_tracker.core.library import (  # noqa: E402
    ITEM_FIELDS,
    ITEM_TYPES,
    LibraryIndex,
)
from custom_components.media_request_tracker.core.model import (  # noqa: E402
    MediaIds,
    MediaType,
    Source,
)
from custom_components.media_request_tracker.core.tracker import RequestTracker  # noqa: E402
from tests.fakes.jellyfin_items import movie  # noqa: E402
from tests.services.qbittorrent import free_port  # noqa: E402

API_KEY = "jellyfin-test-key"
WAITING = 500
SAMPLE = 10
CYCLES = 10


def start_fake(port: int) -> subprocess.Popen[bytes]:
    """Run the fake in its own process, so its work is not counted as ours."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.jellyfin", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.readline()  # "ready"
    return process


def waiting_tracker() -> RequestTracker:
    """500 films, imported but not yet seen in Jellyfin (their TMDB ids are not in the library)."""
    tracker = RequestTracker()
    now = datetime.now(UTC) - timedelta(minutes=10)
    for number in range(WAITING):
        media = MediaInfo(
            media_type=MediaType.MOVIE,
            ids=MediaIds(tmdb_id=900000 + number),
            title=f"Wanted {number}",
            year=2024,
        )
        tracker.apply(
            RequestEvent(
                status=RequestStatus.APPROVED, media=media, request_id=str(number)
            ),
            now,
        )
        tracker.apply(
            ImportEvent(source=Source.RADARR, media=media, download_hash=None), now
        )
    return tracker


async def one_query_per_request(
    session: aiohttp.ClientSession, url: str
) -> tuple[float, float, float]:
    """Measure the earlier tracker: a filter Jellyfin ignores, so every film comes back per request."""
    headers = {"Authorization": f'MediaBrowser Token="{API_KEY}"'}
    sizes, cpu = [], []
    for number in range(SAMPLE):
        async with session.get(
            f"{url}/Items",
            params={
                "recursive": "true",
                "includeItemTypes": "Movie",
                "fields": "ProviderIds",
                "AnyProviderIdEquals": f"Tmdb.{900000 + number}",
            },
            headers=headers,
        ) as response:
            body = await response.read()
        started = time.perf_counter()
        items = json.loads(body)["Items"]
        _ = [
            item
            for item in items
            if item.get("ProviderIds", {}).get("Tmdb") == str(900000 + number)
        ]
        cpu.append(time.perf_counter() - started)
        sizes.append(len(body))
    return 1.0, statistics.mean(sizes), statistics.mean(cpu)


async def ours(
    session: aiohttp.ClientSession, counter: HttpCounter, url: str
) -> dict[str, float]:
    """Build the index once, then measure incremental cycles with 500 requests waiting.

    ``counter`` counts on ``session``.
    """
    client = JellyfinClient(session, url, API_KEY)
    start_count = counter.count
    library = LibraryIndex()
    tracker = waiting_tracker()
    started = time.perf_counter()
    start = 0
    while True:
        items, total = await client.async_get_library_page(
            start, 1000, fields=ITEM_FIELDS, item_types=ITEM_TYPES
        )
        library.apply_items(items)
        start += len(items)
        if not items or start >= total:
            break
    build_seconds = time.perf_counter() - started
    build = counter.count - start_count
    calls, sizes, cpu = [], [], []
    synced = datetime.now(UTC)
    for _ in range(CYCLES):
        before = counter.count
        items, _total = await client.async_get_library_page(
            0,
            1000,
            fields=ITEM_FIELDS,
            item_types=ITEM_TYPES,
            saved_since=(synced - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        synced = datetime.now(UTC)
        started = time.perf_counter()
        library.apply_items(items)
        tracker.verify_library(library, datetime.now(UTC))
        cpu.append(time.perf_counter() - started)
        cost = counter.count - before
        calls.append(cost.calls)
        sizes.append(cost.body_bytes)
    return {
        "items": len(library),
        "build_calls": build.calls,
        "build_bytes": build.body_bytes,
        "build_seconds": build_seconds,
        "calls": statistics.mean(calls),
        "bytes": statistics.median(sizes),
        "cpu": statistics.median(cpu),
    }


async def time_to_available(url: str, port: int) -> list[float]:
    """In a real Home Assistant: item appears, import webhook arrives, sensor reads available."""
    from homeassistant import loader  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import (  # noqa: PLC0415
        MockConfigEntry,
        async_test_home_assistant,
    )

    from tests.payloads import payload  # noqa: PLC0415

    samples = []
    async with async_test_home_assistant() as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        entry = MockConfigEntry(
            domain="media_request_tracker",
            title="Bench",
            unique_id="8f0c4e2a9b7d4c1e8a6f5b3d2c1e0f9a",
            data={
                "jellyfin_url": url,
                "jellyfin_api_key": API_KEY,
                "webhook_ids": {
                    "jellyseerr": "a" * 64,
                    "radarr": "b" * 64,
                    "sonarr": "c" * 64,
                    "jellyfin": "d" * 64,
                },
            },
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        hub = entry.runtime_data.hub
        async with aiohttp.ClientSession() as session:
            for number in range(5):
                tmdb = 990000 + number
                request = payload("jellyseerr_movie_auto_approved")
                request["media"]["tmdbId"] = str(tmdb)
                request["request"]["request_id"] = str(7000 + number)
                request["subject"] = f"Bench Film {number} (2024)"
                from custom_components.media_request_tracker.core.parsers import (  # noqa: PLC0415
                    parse_jellyseerr,
                    parse_radarr,
                )

                await hub.async_handle(parse_jellyseerr(request))
                await asyncio.sleep(1.2)  # let the library index settle
                item = movie(f"Bench Film {number}", 2024, {"Tmdb": str(tmdb)})
                async with session.post(f"{url}/_control/items", json=item):
                    pass
                imported = payload("radarr_download")
                imported["movie"]["tmdbId"] = tmdb
                imported["downloadId"] = f"{number:040d}"
                entity_id = f"sensor.bench_bench_film_{number}_2024"
                started = time.perf_counter()
                await hub.async_handle(parse_radarr(imported))
                while hass.states.get(entity_id).state != "available":
                    await asyncio.sleep(0.005)
                samples.append(time.perf_counter() - started)
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_stop(force=True)
    return samples


async def main() -> None:
    """Run both approaches against one fake and print the table."""
    port = free_port()
    fake = start_fake(port)
    url = f"http://127.0.0.1:{port}"
    try:
        counter = HttpCounter()
        async with aiohttp.ClientSession(
            trace_configs=[counter.trace_config]
        ) as session:
            mine = await ours(session, counter, url)
            calls, size, cpu = await one_query_per_request(session, url)
        latency = await time_to_available(url, port)
    finally:
        fake.terminate()
        fake.wait()

    old_calls, old_bytes, old_cpu = calls * WAITING, size * WAITING, cpu * WAITING
    print(
        f"library: {mine['items']:,} items; {WAITING} waiting requests; {CYCLES} cycles"
    )
    print(
        f"index built once: {mine['build_calls']} calls, {mine['build_bytes']:,} bytes, {mine['build_seconds']:.2f} s"
    )
    print(f"{'per cycle':<34}{'HTTP calls':>12}{'bytes':>16}{'loop time ms':>14}")
    print(
        f"{'ours (index + 1 incremental call)':<34}{mine['calls']:>12.0f}{mine['bytes']:>16,.0f}{mine['cpu'] * 1000:>14.2f}"
    )
    print(
        f"{'one query per request (x500)':<34}{old_calls:>12.0f}{old_bytes:>16,.0f}{old_cpu * 1000:>14.0f}"
    )
    print(
        f"ratio (one query per request / ours): calls {old_calls / mine['calls']:.0f}x, bytes {old_bytes / mine['bytes']:.0f}x, loop time {old_cpu / mine['cpu']:.0f}x"
    )
    print(
        f"item appears + import event -> sensor available: median {statistics.median(latency) * 1000:.0f} ms, max {max(latency) * 1000:.0f} ms ({len(latency)} runs)"
    )
    print(
        f"summary: {mine['calls']:.0f} call per cycle whatever the library and queue size; available {statistics.median(latency) * 1000:.0f} ms after the event (goal: under 1 s)"
    )


if __name__ == "__main__":
    asyncio.run(main())
