"""Real-shaped Jellyfin BaseItemDto records (PascalCase, dash-less ids, string provider ids)."""

from __future__ import annotations

from typing import Any
import uuid


def new_id() -> str:
    return uuid.uuid4().hex


def movie(
    name: str,
    year: int,
    providers: dict[str, str],
    path: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "Name": name,
        "Id": new_id(),
        "Type": "Movie",
        "ProductionYear": year,
        "ProviderIds": providers,
        "Path": path or f"/media/movies/{name} ({year})/{name} ({year}).mkv",
        "PremiereDate": f"{year}-01-01T00:00:00.0000000Z",
        "IsFolder": False,
        **extra,
    }


def series(
    name: str,
    year: int,
    providers: dict[str, str],
    item_id: str | None = None,
    path: str | None = None,
) -> dict[str, Any]:
    return {
        "Name": name,
        "Id": item_id or new_id(),
        "Type": "Series",
        "ProductionYear": year,
        "ProviderIds": providers,
        "Path": path or f"/media/tv/{name}",
        "IsFolder": True,
    }


def episode(
    show: dict[str, Any],
    season: int,
    number: int,
    *,
    virtual: bool = False,
    premiere: str = "2022-02-18T00:00:00.0000000Z",
    path: str | None = None,
    providers: dict[str, str] | None = None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "Name": f"Episode {number}",
        "Id": new_id(),
        "Type": "Episode",
        "SeriesId": show["Id"],
        "SeriesName": show["Name"],
        "ParentIndexNumber": season,
        "IndexNumber": number,
        "ProviderIds": providers or {},
        "PremiereDate": premiere,
        "LocationType": "Virtual" if virtual else "FileSystem",
        "IsFolder": False,
    }
    if not virtual:
        record["Path"] = (
            path
            or f"{show['Path']}/Season {season:02d}/{show['Name']} S{season:02d}E{number:02d}.mkv"
        )
    return record


def shokofin_path(
    show: str, shoko_series: int, shoko_file: int, season: int, number: int
) -> str:
    """The VFS path Shokofin gives an episode (protocols.md §6.6)."""
    return (
        f"/config/Shokofin/VFS/0f6d2c3a/{show} [Shoko Series={shoko_series}]/Season {season:02d}/"
        f"{show} S{season:02d}E{number:02d} [Shoko Series={shoko_series}] [Shoko File={shoko_file}].mkv"
    )
