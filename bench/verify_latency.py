"""Benchmark: time from an item appearing in Jellyfin to the sensor reading available, with no Jellyfin webhook.

Three paths, each as the integration sees it when Jellyfin's Webhook plugin
is absent (or, for Shokofin's items, silent): a film import (Radarr), an
episode import (Sonarr) and an anime episode matched by Shoko after its
import. The item appears in the library 1, 3, 7, 15, 30 and 46.2 s after
that news (46.2 s is just after a look: the worst case). Side by side in one
run:

- ours: a check at once, then follow-up checks 2, 5, 10, 19, 28, 37, 46 and
  55 s after the news (``FOLLOW_UP_AFTER``), then the periodic check;
- the periodic check alone (every 60 s, the default), as before the
  follow-ups (``FOLLOW_UP_AFTER`` emptied for that half).

The integration runs in the test harness's Home Assistant against the fake
Jellyfin process of ``jellyfin_verify.py`` (20,500 items, real ``/Items``
protocol, on loopback), fed the real payload fixtures through the parsers, as
the webhooks and the Shoko listener feed them.

Scaled clock: the event loop's clock runs ``--scale`` times fast (default 10),
so every timer (the follow-ups, the periodic check, the cool-down) and every
appearance delay takes a tenth of its time, and the whole run about three
minutes instead of thirty. Figures are in scaled seconds, which are the
seconds a user would see; network calls and our own work take real time, so
they weigh ``scale`` times too much in them (an upper bound). Wall-clock
times (``homeassistant.util.dt``, Jellyfin's ``DateLastSaved``) stay real.

Looks and bytes are counted on Home Assistant's shared client session
(``benchkit/http_counter.py``), which only the integration's Jellyfin client
uses here.

Bytes per look grow through the run: an incremental call asks for the items
saved since five minutes before the last look (the overlap that a clock
difference between Home Assistant and Jellyfin cannot defeat), and here that
is every item the run has added.

Run: .venv/bin/python bench/verify_latency.py [--scale 10]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
import selectors
import statistics
import sys
import time
from typing import Any

import aiohttp
from homeassistant import loader
from homeassistant.helpers import aiohttp_client
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit.http_counter import HttpCounter  # noqa: E402
from jellyfin_verify import API_KEY, start_fake  # noqa: E402

from custom_components.media_request_tracker import coordinator as verifier_module  # noqa: E402
from custom_components.media_request_tracker.core.parsers import (  # noqa: E402
    parse_jellyseerr,
    parse_radarr,
    parse_shoko,
    parse_sonarr,
)
from tests.fakes.jellyfin import SERVER_ID  # noqa: E402
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path  # noqa: E402
from tests.payloads import jellyseerr, payload  # noqa: E402
from tests.services.qbittorrent import free_port  # noqa: E402

# 46.2 s is just after a look, with 9 s to the next: the worst case.
DELAYS = (1, 3, 7, 15, 30, 46.2)
PATHS = ("film import", "episode import", "Shoko match")
# Gives up on a sample after this many scaled seconds (the periodic check is 60 s).
PATIENCE = 150


class ScaledSelector(selectors.DefaultSelector):
    """Waits a ``scale``-th of the time the loop asks for."""

    scale = 10.0

    def select(self, timeout: float | None = None) -> list[Any]:
        """Wait for I/O; a timer due in t scaled seconds is due in t / scale real ones."""
        return super().select(None if timeout is None else timeout / self.scale)


class ScaledLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock runs ``scale`` times fast; I/O keeps real time."""

    def __init__(self, scale: float) -> None:
        """Start the scaled clock at the real one."""
        selector = ScaledSelector()
        selector.scale = scale
        super().__init__(selector)
        self._scale = scale
        self._origin = time.monotonic()

    def time(self) -> float:
        """Scaled seconds: the clock timers and ``asyncio.sleep`` go by."""
        return self._origin + (time.monotonic() - self._origin) * self._scale


@dataclass
class Sample:
    """One item appearing, and when its sensor read available."""

    path: str
    delay: float
    latency: float | None
    looks: int
    bytes_per_look: float


async def count_shared_session(hass: Any, counter: HttpCounter) -> None:
    """Make Home Assistant's shared client session one that ``counter`` counts on.

    Call it before the entry sets up; it sets up the integration's dependencies
    first, because a Home Assistant session needs the network that ``http`` loads.
    """
    assert await async_setup_component(hass, "webhook", {})
    session = aiohttp_client.async_create_clientsession(
        hass, trace_configs=[counter.trace_config]
    )
    # The key async_get_clientsession looks its session up by.
    key = aiohttp_client._make_key()  # noqa: SLF001
    hass.data.setdefault(aiohttp_client.DATA_CLIENTSESSION, {})[key] = session
    assert aiohttp_client.async_get_clientsession(hass) is session


class Stack:
    """The integration in the test harness's Home Assistant, and the fake Jellyfin."""

    def __init__(self, hass: Any, url: str, session: aiohttp.ClientSession) -> None:
        """Nothing runs until ``set_up``."""
        self.hass = hass
        self.url = url
        self.session = session
        self.jellyfin = HttpCounter()
        self.entry: Any = None
        self.number = 0

    @property
    def hub(self) -> Any:
        """The entry's request hub, which every event goes through."""
        return self.entry.runtime_data.hub

    async def set_up(self) -> None:
        """Set the entry up and let its first check build the library index."""
        await count_shared_session(self.hass, self.jellyfin)
        self.entry = MockConfigEntry(
            domain="media_request_tracker",
            title="Bench",
            unique_id=SERVER_ID,
            data={
                "jellyfin_url": self.url,
                "jellyfin_api_key": API_KEY,
                "webhook_ids": {
                    "jellyseerr": "a" * 64,
                    "radarr": "b" * 64,
                    "sonarr": "c" * 64,
                    "jellyfin": "d" * 64,
                },
            },
        )
        self.entry.add_to_hass(self.hass)
        assert await self.hass.config_entries.async_setup(self.entry.entry_id)
        await self.hass.async_block_till_done()
        # A re-request of a film already there: the first check builds the index.
        warm_up = payload("jellyseerr_movie_auto_approved")
        warm_up["media"]["tmdbId"] = "100000"  # "Film 0" of the generated library
        warm_up["request"]["request_id"] = "9000"
        await self.hub.async_handle(parse_jellyseerr(warm_up))
        await self.wait_for("9000", "available")

    async def wait_for(self, request_id: str, stage: str) -> None:
        """Wait until a request reaches ``stage``."""
        async with asyncio.timeout(PATIENCE):
            while (request := self.hub.request(request_id)) is None or (
                request.stage.value != stage
            ):
                await asyncio.sleep(0.05)

    async def add_item(self, item: dict[str, Any]) -> dict[str, Any]:
        """Save an item in the fake's library, as a library scan does."""
        async with self.session.post(f"{self.url}/_control/items", json=item):
            pass
        return item

    # The three paths: each sends its news and returns how its item appears.

    async def film_import(self) -> tuple[str, Callable[[], Awaitable[None]]]:
        """Request a film, then import it through Radarr."""
        tmdb = 800000 + self.number
        request_id = str(1000 + self.number)
        request = jellyseerr("jellyseerr_movie_auto_approved", request_id=request_id)
        request["media"]["tmdbId"] = str(tmdb)
        request["subject"] = f"Latency Film {self.number} (2024)"
        await self.hub.async_handle(parse_jellyseerr(request))
        imported = payload("radarr_download")
        imported["movie"].update(
            title=f"Latency Film {self.number}", tmdbId=tmdb, imdbId=None
        )
        imported["remoteMovie"].update(tmdbId=tmdb, imdbId=None)
        imported["downloadId"] = f"{self.number:040x}"
        await self.hub.async_handle(parse_radarr(imported))

        async def appear() -> None:
            await self.add_item(
                movie(f"Latency Film {self.number}", 2024, {"Tmdb": str(tmdb)})
            )

        return request_id, appear

    async def episode_import(self) -> tuple[str, Callable[[], Awaitable[None]]]:
        """Request a series (season 1), then import its episode through Sonarr."""
        tvdb, tmdb = 700000 + self.number, 600000 + self.number
        request_id = str(2000 + self.number)
        request = jellyseerr(
            "jellyseerr_tv_pending", "MEDIA_APPROVED", request_id=request_id
        )
        request["media"].update(tvdbId=str(tvdb), tmdbId=str(tmdb))
        request["subject"] = f"Latency Show {self.number} (2022)"
        await self.hub.async_handle(parse_jellyseerr(request))
        download = f"{self.number:040x}"
        imported = payload("sonarr_download_episode")
        imported["series"].update(
            title=f"Latency Show {self.number}",
            tvdbId=tvdb,
            tmdbId=tmdb,
            imdbId=None,
        )
        imported["downloadId"] = download
        await self.hub.async_handle(parse_sonarr(imported))

        async def appear() -> None:
            show = await self.add_item(
                series(f"Latency Show {self.number}", 2022, {"Tvdb": str(tvdb)})
            )
            await self.add_item(episode(show, 1, 1))

        return request_id, appear

    async def shoko_match(self) -> tuple[str, Callable[[], Awaitable[None]]]:
        """Import an anime episode through Sonarr, then have Shoko hash and match it."""
        number = self.number
        tvdb, tmdb, anidb = 500000 + number, 400000 + number, 30000 + number
        shoko_series, file_id = 9000 + number, 90000 + number
        folder = f"Latency Anime {number}"
        request_id = str(3000 + number)
        request = jellyseerr(
            "jellyseerr_anime_tv_pending", "MEDIA_AUTO_APPROVED", request_id=request_id
        )
        request["media"].update(tvdbId=str(tvdb), tmdbId=str(tmdb))
        request["subject"] = f"{folder} (2023)"
        request["extra"] = [{"name": "Requested Seasons", "value": "1"}]
        await self.hub.async_handle(parse_jellyseerr(request))
        imported = payload("sonarr_anime_download_episode")
        relative = f"{folder}/Season 01/{folder} - S01E03 [WEBDL-1080p].mkv"
        imported["series"].update(
            title=folder, tvdbId=tvdb, tmdbId=tmdb, imdbId=None, path=f"/anime/{folder}"
        )
        imported["episodeFile"]["path"] = f"/data/media/anime/{relative}"
        imported["downloadId"] = f"{number:040x}"
        await self.hub.async_handle(parse_sonarr(imported))
        hashed = payload("shoko_v5_file_hashed")
        hashed.update(FileID=file_id, RelativePath=relative)
        await self.hub.async_handle(parse_shoko("ShokoEvent:FileHashed", [hashed]))
        matched = payload("shoko_v5_file_matched")
        matched.update(FileID=file_id, RelativePath=relative)
        matched["CrossReferences"][0].update(SeriesID=shoko_series, AnidbAnimeID=anidb)
        await self.hub.async_handle(parse_shoko("ShokoEvent:FileMatched", [matched]))

        async def appear() -> None:
            # What Shokofin presents: no TMDB or TVDB id, the Shoko file in the path.
            show = await self.add_item(
                series(
                    folder,
                    2023,
                    {"AniDB": str(anidb), "Shoko Series": str(shoko_series)},
                )
            )
            await self.add_item(
                episode(
                    show,
                    1,
                    3,
                    path=shokofin_path(folder, shoko_series, file_id, 1, 3),
                )
            )

        return request_id, appear

    async def measure(self, path: str, delay: float) -> Sample:
        """Send a path's news, let its item appear ``delay`` s later, time available."""
        self.number += 1
        news = {
            "film import": self.film_import,
            "episode import": self.episode_import,
            "Shoko match": self.shoko_match,
        }[path]
        loop = asyncio.get_running_loop()
        before = self.jellyfin.count
        request_id, appear = await news()
        await asyncio.sleep(delay)
        await appear()
        appeared = loop.time()
        try:
            await self.wait_for(request_id, "available")
            latency: float | None = loop.time() - appeared
        except TimeoutError:
            latency = None
        cost = self.jellyfin.count - before
        looks = cost.calls
        bytes_per_look = cost.body_bytes / max(looks, 1)
        # Let the follow-ups of this sample end before the next one starts.
        await asyncio.sleep(2)
        return Sample(path, delay, latency, looks, bytes_per_look)


async def run(url: str) -> dict[str, list[Sample]]:
    """Measure every path and delay, with follow-ups and with the periodic check alone."""
    follow_ups = verifier_module.FOLLOW_UP_AFTER
    results: dict[str, list[Sample]] = {}
    async with (
        async_test_home_assistant() as hass,
        aiohttp.ClientSession() as session,
    ):
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        stack = Stack(hass, url, session)
        await stack.set_up()
        for mode, schedule in (("ours", follow_ups), ("periodic only", ())):
            verifier_module.FOLLOW_UP_AFTER = schedule
            results[mode] = [
                await stack.measure(path, delay) for path in PATHS for delay in DELAYS
            ]
        verifier_module.FOLLOW_UP_AFTER = follow_ups
        await hass.config_entries.async_unload(stack.entry.entry_id)
        await hass.async_stop(force=True)
    return results


def _seconds(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "never"


def report(results: dict[str, list[Sample]], scale: float) -> None:
    """Print one row per path and delay, ours next to the periodic check alone."""
    print(
        f"item appears N s after the news -> sensor available; no Jellyfin webhook; "
        f"clock scaled {scale:g}x (scaled seconds; calls weigh {scale:g}x)"
    )
    print(
        f"{'path':<16}{'appears after s':>16}{'ours s':>9}{'looks':>7}"
        f"{'bytes/look':>12}{'periodic only s':>17}"
    )
    for ours, periodic in zip(results["ours"], results["periodic only"], strict=True):
        print(
            f"{ours.path:<16}{ours.delay:>16g}{_seconds(ours.latency):>9}"
            f"{ours.looks:>7}{ours.bytes_per_look:>12,.0f}"
            f"{_seconds(periodic.latency):>17}"
        )
    for mode, samples in results.items():
        found = [sample.latency for sample in samples if sample.latency is not None]
        print(
            f"{mode}: median {statistics.median(found):.1f} s, max {max(found):.1f} s, "
            f"{len(samples) - len(found)} never found (goal: within 10 s)"
        )


def main() -> None:
    """Start the fake Jellyfin, run both halves on a scaled loop, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=10.0, help="how fast the loop's clock runs"
    )
    args = parser.parse_args()
    port = free_port()
    fake = start_fake(port)
    try:
        with asyncio.Runner(loop_factory=lambda: ScaledLoop(args.scale)) as runner:
            results = runner.run(run(f"http://127.0.0.1:{port}"))
    finally:
        fake.terminate()
        fake.wait()
    report(results, args.scale)


if __name__ == "__main__":
    main()
