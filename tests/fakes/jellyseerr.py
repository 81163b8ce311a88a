"""A fake Jellyseerr (Seerr): the webhook notification agent's API, on loopback.

Built from the upstream source at each supported release (``VERSIONS``: the
newest tag of each major, Jellyseerr ``v2.7.3`` and Seerr ``v3.1.0``); every
fact, with its file and tag, is in ``tests/fakes/UPSTREAM.md``.

- ``express-openapi-validator`` runs before the routes: a call with neither
  ``X-Api-Key`` nor a session cookie is ``401``; then the body is checked
  against ``WebhookSettings`` (``400``); then ``isAuthenticated`` refuses a
  wrong key (``403``);
- ``POST /api/v1/settings/notifications/webhook`` runs ``JSON.parse(jsonPayload)``
  (``500`` if it fails), replaces the slot and stores ``jsonPayload``
  base64-encoded; ``GET`` returns the slot with ``jsonPayload`` parsed once;
- ``POST …/webhook/test`` renders ``TEST_NOTIFICATION`` with the body's
  settings and posts it: ``204``, or ``500`` when rendering or posting fails;
- at send time the stored payload is parsed twice, so a template saved
  once-encoded is accepted by ``POST`` but never delivered (``send_errors``).

Where the majors differ: Seerr 3 adds ``embedPoster`` to the agent and
``options.supportVariables`` (in the schema, the stored slot, ``GET``, and
``{{…}}`` variables in the URL at send time); Jellyseerr 2 neither stores nor
returns them. ``MediaStatus`` 6 is ``BLACKLISTED`` in 2, ``BLOCKLISTED`` in 3.

``servers`` holds the Radarrs and Sonarrs of Settings → Services, read by
an admin with ``GET /api/v1/settings/radarr`` and ``…/sonarr``
(``jellyseerr_servers.py``).

``notify`` sends a real notification through the stored settings, rendered
from the template as Seerr renders it.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from .jellyseerr_requests import SeerrRequests
from .jellyseerr_servers import SeerrServers
from .server import SendingServer

# Seerr's shipped default payload, as settings.json stores it: base64 of the JSON string
# literal of the template text (server/lib/settings/index.ts, the same at v2.0.0, v2.7.3 and v3.1.0).
DEFAULT_JSON_PAYLOAD = (
    "IntcbiAgXCJub3RpZmljYXRpb25fdHlwZVwiOiBcInt7bm90aWZpY2F0aW9uX3R5cGV9fVwiLFxuICBc"
    "ImV2ZW50XCI6IFwie3tldmVudH19XCIsXG4gIFwic3ViamVjdFwiOiBcInt7c3ViamVjdH19XCIsXG4g"
    "IFwibWVzc2FnZVwiOiBcInt7bWVzc2FnZX19XCIsXG4gIFwiaW1hZ2VcIjogXCJ7e2ltYWdlfX1cIixc"
    "biAgXCJ7e21lZGlhfX1cIjoge1xuICAgIFwibWVkaWFfdHlwZVwiOiBcInt7bWVkaWFfdHlwZX19XCIs"
    "XG4gICAgXCJ0bWRiSWRcIjogXCJ7e21lZGlhX3RtZGJpZH19XCIsXG4gICAgXCJ0dmRiSWRcIjogXCJ7"
    "e21lZGlhX3R2ZGJpZH19XCIsXG4gICAgXCJzdGF0dXNcIjogXCJ7e21lZGlhX3N0YXR1c319XCIsXG4g"
    "ICAgXCJzdGF0dXM0a1wiOiBcInt7bWVkaWFfc3RhdHVzNGt9fVwiXG4gIH0sXG4gIFwie3tyZXF1ZXN0"
    "fX1cIjoge1xuICAgIFwicmVxdWVzdF9pZFwiOiBcInt7cmVxdWVzdF9pZH19XCIsXG4gICAgXCJyZXF1"
    "ZXN0ZWRCeV9lbWFpbFwiOiBcInt7cmVxdWVzdGVkQnlfZW1haWx9fVwiLFxuICAgIFwicmVxdWVzdGVk"
    "QnlfdXNlcm5hbWVcIjogXCJ7e3JlcXVlc3RlZEJ5X3VzZXJuYW1lfX1cIixcbiAgICBcInJlcXVlc3Rl"
    "ZEJ5X2F2YXRhclwiOiBcInt7cmVxdWVzdGVkQnlfYXZhdGFyfX1cIixcbiAgICBcInJlcXVlc3RlZEJ5"
    "X3NldHRpbmdzX2Rpc2NvcmRJZFwiOiBcInt7cmVxdWVzdGVkQnlfc2V0dGluZ3NfZGlzY29yZElkfX1c"
    "IixcbiAgICBcInJlcXVlc3RlZEJ5X3NldHRpbmdzX3RlbGVncmFtQ2hhdElkXCI6IFwie3tyZXF1ZXN0"
    "ZWRCeV9zZXR0aW5nc190ZWxlZ3JhbUNoYXRJZH19XCJcbiAgfSxcbiAgXCJ7e2lzc3VlfX1cIjoge1xu"
    "ICAgIFwiaXNzdWVfaWRcIjogXCJ7e2lzc3VlX2lkfX1cIixcbiAgICBcImlzc3VlX3R5cGVcIjogXCJ7"
    "e2lzc3VlX3R5cGV9fVwiLFxuICAgIFwiaXNzdWVfc3RhdHVzXCI6IFwie3tpc3N1ZV9zdGF0dXN9fVwi"
    "LFxuICAgIFwicmVwb3J0ZWRCeV9lbWFpbFwiOiBcInt7cmVwb3J0ZWRCeV9lbWFpbH19XCIsXG4gICAg"
    "XCJyZXBvcnRlZEJ5X3VzZXJuYW1lXCI6IFwie3tyZXBvcnRlZEJ5X3VzZXJuYW1lfX1cIixcbiAgICBc"
    "InJlcG9ydGVkQnlfYXZhdGFyXCI6IFwie3tyZXBvcnRlZEJ5X2F2YXRhcn19XCIsXG4gICAgXCJyZXBv"
    "cnRlZEJ5X3NldHRpbmdzX2Rpc2NvcmRJZFwiOiBcInt7cmVwb3J0ZWRCeV9zZXR0aW5nc19kaXNjb3Jk"
    "SWR9fVwiLFxuICAgIFwicmVwb3J0ZWRCeV9zZXR0aW5nc190ZWxlZ3JhbUNoYXRJZFwiOiBcInt7cmVw"
    "b3J0ZWRCeV9zZXR0aW5nc190ZWxlZ3JhbUNoYXRJZH19XCJcbiAgfSxcbiAgXCJ7e2NvbW1lbnR9fVwi"
    "OiB7XG4gICAgXCJjb21tZW50X21lc3NhZ2VcIjogXCJ7e2NvbW1lbnRfbWVzc2FnZX19XCIsXG4gICAg"
    "XCJjb21tZW50ZWRCeV9lbWFpbFwiOiBcInt7Y29tbWVudGVkQnlfZW1haWx9fVwiLFxuICAgIFwiY29t"
    "bWVudGVkQnlfdXNlcm5hbWVcIjogXCJ7e2NvbW1lbnRlZEJ5X3VzZXJuYW1lfX1cIixcbiAgICBcImNv"
    "bW1lbnRlZEJ5X2F2YXRhclwiOiBcInt7Y29tbWVudGVkQnlfYXZhdGFyfX1cIixcbiAgICBcImNvbW1l"
    "bnRlZEJ5X3NldHRpbmdzX2Rpc2NvcmRJZFwiOiBcInt7Y29tbWVudGVkQnlfc2V0dGluZ3NfZGlzY29y"
    "ZElkfX1cIixcbiAgICBcImNvbW1lbnRlZEJ5X3NldHRpbmdzX3RlbGVncmFtQ2hhdElkXCI6IFwie3tj"
    "b21tZW50ZWRCeV9zZXR0aW5nc190ZWxlZ3JhbUNoYXRJZH19XCJcbiAgfSxcbiAgXCJ7e2V4dHJhfX1c"
    "IjogW11cbn0i"
)

# The newest release of each supported major.
VERSIONS = ("2.7.3", "3.1.0")

NOTIFICATION_TYPES = {
    "MEDIA_PENDING": 2,
    "MEDIA_APPROVED": 4,
    "MEDIA_AVAILABLE": 8,
    "MEDIA_FAILED": 16,
    "TEST_NOTIFICATION": 32,
    "MEDIA_DECLINED": 64,
    "MEDIA_AUTO_APPROVED": 128,
    "ISSUE_CREATED": 256,
    "ISSUE_COMMENT": 512,
    "ISSUE_RESOLVED": 1024,
    "ISSUE_REOPENED": 2048,
    "MEDIA_AUTO_REQUESTED": 4096,
}
# server/constants/media.ts: 6 was renamed in Seerr 3.
MEDIA_STATUS = {
    2: {
        1: "UNKNOWN",
        2: "PENDING",
        3: "PROCESSING",
        4: "PARTIALLY_AVAILABLE",
        5: "AVAILABLE",
        6: "BLACKLISTED",
        7: "DELETED",
    },
    3: {
        1: "UNKNOWN",
        2: "PENDING",
        3: "PROCESSING",
        4: "PARTIALLY_AVAILABLE",
        5: "AVAILABLE",
        6: "BLOCKLISTED",
        7: "DELETED",
    },
}
# server/constants/issue.ts, the same in both.
ISSUE_TYPE = {1: "VIDEO", 2: "AUDIO", 3: "SUBTITLES", 4: "OTHER"}
ISSUE_STATUS = {1: "OPEN", 2: "RESOLVED"}
ADMIN = {
    "id": 1,
    "displayName": "admin",
    "email": "admin@example.com",
    "avatar": "/avatarproxy/1a2b",
    "settings": {"discordId": None, "telegramChatId": None},
}
# A JavaScript ``undefined``: a key that is absent, unlike a JSON ``null``.
_UNDEFINED: Any = object()


def _key_map(major: int) -> dict[str, Any]:
    """``KeyMap`` of webhook.ts, in its order: a path into the payload, or a function."""
    statuses = MEDIA_STATUS[major]

    def media_status(key: str) -> Any:
        return lambda p, t: (
            statuses.get(p["media"][key], "undefined") if p.get("media") else ""
        )

    def issue_name(names: dict[int, str], key: str) -> Any:
        return lambda p, t: (
            names.get(p["issue"][key], "undefined") if p.get("issue") else ""
        )

    return {
        "notification_type": lambda p, t: t,
        "event": "event",
        "subject": "subject",
        "message": "message",
        "image": "image",
        "notifyuser_username": "notifyUser.displayName",
        "notifyuser_email": "notifyUser.email",
        "notifyuser_avatar": "notifyUser.avatar",
        "notifyuser_settings_discordId": "notifyUser.settings.discordId",
        "notifyuser_settings_telegramChatId": "notifyUser.settings.telegramChatId",
        "media_tmdbid": "media.tmdbId",
        "media_tvdbid": "media.tvdbId",
        "media_type": "media.mediaType",
        "media_status": media_status("status"),
        "media_status4k": media_status("status4k"),
        "request_id": "request.id",
        "requestedBy_username": "request.requestedBy.displayName",
        "requestedBy_email": "request.requestedBy.email",
        "requestedBy_avatar": "request.requestedBy.avatar",
        "requestedBy_settings_discordId": "request.requestedBy.settings.discordId",
        "requestedBy_settings_telegramChatId": "request.requestedBy.settings.telegramChatId",
        "issue_id": "issue.id",
        "issue_type": issue_name(ISSUE_TYPE, "issueType"),
        "issue_status": issue_name(ISSUE_STATUS, "status"),
        "reportedBy_username": "issue.createdBy.displayName",
        "reportedBy_email": "issue.createdBy.email",
        "reportedBy_avatar": "issue.createdBy.avatar",
        "reportedBy_settings_discordId": "issue.createdBy.settings.discordId",
        "reportedBy_settings_telegramChatId": "issue.createdBy.settings.telegramChatId",
        "comment_message": "comment.message",
        "commentedBy_username": "comment.user.displayName",
        "commentedBy_email": "comment.user.email",
        "commentedBy_avatar": "comment.user.avatar",
        "commentedBy_settings_discordId": "comment.user.settings.discordId",
        "commentedBy_settings_telegramChatId": "comment.user.settings.telegramChatId",
    }


def _get(data: Any, path: str) -> Any:
    """Read a path as lodash ``get`` does: None where it breaks off."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _js_string(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _parse_keys(
    template: dict[str, Any],
    notification: dict[str, Any],
    type_name: str,
    key_map: dict[str, Any],
) -> dict[str, Any]:
    """``WebhookAgent.parseKeys``: special keys, then the first ``{{x}}`` of each kind per string."""
    for key in list(template):
        if key == "{{extra}}":
            template["extra"] = notification.get("extra") or []
            del template[key]
            key = "extra"
        elif key in ("{{media}}", "{{request}}", "{{issue}}", "{{comment}}"):
            name = key[2:-2]
            template[name] = template[key] if notification.get(name) else None
            del template[key]
            key = name
        value = template[key]
        if isinstance(value, str):
            for variable, source in key_map.items():
                if callable(source):
                    replacement = source(notification, type_name)
                else:
                    found = _get(notification, source)
                    replacement = "" if found is None else found
                value = value.replace(
                    "{{" + variable + "}}", _js_string(replacement), 1
                )
            template[key] = value
        elif isinstance(value, dict):
            template[key] = _parse_keys(value, notification, type_name, key_map)
    return template


class TemplateError(Exception):
    """The stored payload cannot be rendered; Seerr logs it and sends nothing."""


def render(
    stored_payload: str,
    notification: dict[str, Any],
    type_name: str,
    *,
    major: int = 3,
) -> dict[str, Any]:
    """``buildPayload``: base64-decode, parse twice, substitute."""
    text = base64.b64decode(stored_payload).decode()
    template = json.loads(text)
    if not isinstance(template, str):
        # JSON.parse(object) parses "[object Object]" and throws.
        raise TemplateError("Unexpected token o in JSON at position 1")
    parsed = json.loads(template)
    if not isinstance(parsed, dict):
        raise TemplateError("the template is not an object")
    return _parse_keys(parsed, notification, type_name, _key_map(major))


def _url_with_variables(
    url: str, notification: dict[str, Any], type_name: str, major: int
) -> str:
    """Seerr 3's ``supportVariables``: each ``{{x}}`` in the URL, URI-encoded."""
    for variable, source in _key_map(major).items():
        if type_name == "TEST_NOTIFICATION":
            value: Any = "test"
        elif callable(source):
            value = source(notification, type_name)
        else:
            value = _get(notification, source) or "test"
        url = url.replace(
            "{{" + variable + "}}", quote(_js_string(value), safe="-_.!~*'()")
        )
    return url


def _without_undefined(value: Any) -> Any:
    """What ``JSON.stringify`` makes of an object: keys holding ``undefined`` left out."""
    if isinstance(value, dict):
        return {
            key: _without_undefined(item)
            for key, item in value.items()
            if item is not _UNDEFINED
        }
    return value


class FakeJellyseerr(SendingServer):
    """One Jellyseerr (``2.x``) or Seerr (``3.x``) with its single webhook slot."""

    def __init__(
        self, api_key: str = "jellyseerr-test-key", *, version: str = VERSIONS[-1]
    ) -> None:
        self.api_key = api_key
        self.version = version
        self.major = int(version.split(".", 1)[0])
        if self.major not in MEDIA_STATUS:
            raise ValueError(f"no Jellyseerr/Seerr {version} to fake")
        # settings.json's notifications.agents.webhook, as shipped.
        self.webhook: dict[str, Any] = {
            "enabled": False,
            **({"embedPoster": True} if self.major >= 3 else {}),
            "types": 0,
            "options": {"webhookUrl": "", "jsonPayload": DEFAULT_JSON_PAYLOAD},
        }
        self.calls: list[tuple[str, str]] = []
        # (url, HTTP status or None when unreachable, body) of each notification posted.
        self.deliveries: list[tuple[str, int | None, dict[str, Any]]] = []
        self.send_errors: list[str] = []
        self.fail_with: int | None = None
        # Requests by id, each the notification its webhook carries (media, request, ...).
        self.requests: dict[int, dict[str, Any]] = {}
        # MediaRequestStatus (server/constants/media.ts): 1 pending, 2 approved, 3 declined.
        self.request_status: dict[int, int] = {}
        # Whether the API key's user (admin, or X-API-User) has MANAGE_REQUESTS.
        self.manage_requests = True
        # The requests as the API lists them (``GET /api/v1/request``).
        self.listed = SeerrRequests(version)
        # The Radarrs and Sonarrs of Settings → Services.
        self.servers = SeerrServers()

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/api/v1/status", self._status)
        router.add_get("/api/v1/settings/notifications/webhook", self._get_webhook)
        router.add_post("/api/v1/settings/notifications/webhook", self._save_webhook)
        router.add_post(
            "/api/v1/settings/notifications/webhook/test", self._test_webhook
        )
        router.add_post(
            "/api/v1/request/{request_id}/{status}", self._set_request_status
        )
        router.add_get("/api/v1/request", self._list_requests)
        router.add_get("/api/v1/request/{request_id}", self._get_request)
        router.add_get("/api/v1/movie/{tmdb_id}", self._details)
        router.add_get("/api/v1/settings/radarr", self._servers)
        router.add_get("/api/v1/settings/sonarr", self._servers)
        router.add_get("/api/v1/tv/{tmdb_id}", self._details)

    async def _list_requests(self, request: web.Request) -> web.Response:
        """``GET /api/v1/request``: any authenticated user (admins see every request)."""
        if (refused := self._security(request)) is not None:
            return refused
        if (refused := self._authenticated(request)) is not None:
            return refused
        return await self.listed.list(request)

    async def _get_request(self, request: web.Request) -> web.Response:
        if (refused := self._security(request)) is not None:
            return refused
        if (refused := self._authenticated(request)) is not None:
            return refused
        return await self.listed.one(request)

    async def _details(self, request: web.Request) -> web.Response:
        if (refused := self._security(request)) is not None:
            return refused
        if (refused := self._authenticated(request)) is not None:
            return refused
        return await self.listed.details(request)

    async def _servers(self, request: web.Request) -> web.Response:
        """``GET /api/v1/settings/radarr|sonarr``: admins only, like all of ``/settings``."""
        if (refused := self._security(request)) is not None:
            return refused
        if (refused := self._authenticated(request)) is not None:
            return refused
        app = "radarr" if request.path.endswith("/radarr") else "sonarr"
        return self.servers.answer(app)

    def add_request(self, notification: dict[str, Any]) -> int:
        """Hold a pending request, given as its MEDIA_PENDING notification."""
        request_id = int(notification["request"]["id"])
        self.requests[request_id] = notification
        self.request_status[request_id] = 1
        return request_id

    def set_webhook(
        self,
        url: str,
        *,
        enabled: bool = True,
        types: int = 222,
        template_text: str | None = None,
        auth_header: str = "",
    ) -> None:
        """Configure the slot as a user does in Settings → Notifications → Webhook."""
        payload_text = json.dumps(template_text) if template_text is not None else None
        options: dict[str, Any] = {
            "webhookUrl": url,
            "authHeader": auth_header,
            "jsonPayload": (
                base64.b64encode(payload_text.encode()).decode()
                if payload_text is not None
                else DEFAULT_JSON_PAYLOAD
            ),
        }
        self.webhook = {"enabled": enabled, "types": types, "options": options}
        if self.major >= 3:
            self.webhook["embedPoster"] = True
            options["supportVariables"] = False

    def template(self) -> Any:
        """The stored template, decoded as the send path decodes it."""
        text = base64.b64decode(self.webhook["options"]["jsonPayload"]).decode()
        return json.loads(json.loads(text))

    def writes(self) -> list[tuple[str, str]]:
        return [call for call in self.calls if call[0] != "GET"]

    async def notify(self, type_name: str, notification: dict[str, Any]) -> None:
        """Send a notification through the stored agent, as a request event does."""
        settings = self.webhook
        if not (settings.get("enabled") and settings["options"].get("webhookUrl")):
            return
        # hasNotificationType: the test bit is always allowed.
        if not ((settings.get("types") or 0) | 32) & NOTIFICATION_TYPES[type_name]:
            return
        await self._send(settings, type_name, {"notifySystem": True, **notification})

    # The API ---------------------------------------------------------------

    def _security(self, request: web.Request) -> web.Response | None:
        """The validator's security check: a key or a session cookie must be there."""
        self.calls.append((request.method, request.path))
        if self.fail_with is not None:
            return web.Response(status=self.fail_with, text="Bad Gateway")
        if request.headers.get("X-Api-Key") or request.cookies.get("connect.sid"):
            return None
        message = "cookie 'connect.sid' required"
        return web.json_response(
            {
                "message": message,
                "errors": [{"path": request.path, "message": message}],
            },
            status=401,
        )

    def _authenticated(self, request: web.Request) -> web.Response | None:
        """``checkUser`` and ``isAuthenticated(ADMIN)``: the key must be the API key."""
        if request.headers.get("X-Api-Key") == self.api_key:
            return None
        return web.json_response(
            {
                "status": 403,
                "error": "You do not have permission to access this endpoint",
            },
            status=403,
        )

    async def _status(self, request: web.Request) -> web.Response:
        self.calls.append((request.method, request.path))
        return web.json_response(
            {
                "version": self.version,
                "commitTag": f"v{self.version}",
                "updateAvailable": False,
                "commitsBehind": 0,
                "restartRequired": False,
            }
        )

    async def _get_webhook(self, request: web.Request) -> web.Response:
        if (refused := self._security(request)) is not None:
            return refused
        if (refused := self._authenticated(request)) is not None:
            return refused
        stored = copy.deepcopy(self.webhook)
        options = stored["options"]
        options["jsonPayload"] = json.loads(
            base64.b64decode(options["jsonPayload"]).decode()
        )
        settings: dict[str, Any] = {"enabled": stored.get("enabled", _UNDEFINED)}
        if self.major >= 3:
            settings["embedPoster"] = stored.get("embedPoster", _UNDEFINED)
            options["supportVariables"] = options.get("supportVariables", False)
        settings["types"] = stored.get("types", _UNDEFINED)
        settings["options"] = options
        return web.json_response(_without_undefined(settings))

    def _schema_errors(self, body: Any) -> web.Response | None:
        """express-openapi-validator against ``WebhookSettings`` in the API spec."""
        errors: list[dict[str, str]] = []

        checks = {
            "boolean": lambda v: isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "string": lambda v: isinstance(v, str),
            "object": lambda v: isinstance(v, dict),
        }

        def expect(value: Any, name: str, path: str) -> None:
            if value is not _UNDEFINED and not checks[name](value):
                errors.append(
                    {
                        "path": path,
                        "message": f"must be {name}",
                        "errorCode": "type.openapi.validation",
                    }
                )

        if not isinstance(body, dict):
            expect(body, "object", ".body")
        else:
            expect(body.get("enabled", _UNDEFINED), "boolean", ".body.enabled")
            expect(body.get("types", _UNDEFINED), "number", ".body.types")
            options = body.get("options", _UNDEFINED)
            expect(options, "object", ".body.options")
            if isinstance(options, dict):
                for key in ("webhookUrl", "authHeader", "jsonPayload"):
                    expect(
                        options.get(key, _UNDEFINED), "string", f".body.options.{key}"
                    )
                if self.major >= 3:
                    expect(
                        options.get("supportVariables", _UNDEFINED),
                        "boolean",
                        ".body.options.supportVariables",
                    )
        if not errors:
            return None
        first = errors[0]
        return web.json_response(
            {
                "message": f"request{first['path'].replace('.', '/')} {first['message']}",
                "errors": errors,
            },
            status=400,
        )

    def _agent(self, body: dict[str, Any]) -> dict[str, Any]:
        """What the route builds from the body (``JSON.parse`` first, which may throw)."""
        if "options" not in body:
            raise TypeError(
                "Cannot read properties of undefined (reading 'jsonPayload')"
            )
        options = body["options"]
        json.loads(options.get("jsonPayload"))
        agent: dict[str, Any] = {"enabled": body.get("enabled", _UNDEFINED)}
        if self.major >= 3:
            agent["embedPoster"] = body.get("embedPoster", _UNDEFINED)
        agent["types"] = body.get("types", _UNDEFINED)
        agent["options"] = {
            "jsonPayload": base64.b64encode(options["jsonPayload"].encode()).decode(),
            "webhookUrl": options.get("webhookUrl", _UNDEFINED),
            "authHeader": options.get("authHeader", _UNDEFINED),
        }
        if self.major >= 3:
            supports = options.get("supportVariables")
            agent["options"]["supportVariables"] = (
                False if supports is None else supports
            )
        # settings.save() writes JSON: what is undefined is gone.
        return _without_undefined(agent)

    async def _agent_from(self, request: web.Request) -> dict[str, Any] | web.Response:
        """The agent a save or a test call sends, or the route's answer when there is none."""
        if (refused := self._security(request)) is not None:
            return refused
        body = await request.json()
        if (invalid := self._schema_errors(body)) is not None:
            return invalid
        if (refused := self._authenticated(request)) is not None:
            return refused
        try:
            return self._agent(body)
        except (TypeError, ValueError) as err:
            return web.json_response({"message": str(err)}, status=500)

    async def _save_webhook(self, request: web.Request) -> web.Response:
        agent = await self._agent_from(request)
        if isinstance(agent, web.Response):
            return agent
        self.webhook = agent
        return web.json_response(self.webhook)

    async def _test_webhook(self, request: web.Request) -> web.Response:
        agent = await self._agent_from(request)
        if isinstance(agent, web.Response):
            return agent
        notification = {
            "notifySystem": True,
            "notifyAdmin": False,
            "notifyUser": ADMIN,
            "subject": "Test Notification",
            "message": "Check check, 1, 2, 3. Are we coming in clear?",
        }
        if await self._send(agent, "TEST_NOTIFICATION", notification):
            return web.Response(status=204)
        return web.json_response(
            {"message": "Failed to send webhook notification."}, status=500
        )

    async def _set_request_status(self, request: web.Request) -> web.Response:
        """``POST /request/:requestId/:status`` (routes/request.ts), the same in 2 and 3.

        The validator allows only ``approve``/``decline``; ``isAuthenticated``
        needs ``MANAGE_REQUESTS``; the route sets the status whatever it was,
        answers ``200`` with the request or ``404`` for an unknown id, and the
        entity's ``AfterUpdate`` sends MEDIA_APPROVED or MEDIA_DECLINED.
        """
        if (refused := self._security(request)) is not None:
            return refused
        status = request.match_info["status"]
        if status not in ("approve", "decline"):
            message = "request/params/status must be equal to one of the allowed values: approve, decline"
            return web.json_response(
                {"message": message, "errors": [{"path": ".params.status"}]},
                status=400,
            )
        if (refused := self._authenticated(request)) is not None:
            return refused
        if not self.manage_requests:
            return web.json_response(
                {
                    "status": 403,
                    "error": "You do not have permission to access this endpoint",
                },
                status=403,
            )
        request_id = request.match_info["request_id"]
        number = int(request_id) if request_id.isdigit() else None
        if number in self.listed.requests and number not in self.requests:
            self.requests[number] = self.listed.notification(number)
        notification = self.requests.get(number) if number is not None else None
        if notification is None:
            return web.json_response({"message": "Request not found."}, status=404)
        new_status = 2 if status == "approve" else 3
        if number in self.listed.requests:
            self.listed.set_status(number, new_status, ADMIN)
        self.request_status[int(request_id)] = new_status
        await self.notify(
            "MEDIA_APPROVED" if status == "approve" else "MEDIA_DECLINED",
            notification,
        )
        return web.json_response(
            {**notification["request"], "status": new_status, "modifiedBy": ADMIN}
        )

    async def _send(
        self, agent: dict[str, Any], type_name: str, notification: dict[str, Any]
    ) -> bool:
        """``WebhookAgent.send``: render, post, and log any failure."""
        options = agent["options"]
        url = options.get("webhookUrl") or ""
        if self.major >= 3 and options.get("supportVariables"):
            url = _url_with_variables(url, notification, type_name, self.major)
        headers = {}
        if options.get("authHeader"):
            headers["Authorization"] = options["authHeader"]
        assert self._session is not None
        try:
            body = render(
                options["jsonPayload"], notification, type_name, major=self.major
            )
            async with self._session.post(url, json=body, headers=headers) as response:
                await response.read()
                status: int | None = response.status
        except (TemplateError, ValueError, aiohttp.ClientError) as err:
            self.send_errors.append(f"Error sending webhook notification: {err}")
            self.deliveries.append((url, None, {}))
            return False
        self.deliveries.append((url, status, body))
        if status is None or status >= 300:
            self.send_errors.append(
                f"Error sending webhook notification: status {status}"
            )
            return False
        return True
