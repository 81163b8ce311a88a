"""Requests that stay unfinished, for the demo and the card's browser test.

One series nobody approves (it stays *Waiting for approval*), and one film whose
torrent is removed from qBittorrent before it finished (it stays with its
``download_problem`` repair issue, *Needs attention* in the card).
"""

from __future__ import annotations

import asyncio

from tests.payloads import jellyseerr, payload
from tests.services.torrent import make_torrent

from .player import StackPlayer, say

OPPENHEIMER = "oppenheimer_2023"
THE_LAST_OF_US = "the_last_of_us_2023"


async def waiting_for_approval(player: StackPlayer) -> None:
    """Request a series nobody approves: it stays waiting for approval."""
    say("a series waiting for approval: The Last of Us")
    request = jellyseerr("jellyseerr_tv_pending", request_id="47")
    request.update(subject="The Last of Us (2023)", image="")
    request["media"].update(tmdbId="100088", tvdbId="392256")
    await player.webhook("jellyseerr", request)


async def removed_download(player: StackPlayer, seen_for: float = 25) -> None:
    """Request a film and remove its torrent from qBittorrent: it stays with a repair issue."""
    say("a film whose download is removed from qBittorrent: Oppenheimer")
    request = payload("jellyseerr_movie_auto_approved")
    request.update(subject="Oppenheimer (2023)", image="")
    request["media"]["tmdbId"] = "872585"
    request["request"]["request_id"] = "46"
    await player.webhook("jellyseerr", request)
    torrent_name, size = "Oppenheimer.2023.1080p.WEB-DL.mkv", 4 * 1024 * 1024
    torrent = make_torrent(player.work / "content", torrent_name, size)
    grab = payload("radarr_grab")
    grab["movie"].update(title="Oppenheimer", year=2023, tmdbId=872585)
    grab["release"].update(releaseTitle=torrent_name.removesuffix(".mkv"), size=size)
    grab["downloadId"] = torrent.info_hash.upper()
    await player.webhook("radarr", grab)
    # No seeder: it waits for peers until it is removed, once a poll (every 10 s) has seen it.
    await player.downloader.add(torrent, save_path=player.downloader.downloads)
    await asyncio.sleep(seen_for)
    await player.downloader.delete(torrent.info_hash)
