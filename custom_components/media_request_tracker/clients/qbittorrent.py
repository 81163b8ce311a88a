"""A small qBittorrent WebUI API v2 client.

Written here rather than taken from a library, as of their newest releases:
qbittorrent-api (2026.10.1) is blocking (requests). aioqbt (1.1.0) is async
and accepts both login styles (``Ok.`` before 5.2, ``204`` since), but it never
logs in again when the session expires (a ``403`` is a ``ForbiddenError``); it
raises the same ``LoginError`` for bad credentials (``401``, or ``Fails.``
before 5.2) and for an address qBittorrent has banned (``403``), told apart
only by its ``status``; it logs every answer outside 2xx as a warning with a
traceback; and a torrent state its enum lacks fails a whole ``torrents/info``
call. Cookies live in the
caller's session, which must keep cookies for IP hosts
(``aiohttp.CookieJar(unsafe=True)``), because users type ``http://192.168.x.y``.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from .http import (
    LARGE_BODY,
    ServiceAuthError,
    ServiceError,
    ServiceUnavailableError,
    async_request,
)

REQUEST_TIMEOUT = 15


class QBittorrentBannedError(ServiceUnavailableError):
    """qBittorrent banned this address after failed logins; retrying now makes it worse."""


class QBittorrentClient:
    """Talks to one qBittorrent WebUI, logging in again when the session expires."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        """Use the caller's session; without credentials, rely on auth bypass."""
        self._session = session
        self._url = url.rstrip("/")
        self._username = username or ""
        self._password = password or ""
        self._logged_in = False

    async def async_login(self) -> None:
        """Log in; both the ≤5.1 (200 ``Ok.``) and the ≥5.2 (204) styles succeed."""
        # An Origin or Referer that does not match the host trips qBittorrent's
        # CSRF check, so none is sent.
        status, body = await self._request(
            "POST",
            "/api/v2/auth/login",
            data={"username": self._username, "password": self._password},
        )
        if status == 204 or (status == 200 and body.strip() == b"Ok."):
            self._logged_in = True
            return
        if status == 403:
            raise QBittorrentBannedError(
                "qBittorrent has banned this address after failed logins"
            )
        if status == 401 or (status == 200 and body.strip() == b"Fails."):
            raise ServiceAuthError("qBittorrent refused the username or password")
        raise ServiceUnavailableError(f"qBittorrent answered {status} to the login")

    async def async_sync_maindata(self, rid: int) -> dict[str, Any]:
        """One incremental sync: only what changed since ``rid``, whatever the torrent count."""
        data = _json(await self._get("/api/v2/sync/maindata", {"rid": str(rid)}))
        if not isinstance(data, dict):
            raise ServiceError("sync/maindata did not return an object")
        return data

    async def _get(self, path: str, params: dict[str, str]) -> bytes:
        """GET, logging in first when needed and once more when the session expired."""
        if not self._logged_in and (self._username or self._password):
            await self.async_login()
        status, body = await self._request("GET", path, params=params)
        if status == 403:
            self._logged_in = False
            await self.async_login()
            status, body = await self._request("GET", path, params=params)
            if status == 403:
                raise ServiceAuthError(
                    "qBittorrent refused the session after a fresh login"
                )
        if status >= 400:
            raise ServiceUnavailableError(f"qBittorrent answered {status} for {path}")
        return body

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Return the status and body; 401 and 403 are the callers' to read.

        The cap is 32 MiB, not 1 MiB: a full sync lists every torrent with
        some fifty fields, about 2 kB each, and seedboxes hold thousands.
        """
        answer = await async_request(
            self._session,
            method,
            f"{self._url}{path}",
            service="qBittorrent",
            timeout=REQUEST_TIMEOUT,
            params=params,
            data=data,
            max_body=LARGE_BODY,
            refused=(),
            answers=(401, 403),
        )
        return answer.status, answer.body


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as err:
        raise ServiceError("qBittorrent sent invalid JSON") from err
