"""Plays the four request paths through a real Home Assistant, for the demo and the e2e tests.

The same fakes the tests use (Jellyfin, Shoko) and two real qbittorrent-nox
instances stand in for the media stack; every step is a real webhook or a
real SignalR event, so what the demo shows is what the e2e test checks.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import episode, movie, series, shokofin_path
from tests.fakes.shoko import API_KEY, FakeShoko
from tests.payloads import jellyseerr, payload, sonarr_episode_import
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess
from tests.services.torrent import make_torrent

from .hass_process import HassProcess

ENTITIES = (
    "dune_part_two_2024",
    "severance_2022",
    "frieren_beyond_journey_s_end_2023",
    "frieren_recap_2024",
)


def say(message: str) -> None:
    """Narrate, for the person watching the demo."""
    print(f"[demo] {message}", flush=True)  # noqa: T201


class StackPlayer:
    """Fake Jellyfin and Shoko, two real qBittorrents, and four requests played through them."""

    def __init__(
        self,
        hass: HassProcess,
        work: Path,
        step: float = 0.2,
        film_size: int = 24 * 1024 * 1024,
    ) -> None:
        self.hass = hass
        self.work = work
        self.step = step
        self.film_size = film_size
        self.jellyfin = FakeJellyfin(server_name="Demo Jellyfin")
        self.shoko = FakeShoko()
        self.seeder = QBittorrentProcess(work, "seeder")
        self.downloader = QBittorrentProcess(work, "downloader")
        self.urls: dict[str, str] = {}
        # The Jellyfin item each request must end with, by entity (object id).
        self.expected_items: dict[str, str] = {}

    async def start_services(self) -> None:
        await asyncio.gather(
            self.jellyfin.start(),
            self.shoko.start(),
            self.seeder.start(),
            self.downloader.start(),
        )

    async def set_up_integration(self) -> None:
        """Run the config flow over REST with every service, as the UI would."""
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

    async def play_all(self) -> None:
        """Play the four paths and wait until every request is available."""
        await asyncio.gather(self.regular_film(), self.regular_series())
        await self.anime_series()
        await self.anime_film()
        for title in ENTITIES:
            await self.hass.wait_for_state(
                f"sensor.demo_jellyfin_{title}", "available", timeout=60
            )

    async def stop_services(self) -> None:
        await asyncio.gather(
            self.jellyfin.stop(),
            self.shoko.stop(),
            self.seeder.stop(),
            self.downloader.stop(),
        )

    async def webhook(self, source: str, body: dict[str, Any]) -> None:
        status = await self.hass.post_webhook(self.urls[f"{source}_webhook_url"], body)
        say(f"  {source} webhook -> {status}")
        await asyncio.sleep(self.step)

    async def regular_film(self) -> None:
        say("regular film: Dune: Part Two, with a real torrent")
        torrent = make_torrent(
            self.work / "content",
            "Dune.Part.Two.2024.1080p.BluRay.x264-GRP.mkv",
            self.film_size,
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
        item = self.jellyfin.add_item(
            **movie("Dune: Part Two", 2024, {"Tmdb": "693134", "Imdb": "tt15239678"})
        )
        self.expected_items["dune_part_two_2024"] = item["Id"]
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
        self.expected_items["severance_2022"] = show["Id"]
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
        await asyncio.sleep(self.step)
        await self.shoko.emit("ShokoEvent:FileHashed", payload("shoko_v5_file_hashed"))
        await asyncio.sleep(self.step)
        show = self.jellyfin.add_item(
            **series(
                "Sousou no Frieren", 2023, {"AniDB": "17617", "Shoko Series": "310"}
            )
        )
        self.expected_items["frieren_beyond_journey_s_end_2023"] = show["Id"]
        self.jellyfin.add_item(
            **episode(
                show, 1, 3, path=shokofin_path("Sousou no Frieren", 310, 1234, 1, 3)
            )
        )
        await self.shoko.emit(
            "ShokoEvent:FileMatched", payload("shoko_v5_file_matched")
        )
        await asyncio.sleep(self.step)

    async def anime_film(self) -> None:
        say("anime compilation film, filed by Shoko as a series special")
        film = payload("jellyseerr_movie_auto_approved")
        film.update(
            subject="Frieren Recap (2024)",
            message="The first cour of Frieren, retold as one film.",
            image="",
        )
        film["media"]["tmdbId"] = "1170521"
        film["request"]["request_id"] = "45"
        await self.webhook("jellyseerr", film)
        imported = frieren_recap_import()
        await self.webhook("radarr", imported)
        hashed = payload("shoko_v5_file_hashed")
        hashed.update(
            FileID=4321, RelativePath="Frieren Recap (2024)/Frieren Recap (2024).mkv"
        )
        await self.shoko.emit("ShokoEvent:FileHashed", hashed)
        await asyncio.sleep(self.step)
        show = next(
            item for item in self.jellyfin.items if item["Name"] == "Sousou no Frieren"
        )
        special = self.jellyfin.add_item(
            **episode(
                show, 0, 1, path=shokofin_path("Sousou no Frieren", 310, 4321, 0, 1)
            )
        )
        self.expected_items["frieren_recap_2024"] = special["Id"]
        matched = payload("shoko_v5_file_matched")
        matched.update(FileID=4321, RelativePath=hashed["RelativePath"])
        await self.shoko.emit("ShokoEvent:FileMatched", matched)
        await asyncio.sleep(self.step)


def frieren_recap_import() -> dict[str, Any]:
    """Radarr's import of the recap film, with the recap's own ids throughout.

    Built from Dune's fixture, so every Dune field is replaced: a Dune IMDb id
    left behind once made the recap match Dune's Jellyfin item.
    """
    imported = payload("radarr_download")
    folder = "/data/media/anime-movies/Frieren Recap (2024)"
    release = "Frieren.Recap.2024.1080p.WEB-DL.x264-GRP"
    ids = {"tmdbId": 1170521, "imdbId": "tt32155871"}  # made up, its own
    imported["movie"].update(
        id=13,
        title="Frieren Recap",
        year=2024,
        releaseDate="2024-03-22",
        folderPath=folder,
        images=[],
        genres=["Animation"],
        originalLanguage={"id": 8, "name": "Japanese"},
        **ids,
    )
    imported["remoteMovie"] = {"title": "Frieren Recap", "year": 2024, **ids}
    imported["movieFile"].update(
        id=56,
        relativePath="Frieren Recap (2024).mkv",
        path=f"{folder}/Frieren Recap (2024).mkv",
        sceneName=release,
        sourcePath=f"/data/torrents/radarr/{release}/frieren.recap.mkv",
    )
    imported["release"]["releaseTitle"] = release
    imported["downloadId"] = "E" * 40
    return imported
