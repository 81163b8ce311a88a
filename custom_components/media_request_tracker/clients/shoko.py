"""A small Shoko Server REST client: version, status, and API keys.

Shoko takes its key in an ``apikey`` header (not ``X-Api-Key``, not Bearer on
v5); sending it on every call lets one client serve v5 (anonymous hub) and
v6 (authenticated hub) alike. Where the majors differ (``State`` a number
before 5.2, a string since; ``ImportFolder`` renamed ``ManagedFolder`` in v6)
each is accepted; ``tests/fakes/UPSTREAM.md`` has the sources.
Ours because PyPI has no Python client for Shoko Server.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from .http import ServiceError, ServiceUnavailableError, async_request

REQUEST_TIMEOUT = 15
DEVICE_NAME = "home-assistant-media-request-tracker"
# ServerStatus.StartupState: v5.0-5.1 write the number, 5.2 and v6 the name.
STARTED = (2, "Started")


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
            raise ServiceError("/api/v3/Init/Version did not name a server version")
        return int(version.split(".")[0])

    async def async_check_started(self) -> None:
        """Fail unless Shoko has finished starting (``State`` ``2`` or ``"Started"``)."""
        data = await self._request("GET", "/api/v3/Init/Status")
        state = data.get("State") if isinstance(data, dict) else None
        if state not in STARTED:
            raise ServiceUnavailableError(
                f"Shoko Server has not finished starting (state {state!r})"
            )

    async def async_check_key(self, major_version: int) -> None:
        """Make one authenticated call that every user may make; a bad key gives 401."""
        folders = "ManagedFolder" if major_version >= 6 else "ImportFolder"
        await self._request("GET", f"/api/v3/{folders}")

    async def async_create_key(self, username: str, password: str) -> str:
        """Trade a username and password for an API key; the password is not kept."""
        data = await self._request(
            "POST",
            "/api/auth",
            json={"user": username, "pass": password, "device": DEVICE_NAME},
        )
        key = data.get("apikey") if isinstance(data, dict) else None
        if not isinstance(key, str) or not key:
            raise ServiceError("/api/auth returned no API key")
        self.api_key = key
        return key

    async def _request(
        self, method: str, path: str, json: dict[str, Any] | None = None
    ) -> Any:
        headers = {"apikey": self.api_key} if self.api_key else {}
        answer = await async_request(
            self.session,
            method,
            f"{self.url}{path}",
            service="Shoko",
            timeout=REQUEST_TIMEOUT,
            json=json,
            headers=headers,
        )
        return answer.json()
