"""The demo media stack: a real Home Assistant, watching four requests move.

Started by ``scripts/develop``. Next to a real ``hass`` (the repo's
``config/``, ``default_config``) it starts the fake Jellyfin and Shoko
servers the tests use, two real qbittorrent-nox instances (a seeder and a
downloader), sets the integration up through the config-flow REST API as the
UI would, and then plays four requests through the real webhooks: a regular
film (with a real torrent downloading), a regular series, an anime series and
an anime compilation film. Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
import shutil
import signal
import sys
import tempfile
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.hass_process import HassProcess  # noqa: E402
from tests.fakes.jellyfin import FakeJellyfin  # noqa: E402
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path  # noqa: E402
from tests.fakes.shoko import API_KEY, FakeShoko  # noqa: E402
from tests.payloads import jellyseerr, payload, sonarr_episode_import  # noqa: E402
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess  # noqa: E402
from tests.services.torrent import make_torrent  # noqa: E402

DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
STEP = 4.0  # seconds between steps, so a person can watch


class Demo:
    """Everything the demo runs, started and stopped together."""

    def __init__(self, port: int, work: Path) -> None:
        self.work = work
        # A fresh configuration each run, so the demo login is always the one the README gives.
        config = ROOT / "config-demo"
        shutil.rmtree(config, ignore_errors=True)
        config.mkdir()
        shutil.copy(
            ROOT / "config" / "configuration.yaml", config / "configuration.yaml"
        )
        self.hass = HassProcess(config, port, minimal=False)
        self.jellyfin = FakeJellyfin(server_name="Demo Jellyfin")
        self.shoko = FakeShoko()
        self.seeder = QBittorrentProcess(work, "seeder")
        self.downloader = QBittorrentProcess(work, "downloader")
        self.urls: dict[str, str] = {}

    async def start(self) -> None:
        await asyncio.gather(
            self.jellyfin.start(),
            self.shoko.start(),
            self.seeder.start(),
            self.downloader.start(),
        )
        say(
            f"fake Jellyfin {self.jellyfin.url}, fake Shoko {self.shoko.url}, qBittorrent {self.downloader.url}"
        )
        say(
            "starting Home Assistant (the first start installs the frontend and takes a minute)"
        )
        await self.hass.start()
        await self.hass.onboard(DEMO_USER, DEMO_PASSWORD)
        await self.hass.finish_onboarding()
        await self.hass.wait_until_running()
        result = await self.hass.config_flow(
            {
                "jellyfin_url": self.jellyfin.url,
                "jellyfin_api_key": self.jellyfin.api_key,
            },
            {
                "qbittorrent_url": self.downloader.url,
                "qbittorrent_username": USERNAME,
                "qbittorrent_password": PASSWORD,
            },
            {"shoko_url": self.shoko.url, "shoko_api_key": API_KEY},
            {},
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"config flow failed: {result}")
        self.urls = result["description_placeholders"]
        say(f"ready: open {self.hass.url} and log in as {DEMO_USER} / {DEMO_PASSWORD}")

    async def stop(self) -> None:
        await self.hass.close()
        await asyncio.gather(
            self.jellyfin.stop(),
            self.shoko.stop(),
            self.seeder.stop(),
            self.downloader.stop(),
        )

    async def webhook(self, source: str, body: dict[str, Any]) -> None:
        status = await self.hass.post_webhook(self.urls[f"{source}_webhook_url"], body)
        say(f"  {source} webhook -> {status}")
        await asyncio.sleep(STEP)

    async def regular_film(self) -> None:
        say("regular film: Dune: Part Two, with a real torrent")
        torrent = make_torrent(
            self.work / "content",
            "Dune.Part.Two.2024.1080p.BluRay.x264-GRP.mkv",
            24 * 1024 * 1024,
        )
        await self.webhook("jellyseerr", payload("jellyseerr_movie_auto_approved"))
        grab = payload("radarr_grab")
        grab["downloadId"] = torrent.info_hash.upper()
        await self.webhook("radarr", grab)
        await self.seeder.add(torrent, save_path=self.work / "content", seed=True)
        await self.downloader.add(
            torrent, save_path=self.downloader.downloads, download_limit=768 * 1024
        )
        await self.downloader.add_peer(torrent.info_hash, self.seeder)
        await self.hass.wait_for_state(
            "sensor.demo_jellyfin_dune_part_two_2024", "download_done", timeout=300
        )
        imported = payload("radarr_download")
        imported["downloadId"] = torrent.info_hash.upper()
        self.jellyfin.add_item(
            **movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
        )
        await self.webhook("radarr", imported)

    async def regular_series(self) -> None:
        say("regular series: Severance, season 1")
        await self.webhook("jellyseerr", payload("jellyseerr_tv_pending"))
        await self.webhook(
            "jellyseerr", jellyseerr("jellyseerr_tv_pending", "MEDIA_APPROVED")
        )
        await self.webhook("sonarr", payload("sonarr_grab_season_pack"))
        show = self.jellyfin.add_item(
            **series("Severance", 2022, {"Tvdb": "371980", "Tmdb": "95396"})
        )
        for number in range(1, 10):
            self.jellyfin.add_item(**episode(show, 1, number))
            await self.hass.post_webhook(
                self.urls["sonarr_webhook_url"], sonarr_episode_import(number)
            )
            await asyncio.sleep(1)

    async def anime_series(self) -> None:
        say("anime series: Frieren, through Shoko")
        request = jellyseerr("jellyseerr_anime_tv_pending", "MEDIA_AUTO_APPROVED")
        request["extra"] = [{"name": "Requested Seasons", "value": "1"}]
        await self.webhook("jellyseerr", request)
        await self.webhook("sonarr", payload("sonarr_anime_download_episode"))
        await self.shoko.emit(
            "ShokoEvent:FileDetected", payload("shoko_v5_file_detected")
        )
        await asyncio.sleep(STEP)
        await self.shoko.emit("ShokoEvent:FileHashed", payload("shoko_v5_file_hashed"))
        await asyncio.sleep(STEP)
        show = self.jellyfin.add_item(
            **series(
                "Sousou no Frieren", 2023, {"AniDB": "17617", "Shoko Series": "310"}
            )
        )
        self.jellyfin.add_item(
            **episode(
                show, 1, 3, path=shokofin_path("Sousou no Frieren", 310, 1234, 1, 3)
            )
        )
        await self.shoko.emit(
            "ShokoEvent:FileMatched", payload("shoko_v5_file_matched")
        )
        await asyncio.sleep(STEP)

    async def anime_film(self) -> None:
        say("anime compilation film, filed by Shoko as a series special")
        film = payload("jellyseerr_movie_auto_approved")
        film.update(subject="Frieren Recap (2024)", image="")
        film["media"]["tmdbId"] = "1170521"
        film["request"]["request_id"] = "45"
        await self.webhook("jellyseerr", film)
        imported = payload("radarr_download")
        imported["movie"].update(title="Frieren Recap", year=2024, tmdbId=1170521)
        imported["movieFile"]["path"] = (
            "/data/media/anime-movies/Frieren Recap (2024)/Frieren Recap (2024).mkv"
        )
        imported["downloadId"] = "E" * 40
        await self.webhook("radarr", imported)
        hashed = payload("shoko_v5_file_hashed")
        hashed.update(
            FileID=4321, RelativePath="Frieren Recap (2024)/Frieren Recap (2024).mkv"
        )
        await self.shoko.emit("ShokoEvent:FileHashed", hashed)
        await asyncio.sleep(STEP)
        show = next(
            item for item in self.jellyfin.items if item["Name"] == "Sousou no Frieren"
        )
        self.jellyfin.add_item(
            **episode(
                show, 0, 1, path=shokofin_path("Sousou no Frieren", 310, 4321, 0, 1)
            )
        )
        matched = payload("shoko_v5_file_matched")
        matched.update(FileID=4321, RelativePath=hashed["RelativePath"])
        await self.shoko.emit("ShokoEvent:FileMatched", matched)
        await asyncio.sleep(STEP)


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)  # noqa: T201


async def main(port: int, once: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="mrt-demo-"))
    demo = Demo(port, work)
    # SIGTERM must stop Home Assistant and the qBittorrents too, as Ctrl-C does.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await demo.start()
        await asyncio.gather(demo.regular_film(), demo.regular_series())
        await demo.anime_series()
        await demo.anime_film()
        say(
            "all four requests are available; Home Assistant keeps running (Ctrl-C to stop)"
        )
        if not once:
            await asyncio.Event().wait()
    finally:
        with contextlib.suppress(Exception):
            await demo.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--once", action="store_true", help="stop after the four paths (for checks)"
    )
    arguments = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(main(arguments.port, arguments.once))
