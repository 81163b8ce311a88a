"""A small Shoko Server REST client: version, status, and API keys.

Shoko takes its key in an ``apikey`` header (not ``X-Api-Key``, not Bearer on
v5); sending it on every call lets one client serve v5 (anonymous hub) and
v6 (authenticated hub) alike. Ours because PyPI has no Python client for
Shoko Server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

REQUEST_TIMEOUT = 15
DEVICE_NAME = "home-assistant-media-request-tracker"


class ShokoError(Exception):
    """Shoko answered with something we cannot use."""


class ShokoConnectionError(ShokoError):
    """Shoko could not be reached, is still starting, or failed on its side."""


class ShokoAuthError(ShokoError):
    """Shoko refused the API key or the username and password."""


class ShokoClient:
    """Talks to one Shoko Server."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str, api_key: str | None = None
    ) -> None:
        """Use the caller's session."""
        self.session = session
        self.url = url.rstrip("/")
        self.api_key = api_key

    async def async_get_major_version(self) -> int:
        """Read the server's major version (``/api/v3/Init/Version`` needs no key)."""
        data = await self._request("GET", "/api/v3/Init/Version")
        version = (
            data.get("Server", {}).get("Version") if isinstance(data, dict) else None
        )
        if not isinstance(version, str) or not version.split(".")[0].isdigit():
            raise ShokoError("/api/v3/Init/Version did not name a server version")
        return int(version.split(".")[0])

    async def async_check_started(self) -> None:
        """Fail unless Shoko has finished starting (``State`` 2)."""
        data = await self._request("GET", "/api/v3/Init/Status")
        if not isinstance(data, dict) or data.get("State") != 2:
            raise ShokoConnectionError("Shoko Server has not finished starting")

    async def async_check_key(self) -> None:
        """Make one authenticated call; a bad key gives 401."""
        await self._request("GET", "/api/v3/ImportFolder")

    async def async_create_key(self, username: str, password: str) -> str:
        """Trade a username and password for an API key; the password is not kept."""
        data = await self._request(
            "POST",
            "/api/auth",
            json={"user": username, "pass": password, "device": DEVICE_NAME},
        )
        key = data.get("apikey") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise ShokoError("/api/auth returned no API key")
        self.api_key = key
        return key

    async def _request(
        self, method: str, path: str, json: dict[str, Any] | None = None
    ) -> Any:
        headers = {"apikey": self.api_key} if self.api_key else {}
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                response = await self.session.request(
                    method, f"{self.url}{path}", json=json, headers=headers
                )
                async with response:
                    if response.status in (401, 403):
                        raise ShokoAuthError(
                            f"Shoko refused the credentials ({response.status})"
                        )
                    if response.status >= 400:
                        raise ShokoConnectionError(
                            f"Shoko answered {response.status} for {path}"
                        )
                    return await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as err:
            raise ShokoConnectionError(
                f"cannot reach Shoko: {err or type(err).__name__}"
            ) from err
        except ValueError as err:
            raise ShokoError(f"Shoko sent invalid JSON for {path}") from err
