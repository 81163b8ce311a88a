"""Jellyseerr's (Seerr's) webhook notification agent, read and written over its API.

``GET``/``POST /api/v1/settings/notifications/webhook`` and ``POST …/webhook/test``
with the ``X-Api-Key`` header (a missing key gets ``401``, a wrong one ``403``).
The agent is a single slot; a ``POST`` replaces all of it.

The payload template travels **double-encoded**: ``options.jsonPayload`` in a
``POST`` is a JSON string *literal* whose content is the template's JSON text
(what the UI sends, ``JSON.stringify(text)``). Seerr checks only that it
parses, stores it base64-encoded, and at send time runs
``JSON.parse(JSON.parse(decoded))``. A ``GET`` parses it once, so it returns
the template text. A template sent once-encoded is stored (``200``), but every
send then fails and ``/test`` answers ``500``; a ``jsonPayload`` that is not a
string is refused by the API schema (``400``). Seerr 3 adds ``embedPoster``
and ``options.supportVariables``; Jellyseerr 2 leaves them out of a ``GET`` and
drops them from a ``POST``. Checked against
``server/routes/settings/notifications.ts`` and
``server/lib/notifications/agents/webhook.ts`` at Jellyseerr v2.0.0 and v2.7.3
and Seerr v3.1.0 (``tests/fakes/UPSTREAM.md``).

``GET /api/v1/settings/radarr`` and ``…/sonarr`` (admins only, as all of
``/api/v1/settings``) list the Radarrs and Sonarrs Jellyseerr sends requests
to, each with its own API key, which ``core/parsers/jellyseerr_servers.py``
leaves behind; the same route and shape at Jellyseerr v2.0.0, v2.7.3 and
Seerr v3.1.0.

Written here rather than taken from python-overseerr (0.9.0, its newest
release), which has these calls: Home Assistant core's Overseerr integration
pins it at a different exact version in each release (0.7.1 in 2025.4, 0.8.0
in 2026.2, 0.9.0 in 2026.11), so pinning our own would make Home Assistant
reinstall one or the other at every start for users of both integrations; it
takes a host and port rather than a URL, so a Jellyseerr under a path behind a
reverse proxy is out of reach; its save call sends only ``enabled``, ``types``,
``webhookUrl`` and ``jsonPayload``, leaving out ``authHeader`` and
``supportVariables``; and its test call turns every error into ``False``.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any, Literal

import aiohttp

from custom_components.media_request_tracker.core.parsers.fields import PayloadError
from custom_components.media_request_tracker.core.parsers.jellyseerr_servers import (
    SeerrServer,
    parse_servers,
)

from .http import ServiceError, ServiceUnavailableError, async_request

REQUEST_TIMEOUT = 20
# A form waits on it: a slow answer is no answer.
SERVERS_TIMEOUT = 10
WEBHOOK_PATH = "/api/v1/settings/notifications/webhook"
SERVER_PATHS = {
    "radarr": "/api/v1/settings/radarr",
    "sonarr": "/api/v1/settings/sonarr",
}


class JellyseerrRejectedError(ServiceError):
    """Jellyseerr refused the settings (400)."""


class JellyseerrUnknownRequestError(ServiceError):
    """Jellyseerr has no request with that id (404)."""


class JellyseerrTestFailedError(ServiceError):
    """Jellyseerr could not deliver its test notification to the webhook URL."""


@dataclass(frozen=True, kw_only=True, slots=True)
class WebhookAgentSettings:
    """The webhook agent's settings, with the template as the text the UI shows."""

    enabled: bool
    types: int
    webhook_url: str
    # None when the stored payload is not a JSON string: saved once-encoded by
    # some API client, so every send fails.
    payload_template: str | None
    auth_header: str = ""
    support_variables: bool = False
    embed_poster: bool | None = None

    def template(self) -> Any:
        """Parse the template; None when it does not parse."""
        if self.payload_template is None:
            return None
        try:
            return json.loads(self.payload_template)
        except ValueError:
            return None

    def as_request(self) -> dict[str, Any]:
        """Build the body of a ``POST``, with the template double-encoded."""
        body: dict[str, Any] = {
            "enabled": self.enabled,
            "types": self.types,
            "options": {
                "webhookUrl": self.webhook_url,
                "jsonPayload": json.dumps(self.payload_template or "{}"),
                "authHeader": self.auth_header,
                "supportVariables": self.support_variables,
            },
        }
        if self.embed_poster is not None:
            body["embedPoster"] = self.embed_poster
        return body


class JellyseerrClient:
    """Reads and writes the webhook agent of one Jellyseerr."""

    def __init__(self, session: aiohttp.ClientSession, url: str, api_key: str) -> None:
        """Use the caller's session, so Home Assistant's shared one can be injected."""
        self._session = session
        self._url = url.rstrip("/")
        self._headers = {"X-Api-Key": api_key, "Accept": "application/json"}

    async def async_get_webhook(self) -> WebhookAgentSettings:
        """Read the webhook agent's settings."""
        status, data = await self._request("GET", WEBHOOK_PATH)
        if status != 200 or not isinstance(data, dict):
            raise ServiceError("Jellyseerr did not return its webhook settings")
        options = data.get("options")
        if not isinstance(options, dict):
            options = {}
        payload = options.get("jsonPayload")
        embed_poster = data.get("embedPoster")
        return WebhookAgentSettings(
            enabled=data.get("enabled") is True,
            types=data["types"] if isinstance(data.get("types"), int) else 0,
            webhook_url=str(options.get("webhookUrl") or ""),
            payload_template=payload if isinstance(payload, str) else None,
            auth_header=str(options.get("authHeader") or ""),
            support_variables=options.get("supportVariables") is True,
            embed_poster=embed_poster if isinstance(embed_poster, bool) else None,
        )

    async def async_save_webhook(self, settings: WebhookAgentSettings) -> None:
        """Replace the webhook agent's settings."""
        status, data = await self._request("POST", WEBHOOK_PATH, settings.as_request())
        if status == 400:
            raise JellyseerrRejectedError(
                f"Jellyseerr refused the webhook settings: {_message(data)}"
            )
        if status != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {status} when saving the webhook settings"
            )

    async def async_test_webhook(self, settings: WebhookAgentSettings) -> None:
        """Have Jellyseerr send its test notification with these (unsaved) settings."""
        status, data = await self._request(
            "POST", f"{WEBHOOK_PATH}/test", settings.as_request(), answers_5xx=True
        )
        if status == 204:
            return
        if status == 400:
            raise JellyseerrRejectedError(
                f"Jellyseerr refused the webhook settings: {_message(data)}"
            )
        if status == 500:
            raise JellyseerrTestFailedError(
                "Jellyseerr could not deliver its test notification"
            )
        raise ServiceUnavailableError(
            f"Jellyseerr answered {status} to the webhook test"
        )

    async def async_set_request_status(
        self, request_id: int, status: Literal["approve", "decline"]
    ) -> None:
        """Approve or decline a request: ``POST /api/v1/request/{id}/{status}``.

        Seerr takes no body (no reason) and checks no current status; it needs
        ``MANAGE_REQUESTS`` (``403`` without, a ``ServiceAuthError`` here) and
        answers ``200`` with the request, or ``404`` for an unknown id.
        """
        answer, _ = await self._request(
            "POST", f"/api/v1/request/{request_id}/{status}"
        )
        if answer == 404:
            raise JellyseerrUnknownRequestError(
                f"Jellyseerr has no request {request_id}"
            )
        if answer != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {answer} to {status} request {request_id}"
            )

    async def async_get_requests(self, take: int, skip: int) -> Any:
        """Read one page of requests, newest first: ``GET /api/v1/request``.

        ``sort=added`` orders by request id, descending by default; the
        default filter lists every status. The body is parsed by the core.
        """
        status, data = await self._request(
            "GET", f"/api/v1/request?take={take}&skip={skip}&sort=added&filter=all"
        )
        if status != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {status} to the request list"
            )
        return data

    async def async_get_request(self, request_id: int) -> Any:
        """Read one request: ``GET /api/v1/request/{id}``; None when Jellyseerr has none (404)."""
        status, data = await self._request("GET", f"/api/v1/request/{request_id}")
        if status == 404:
            return None
        if status != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {status} to request {request_id}"
            )
        return data

    async def async_get_details(self, media_type: str, tmdb_id: int) -> Any:
        """Read a title's details (name, date, poster): ``GET /api/v1/movie|tv/{id}``."""
        path = (
            f"/api/v1/movie/{tmdb_id}"
            if media_type == "movie"
            else f"/api/v1/tv/{tmdb_id}"
        )
        status, data = await self._request("GET", path)
        if status != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {status} to the details of {media_type} {tmdb_id}"
            )
        return data

    async def async_get_servers(
        self, app: Literal["radarr", "sonarr"]
    ) -> tuple[SeerrServer, ...]:
        """Read the Radarrs or Sonarrs Jellyseerr sends requests to (an admin's call).

        The answer holds each server's API key; the parser leaves it behind.
        """
        status, data = await self._request(
            "GET", SERVER_PATHS[app], timeout=SERVERS_TIMEOUT
        )
        if status != 200:
            raise ServiceUnavailableError(
                f"Jellyseerr answered {status} to its {app} servers"
            )
        try:
            return parse_servers(data)
        except PayloadError as err:
            raise ServiceError(f"Jellyseerr did not list its {app} servers") from err

    async def _request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        answers_5xx: bool = False,
        timeout: float = REQUEST_TIMEOUT,
    ) -> tuple[int, Any]:
        """Return the status and parsed body; ``answers_5xx`` when a 5xx means something."""
        answer = await async_request(
            self._session,
            method,
            f"{self._url}{path}",
            service="Jellyseerr",
            timeout=timeout,
            json=body,
            headers=self._headers,
            answers=range(400, 600 if answers_5xx else 500),
        )
        try:
            return answer.status, answer.json()
        except ServiceError:
            if answer.status < 300:
                raise
            # An error page that is not JSON: the status says enough.
            return answer.status, None


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return "no reason given"
