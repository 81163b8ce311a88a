"""A real Home Assistant: set up over REST, fed by real webhooks, read over REST and WebSocket."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from pathlib import Path

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.fakes.jellyfin_items import movie
from tests.payloads import payload
from tests.services.qbittorrent import PASSWORD, USERNAME, QBittorrentProcess
from tests.services.torrent import make_torrent

from .hass_process import HassProcess
from .player import ENTITIES, StackPlayer

pytestmark = pytest.mark.e2e

FILM = "sensor.jellyfin_home_dune_part_two_2024"


async def _set_up(
    hass: HassProcess, jellyfin: FakeJellyfin, qbittorrent: dict | None = None
) -> dict[str, str]:
    result = await hass.config_flow(
        {"jellyfin_url": jellyfin.url, "jellyfin_api_key": jellyfin.api_key},
        qbittorrent or {},
        {},
        {},
    )
    assert result["type"] == "create_entry", result
    assert result["title"] == "Jellyfin Home"
    return result["description_placeholders"]


async def test_film_path_through_real_webhooks(
    hass_process: HassProcess, fake_jellyfin: FakeJellyfin
) -> None:
    urls = await _set_up(hass_process, fake_jellyfin)
    events = await hass_process.events()

    assert (
        await hass_process.post_webhook(
            urls["jellyseerr_webhook_url"], payload("jellyseerr_movie_auto_approved")
        )
        == HTTPStatus.OK
    )
    assert (await hass_process.state(FILM))["state"] == "approved"
    assert (
        await hass_process.post_webhook(
            urls["radarr_webhook_url"], payload("radarr_grab")
        )
        == HTTPStatus.OK
    )
    assert (await hass_process.state(FILM))["state"] == "indexed"
    item = fake_jellyfin.add_item(**movie("Dune: Part Two", 2024, {"Tmdb": "693134"}))
    assert (
        await hass_process.post_webhook(
            urls["radarr_webhook_url"], payload("radarr_download")
        )
        == HTTPStatus.OK
    )
    state = await hass_process.wait_for_state(FILM, "available", timeout=5)
    assert state["attributes"]["jellyfin_id"] == item["Id"]
    assert state["attributes"]["entity_picture"].startswith("https://image.tmdb.org/")
    assert "timeline" in state["attributes"]

    seen = [await events.next() for _ in range(4)]
    await events.close()
    assert [(event["from_state"], event["to_state"]) for event in seen] == [
        (None, "approved"),
        ("approved", "indexed"),
        ("indexed", "importing"),
        ("importing", "available"),
    ]
    assert {event["entity_id"] for event in seen} == {FILM}


async def test_bad_webhook_body_gets_its_status_from_real_hass(
    hass_process: HassProcess, fake_jellyfin: FakeJellyfin
) -> None:
    urls = await _set_up(hass_process, fake_jellyfin)
    assert hass_process.session is not None
    async with hass_process.session.post(
        urls["radarr_webhook_url"], data=b"not json"
    ) as response:
        assert response.status == HTTPStatus.BAD_REQUEST
    async with hass_process.session.post(
        urls["radarr_webhook_url"], json=payload("sonarr_grab_season_pack")
    ) as response:
        assert response.status == HTTPStatus.UNPROCESSABLE_ENTITY
    async with hass_process.session.get(urls["radarr_webhook_url"]) as response:
        assert response.status == HTTPStatus.METHOD_NOT_ALLOWED


async def test_nothing_acknowledged_is_lost_when_hass_is_killed(
    hass_process: HassProcess, fake_jellyfin: FakeJellyfin
) -> None:
    urls = await _set_up(hass_process, fake_jellyfin)
    # Home Assistant writes a new config entry a second later; a user sets up long before a kill.
    await hass_process.wait_for_saved_entry()
    assert (
        await hass_process.post_webhook(
            urls["jellyseerr_webhook_url"], payload("jellyseerr_movie_auto_approved")
        )
        == HTTPStatus.OK
    )
    assert (
        await hass_process.post_webhook(
            urls["radarr_webhook_url"], payload("radarr_grab")
        )
        == HTTPStatus.OK
    )
    await hass_process.kill()  # straight after the 200: no shutdown, no final write

    await hass_process.start()
    await hass_process.log_in()
    await hass_process.wait_until_running()
    state = await hass_process.wait_for_state(FILM, "indexed", timeout=10)
    assert [entry["state"] for entry in state["attributes"]["timeline"]] == [
        "approved",
        "indexed",
    ]


async def test_restart_in_the_middle_of_a_download(
    hass_process: HassProcess, fake_jellyfin: FakeJellyfin, tmp_path: Path
) -> None:
    if not QBittorrentProcess.available():
        pytest.skip("qbittorrent-nox is not installed")
    seeder, downloader = (
        QBittorrentProcess(tmp_path, "seeder"),
        QBittorrentProcess(tmp_path, "downloader"),
    )
    await asyncio.gather(seeder.start(), downloader.start())
    try:
        urls = await _set_up(
            hass_process,
            fake_jellyfin,
            {
                "qbittorrent_url": downloader.url,
                "qbittorrent_username": USERNAME,
                "qbittorrent_password": PASSWORD,
            },
        )
        await hass_process.wait_for_saved_entry()
        torrent = make_torrent(
            tmp_path / "content", "Dune.Part.Two.2024.mkv", 4 * 1024 * 1024
        )
        grab = payload("radarr_grab")
        grab["downloadId"] = torrent.info_hash.upper()
        await hass_process.post_webhook(
            urls["jellyseerr_webhook_url"], payload("jellyseerr_movie_auto_approved")
        )
        await hass_process.post_webhook(urls["radarr_webhook_url"], grab)
        await seeder.add(torrent, save_path=tmp_path / "content", seed=True)
        await downloader.add(
            torrent, save_path=downloader.downloads, download_limit=256 * 1024
        )
        await downloader.add_peer(torrent.info_hash, seeder)
        await hass_process.wait_for_state(FILM, "downloading", timeout=30)

        await hass_process.stop()
        await hass_process.start()
        await hass_process.log_in()
        await hass_process.wait_until_running()
        state = await hass_process.state(FILM)
        assert state is not None
        assert state["state"] in ("downloading", "download_done")
        state = await hass_process.wait_for_state(FILM, "download_done", timeout=60)
        assert [entry["state"] for entry in state["attributes"]["timeline"]] == [
            "approved",
            "indexed",
            "downloading",
            "download_done",
        ]
    finally:
        await asyncio.gather(seeder.stop(), downloader.stop())


async def test_four_paths_reach_available_through_real_webhooks_and_signalr(
    hass_process: HassProcess, tmp_path: Path
) -> None:
    """Regular film (real torrent), regular series, anime series and anime film, as the demo plays them."""
    if not QBittorrentProcess.available():
        pytest.skip("qbittorrent-nox is not installed")
    player = StackPlayer(hass_process, tmp_path, step=0.1, film_size=4 * 1024 * 1024)
    await player.start_services()
    try:
        await player.set_up_integration()
        events = await hass_process.events()
        await player.play_all()
        # Each request ended with its own Jellyfin item, not one sharing an id with it.
        assert {
            title: (await hass_process.state(f"sensor.demo_jellyfin_{title}"))[
                "attributes"
            ].get("jellyfin_id")
            for title in ENTITIES
        } == player.expected_items
        seen: list[dict] = []
        while len([event for event in seen if event["to_state"] == "available"]) < len(
            ENTITIES
        ):
            seen.append(await events.next(timeout=10))
        await events.close()
    finally:
        await player.stop_services()
    reached = {event["entity_id"] for event in seen if event["to_state"] == "available"}
    assert reached == {f"sensor.demo_jellyfin_{title}" for title in ENTITIES}
    assert {"download_done", "anime_matching"} <= {event["to_state"] for event in seen}
