"""Radarr's and Sonarr's notification ("Connect") API, v3.

Both apps share it: ``GET``/``POST /api/v3/notification``, ``PUT`` and
``DELETE /api/v3/notification/{id}``, with the ``X-Api-Key`` header. Creating or changing an enabled connection makes the
app send a ``Test`` event to it first; if that fails it answers ``400`` with
a list of validation failures and saves nothing.

Written here rather than taken from aiopyarr (23.4.0, its newest release and
the version Home Assistant core pins, 2025.4 to 2026.11), which does have
these endpoints and takes a session, but: it logs every response body at debug
level, and the notification list holds every connection's URL, ours (whose
webhook id is a secret) and the user's other ones; a ``400`` becomes a bare
"failed with status code '400'", dropping the reason the app gives; and it
adds the app's default port to a URL that has none
(``https://radarr.example.com`` is called as ``…:7878``), which misses a
reverse proxy on 443. Resources stay plain JSON objects, so a field a newer
app adds survives a read-modify-write.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
import json
from typing import Any

import aiohttp

from .http import SMALL_BODY, HttpAnswer, ServiceError, async_request

REQUEST_TIMEOUT = 20
NOTIFICATION_PATH = "/api/v3/notification"


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrValidationFailure:
    """One reason the app gave for refusing a resource."""

    property_name: str
    message: str


class ArrRejectedError(ServiceError):
    """The app refused the resource (400), for instance because its test event failed.

    The app's messages may quote the connection's URL, so they are kept in
    ``failures`` and left out of ``str(error)``.
    """

    def __init__(self, app: str, failures: tuple[ArrValidationFailure, ...]) -> None:
        """Keep the failures; the message names only the fields."""
        fields = ", ".join(sorted({f.property_name or "?" for f in failures})) or "?"
        super().__init__(f"{app} refused the connection (fields: {fields})")
        self.failures = failures


class ArrApi:
    """One Radarr's or Sonarr's API v3: where it is, its key, and how a call is made."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        api_key: str,
        *,
        app: str = "Radarr",
    ) -> None:
        """Use the caller's session, so Home Assistant's shared one can be injected."""
        self._session = session
        self._url = url.rstrip("/")
        self._app = app
        self._headers = {"X-Api-Key": api_key, "Accept": "application/json"}

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        max_body: int = SMALL_BODY,
        answers: Container[int] = (),
    ) -> HttpAnswer:
        """Call ``path`` with the key, ``body`` as JSON; the apps answer a wrong key with 401."""
        return await async_request(
            self._session,
            method,
            f"{self._url}{path}",
            service=self._app,
            timeout=REQUEST_TIMEOUT,
            headers=self._headers,
            params=params,
            json=body,
            max_body=max_body,
            refused=(401,),
            answers=answers,
        )


class ArrClient(ArrApi):
    """Manages the notification connections of one Radarr or Sonarr."""

    async def async_get_app_name(self) -> str:
        """Return the app's own name (``Radarr``, ``Sonarr``): which app a URL reaches."""
        data = await self._request("GET", "/api/v3/system/status")
        if not isinstance(data, dict):
            raise ServiceError(f"{self._app} did not return its status")
        return str(data.get("appName") or "")

    async def async_get_notifications(self) -> list[dict[str, Any]]:
        """Every connection, of every kind (webhooks, Discord, e-mail …)."""
        data = await self._request("GET", NOTIFICATION_PATH)
        if not isinstance(data, list):
            raise ServiceError(f"{self._app} did not return a list of connections")
        return [item for item in data if isinstance(item, dict)]

    async def async_add_notification(
        self, resource: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Create a connection; the app tests it first when any event is on."""
        return await self._resource("POST", NOTIFICATION_PATH, resource)

    async def async_update_notification(
        self, resource: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Replace the connection ``resource["id"]``; tested first if it changed."""
        return await self._resource(
            "PUT", f"{NOTIFICATION_PATH}/{int(resource['id'])}", resource
        )

    async def async_delete_notification(self, notification_id: int) -> None:
        """Delete one connection."""
        await self._request("DELETE", f"{NOTIFICATION_PATH}/{int(notification_id)}")

    async def _resource(
        self, method: str, path: str, resource: Mapping[str, Any]
    ) -> dict[str, Any]:
        data = await self._request(method, path, resource)
        if not isinstance(data, dict):
            raise ServiceError(f"{self._app} did not return the saved connection")
        return data

    async def _request(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> Any:
        answer = await self._call(
            method,
            path,
            body=dict(body) if body is not None else None,
            answers=(400,),
        )
        if answer.status == 400:
            raise ArrRejectedError(self._app, _failures(answer.body))
        return answer.json()


def _failures(content: bytes) -> tuple[ArrValidationFailure, ...]:
    """Read a 400 body: a list of validation failures, or ``{"message": …}``."""
    try:
        data = json.loads(content)
    except ValueError:
        return ()
    items = data if isinstance(data, list) else [data]
    return tuple(
        ArrValidationFailure(
            property_name=str(item.get("propertyName") or ""),
            message=str(item.get("errorMessage") or item.get("message") or ""),
        )
        for item in items
        if isinstance(item, dict)
    )
