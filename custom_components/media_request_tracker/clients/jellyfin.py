"""A small Jellyfin REST client.

Jellyfin 12 drops the legacy ``X-Emby-Token`` headers, so only the
``Authorization: MediaBrowser Token="…"`` form is sent.

Written here rather than taken from a library, as of their newest releases:
jellyfin-apiclient-python (1.20.2, what Home Assistant core's Jellyfin
integration uses) is blocking (requests). aiojellyfin (0.14.1) is async but
made for music: query builders for artists, albums, tracks and playlists, and a
generic one that cannot ask for ``ids``, ``sortBy``, ``minDateLastSaved`` or
``enableImages=false``; it has no ``/System/Info`` (the server id), sets no
timeout of its own, and raises a bare ``aiohttp.ClientResponseError`` for any
error but ``404``, a refused key included.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
import json
from typing import Any

import aiohttp

CLIENT_NAME = "Media Request Tracker"
CLIENT_VERSION = "0.1.0"
REQUEST_TIMEOUT = 15


class JellyfinError(Exception):
    """Jellyfin answered with something we cannot use."""


class JellyfinConnectionError(JellyfinError):
    """Jellyfin could not be reached or failed on its side."""


class JellyfinAuthError(JellyfinError):
    """Jellyfin refused the API key."""


@dataclass(frozen=True, kw_only=True, slots=True)
class JellyfinServerInfo:
    """Identity of a Jellyfin server; its id is the config entry's unique id."""

    server_id: str
    name: str
    version: str | None


class JellyfinClient:
    """Talks to one Jellyfin server with an API key."""

    def __init__(self, session: aiohttp.ClientSession, url: str, api_key: str) -> None:
        """Use the caller's session, so Home Assistant's shared one can be injected."""
        self._session = session
        self._url = url.rstrip("/")
        self.request_count = 0
        self.bytes_received = 0
        self._headers = {
            "Authorization": (
                f'MediaBrowser Client="{CLIENT_NAME}", Device="Home Assistant", '
                f'DeviceId="media-request-tracker", Version="{CLIENT_VERSION}", '
                f'Token="{api_key}"'
            ),
            "Accept": "application/json",
        }

    async def async_get_server_info(self) -> JellyfinServerInfo:
        """Read the server identity; this call needs a valid key."""
        data = await self._get_json("/System/Info", {})
        if not isinstance(data, dict) or not isinstance(data.get("Id"), str):
            raise JellyfinError("/System/Info did not return a server id")
        return JellyfinServerInfo(
            server_id=data["Id"].replace("-", "").lower(),
            name=str(data.get("ServerName") or "Jellyfin"),
            version=str(data["Version"]) if data.get("Version") else None,
        )

    async def async_get_items(
        self, item_ids: list[str], fields: str = "ProviderIds"
    ) -> list[dict[str, Any]]:
        """Fetch items by id; ``/Items/{id}`` would need a user, this does not."""
        data = await self._get_json(
            "/Items",
            {"ids": ",".join(item_ids), "fields": fields, "enableImages": "false"},
        )
        items = data.get("Items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise JellyfinError("/Items did not return an item list")
        return [item for item in items if isinstance(item, dict)]

    async def async_get_library_page(
        self,
        start: int,
        limit: int,
        *,
        fields: str,
        item_types: str,
        saved_since: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of the whole library, oldest first; ``saved_since`` keeps only recent changes."""
        params = {
            "recursive": "true",
            "includeItemTypes": item_types,
            "fields": fields,
            "sortBy": "DateCreated,SortName",
            "sortOrder": "Ascending",
            "startIndex": str(start),
            "limit": str(limit),
            "enableImages": "false",
            "enableUserData": "false",
        }
        if saved_since is not None:
            params["minDateLastSaved"] = saved_since
        data = await self._get_json("/Items", params)
        items = data.get("Items") if isinstance(data, dict) else None
        total = data.get("TotalRecordCount") if isinstance(data, dict) else None
        if not isinstance(items, list) or not isinstance(total, int):
            raise JellyfinError("/Items did not return a page of items")
        return [item for item in items if isinstance(item, dict)], total

    async def _get_json(self, path: str, params: dict[str, str]) -> Any:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                response = await self._session.get(
                    f"{self._url}{path}", params=params, headers=self._headers
                )
                async with response:
                    if response.status in (401, 403):
                        raise JellyfinAuthError(
                            f"Jellyfin refused the API key ({response.status})"
                        )
                    if response.status >= 400:
                        raise JellyfinConnectionError(
                            f"Jellyfin answered {response.status} for {path}"
                        )
                    body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as err:
            raise JellyfinConnectionError(
                f"cannot reach Jellyfin: {err or type(err).__name__}"
            ) from err
        self.request_count += 1
        self.bytes_received += len(body)
        try:
            return json.loads(body)
        except ValueError as err:
            raise JellyfinError(f"Jellyfin sent invalid JSON for {path}") from err
