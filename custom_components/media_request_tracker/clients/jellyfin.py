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

from dataclasses import dataclass
from typing import Any

import aiohttp

from .http import LARGE_BODY, SMALL_BODY, ServiceError, async_request

CLIENT_NAME = "Media Request Tracker"
CLIENT_VERSION = "0.1.0"
REQUEST_TIMEOUT = 15


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
        data = await self._get_json("/System/Info", {}, max_body=SMALL_BODY)
        if not isinstance(data, dict) or not isinstance(data.get("Id"), str):
            raise ServiceError("/System/Info did not return a server id")
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
            raise ServiceError("/Items did not return an item list")
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
            # Not ``minDateLastSaved``: on 10.9 and 10.10 that one fails with 500
            # (its SQL names the ...ForUser parameter but binds another), while
            # ``minDateLastSavedForUser`` compares the item's DateLastSaved on
            # every release (tests/fakes/UPSTREAM.md).
            params["minDateLastSavedForUser"] = saved_since
        data = await self._get_json("/Items", params)
        items = data.get("Items") if isinstance(data, dict) else None
        total = data.get("TotalRecordCount") if isinstance(data, dict) else None
        if not isinstance(items, list) or not isinstance(total, int):
            raise ServiceError("/Items did not return a page of items")
        return [item for item in items if isinstance(item, dict)], total

    async def _get_json(
        self, path: str, params: dict[str, str], *, max_body: int = LARGE_BODY
    ) -> Any:
        """GET and parse; item pages may be large, so their cap is 32 MiB."""
        answer = await async_request(
            self._session,
            "GET",
            f"{self._url}{path}",
            service="Jellyfin",
            timeout=REQUEST_TIMEOUT,
            # Jellyfin builds a whole page before its first byte.
            read_timeout=REQUEST_TIMEOUT,
            params=params,
            headers=self._headers,
            max_body=max_body,
        )
        return answer.json()
