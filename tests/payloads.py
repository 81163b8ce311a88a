"""Real-shaped payload fixtures, loaded fresh for every use so tests may edit them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

DUNE_HASH = "3a7c2f0b9e4d1c6a8b5f2e0d9c7b6a5f4e3d2c1b"
SEVERANCE_HASH = "9f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
JELLYFIN_SERVER_ID = "8f0c4e2a9b7d4c1e8a6f5b3d2c1e0f9a"
SEVERANCE_SERIES_ID = "0c7e4f1a2b3c4d5e8f90a1b2c3d4e5f6"


def payload(name: str) -> dict[str, Any]:
    """Load ``tests/fixtures/<name>.json``."""
    data: dict[str, Any] = json.loads(
        (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    )
    return data


def jellyseerr(
    name: str, notification_type: str | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """A Jellyseerr fixture, optionally as another notification type or request."""
    data = payload(name)
    if notification_type is not None:
        data["notification_type"] = notification_type
    if request_id is not None:
        data["request"]["request_id"] = request_id
    return data


def jellyfin_episode(
    season: int, episode: int, item_id: str | None = None
) -> dict[str, Any]:
    """A Jellyfin ItemAdded for one Severance episode."""
    data = payload("jellyfin_item_added_episode")
    data["SeasonNumber"] = str(season)
    data["EpisodeNumber"] = str(episode)
    data["ItemId"] = item_id or f"6213b704-a0d9-5429-3110-{season:04d}{episode:08d}"
    return data


def sonarr_episode_import(episode: int) -> dict[str, Any]:
    """Sonarr's per-file Download for one Severance S01 episode."""
    grab = payload("sonarr_grab_season_pack")
    data = payload("sonarr_download_episode")
    data["episodes"] = [grab["episodes"][episode - 1]]
    data["episodeFile"]["relativePath"] = data["episodeFile"]["relativePath"].replace(
        "S01E01", f"S01E{episode:02d}"
    )
    return data
