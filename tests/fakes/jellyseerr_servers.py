"""The fake Jellyseerr's Radarr and Sonarr servers (Settings → Services).

Read in ``server/routes/settings/radarr.ts``, ``sonarr.ts``,
``server/lib/settings/index.ts`` and the Radarr and Sonarr modals
(``src/components/Settings/RadarrModal``, ``SonarrModal``) at Jellyseerr
v2.0.0 and v2.7.3 and Seerr v3.1.0 (``tests/fakes/UPSTREAM.md``):

- ``GET /api/v1/settings/radarr`` and ``…/sonarr`` answer ``settings.radarr``
  / ``settings.sonarr`` as stored, ``[]`` when none is set up; the same route
  and the same stored shape in all three versions;
- a stored server is what the modal posts (``name``, ``hostname``, ``port``,
  ``apiKey``, ``useSsl``, ``baseUrl``, ``is4k``, ``isDefault``, profiles,
  folders, ``tags``, ``externalUrl``, ``syncEnabled``, ``preventSearch``,
  ``tagRequests``, and ``minimumAvailability`` or Sonarr's series fields)
  with the ``id`` the route gives it (the last one's plus one, from 0);
- the server's own API key is in the answer.

Both are under ``/api/v1/settings``, so only an admin (the API key's user)
may read them; the fake's ``FakeJellyseerr`` checks that before serving.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

type App = Literal["radarr", "sonarr"]


class SeerrServers:
    """The Radarrs and Sonarrs one fake Jellyseerr sends requests to."""

    def __init__(self) -> None:
        self.stored: dict[App, list[dict[str, Any]]] = {"radarr": [], "sonarr": []}

    def add(
        self,
        app: App,
        *,
        name: str,
        hostname: str,
        port: int,
        use_ssl: bool = False,
        base_url: str = "",
        is_4k: bool = False,
        is_default: bool = True,
        api_key: str = "arr-key-in-jellyseerr",
    ) -> dict[str, Any]:
        """Set a server up as the modal does, and return it as stored."""
        servers = self.stored[app]
        server: dict[str, Any] = {
            "name": name,
            "hostname": hostname,
            "port": port,
            "apiKey": api_key,
            "useSsl": use_ssl,
            "baseUrl": base_url,
            "activeProfileId": 4,
            "activeProfileName": "HD-1080p",
            "activeDirectory": "/movies" if app == "radarr" else "/tv",
            "is4k": is_4k,
            "tags": [],
            "isDefault": is_default,
            "externalUrl": "",
            "syncEnabled": False,
            "preventSearch": False,
            "tagRequests": False,
        }
        if app == "radarr":
            server["minimumAvailability"] = "released"
        else:
            server |= {
                "seriesType": "standard",
                "animeSeriesType": "anime",
                "animeTags": [],
                "enableSeasonFolders": True,
            }
        server["id"] = servers[-1]["id"] + 1 if servers else 0
        servers.append(server)
        return server

    def answer(self, app: App) -> web.Response:
        """``res.status(200).json(settings.<app>)``."""
        return web.json_response(self.stored[app])
