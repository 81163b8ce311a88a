"""A fake Radarr or Sonarr: the v3 notification ("Connect") API, on loopback.

Every fact here was read in the upstream source at the release each
``ArrRelease`` names (``tests/fakes/UPSTREAM.md`` lists them with file and
tag). It behaves as ``ProviderControllerBase`` and ``NotificationService`` do:

- ``X-Api-Key`` is required (``401``, empty body, without it);
- ``POST /api/v3/notification`` validates (name not empty and unique,
  ``implementation`` and ``configContract`` not empty, ``fields`` present, a
  valid http(s) ``url`` when the connection is enabled), then, if it is enabled
  (``NotificationDefinition.Enable``: any event flag but ``onUpgrade``, the
  ``…ForUpgrade`` flags and ``includeHealthWarnings``), sends the ``Test``
  event to the URL: a non-2xx answer is a ``400`` list of validation failures
  quoting the URL, a refused connection a ``500``; ``?forceSave=true`` skips
  the test. ``201`` with the saved resource;
- ``PUT /api/v3/notification/{id}`` tests only if something changed, and
  answers ``202``; ``DELETE`` answers ``200 {}``; ``POST …/test`` sends the
  ``Test`` event and answers ``200``;
- resources come back with every ``on*``/``supportsOn*`` flag of that release
  and its webhook field schema, passwords masked as ``********`` (a PUT that
  sends the mask back keeps the stored password); flags the release does not
  know are ignored, as System.Text.Json ignores unknown properties.

``send`` delivers a real event to every webhook whose flags let it through, as
``NotificationService`` decides: an upgrade needs ``onDownload`` and
``onUpgrade``, a file deleted for an upgrade needs ``…ForUpgrade``, Sonarr's
import-complete event needs ``onImportComplete``. ``payload`` gives that
release's own fixture of an event. ``queue`` serves the download queue and
the commands (``tests/fakes/arr_queue.py``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests.payloads import payload

from .arr_queue import FakeQueue
from .server import SendingServer

PRIVATE_VALUE = "********"


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrRelease:
    """One release of Radarr or Sonarr, as far as the fake answers differently."""

    app: str
    # What ``/api/v3/system/status`` reports as ``version``.
    version: str
    # Where the facts were read: a tag, or a branch at a commit.
    source: str
    # Sonarr's once-per-release import event and its flag (Sonarr 4.0.6 on).
    import_complete: bool = True
    # The webhook's ``headers`` field (Radarr 5.16, Sonarr 4.0.10 on).
    webhook_headers: bool = True
    # Fixtures of this release that differ from the shared ``<app>_<name>`` ones.
    own_payloads: frozenset[str] = frozenset()


RELEASES: dict[tuple[str, str], ArrRelease] = {
    ("Radarr", "5"): ArrRelease(
        app="Radarr", version="5.28.0.10274", source="v5.28.0.10274"
    ),
    ("Radarr", "6"): ArrRelease(
        app="Radarr", version="6.0.3.10276", source="v6.0.3.10276"
    ),
    ("Sonarr", "4"): ArrRelease(
        app="Sonarr", version="4.0.19.2979", source="v4.0.19.2979"
    ),
    # Sonarr 5 has no release tag yet: the v5-develop branch. Its builds are
    # 5.0.0.<build number>; the build number here is made up.
    ("Sonarr", "5"): ArrRelease(
        app="Sonarr",
        version="5.0.0.3000",
        source="v5-develop@49df353fa",
        own_payloads=frozenset(
            {"grab_season_pack", "download_episode", "download_import_complete"}
        ),
    ),
    # The last Sonarr before On Import Complete (and before webhook headers).
    ("Sonarr", "4.0.5"): ArrRelease(
        app="Sonarr",
        version="4.0.5.1801",
        source="v4.0.5.1801",
        import_complete=False,
        webhook_headers=False,
    ),
}
# The majors the README claims; tests run against each.
RADARR_MAJORS = ("5", "6")
SONARR_MAJORS = ("4", "5")

_COMMON_FLAGS = (
    "onGrab",
    "onDownload",
    "onUpgrade",
    "onRename",
    "onHealthIssue",
    "includeHealthWarnings",
    "onHealthRestored",
    "onApplicationUpdate",
    "onManualInteractionRequired",
)
_APP_FLAGS = {
    "Radarr": (
        "onMovieAdded",
        "onMovieDelete",
        "onMovieFileDelete",
        "onMovieFileDeleteForUpgrade",
    ),
    "Sonarr": (
        "onSeriesAdd",
        "onSeriesDelete",
        "onEpisodeFileDelete",
        "onEpisodeFileDeleteForUpgrade",
    ),
}
# Flags that are not events of their own: NotificationDefinition.Enable leaves them out.
_NOT_AN_EVENT = {
    "onUpgrade",
    "includeHealthWarnings",
    "onMovieFileDeleteForUpgrade",
    "onEpisodeFileDeleteForUpgrade",
}
_EVENT_FLAGS = {
    "Grab": "onGrab",
    "Rename": "onRename",
    "MovieAdded": "onMovieAdded",
    "SeriesAdd": "onSeriesAdd",
    "MovieDelete": "onMovieDelete",
    "SeriesDelete": "onSeriesDelete",
    "MovieFileDelete": "onMovieFileDelete",
    "EpisodeFileDelete": "onEpisodeFileDelete",
    "Health": "onHealthIssue",
    "HealthRestored": "onHealthRestored",
    "ApplicationUpdate": "onApplicationUpdate",
    "ManualInteractionRequired": "onManualInteractionRequired",
}


def flags_of(release: ArrRelease) -> tuple[str, ...]:
    """Every flag of ``NotificationResource`` in that release."""
    flags = (*_COMMON_FLAGS, *_APP_FLAGS[release.app])
    if release.app == "Sonarr" and release.import_complete:
        flags = (*flags, "onImportComplete")
    return flags


def _webhook_fields(release: ArrRelease) -> list[dict[str, Any]]:
    """``SchemaBuilder.ToSchema(new WebhookSettings())``, trimmed to what clients read."""
    fields: list[dict[str, Any]] = [
        {
            "order": 0,
            "name": "url",
            "label": "Webhook URL",
            "type": "url",
            "advanced": False,
            "privacy": "normal",
        },
        {
            "order": 1,
            "name": "method",
            "label": "Method",
            "value": 1,
            "type": "select",
            "advanced": False,
            "selectOptions": [
                {"value": 1, "name": "POST", "order": 1},
                {"value": 2, "name": "PUT", "order": 2},
            ],
            "privacy": "normal",
        },
        {
            "order": 2,
            "name": "username",
            "label": "Username",
            "type": "textbox",
            "advanced": False,
            "privacy": "userName",
        },
        {
            "order": 3,
            "name": "password",
            "label": "Password",
            "type": "password",
            "advanced": False,
            "privacy": "password",
        },
    ]
    if release.webhook_headers:
        fields.append(
            {
                "order": 4,
                "name": "headers",
                "label": "Headers",
                "value": [],
                "type": "keyValueList",
                "advanced": True,
                "privacy": "normal",
            }
        )
    return fields


def _field(resource: dict[str, Any], name: str) -> Any:
    for item in resource.get("fields") or []:
        if item.get("name") == name:
            return item.get("value")
    return None


def _valid_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class FakeArr(SendingServer):
    """One Radarr (``app="Radarr"``) or Sonarr (``app="Sonarr"``) of one release.

    ``version`` is a key of ``RELEASES`` for that app: a major (``"5"``) for
    the newest release read of it, or ``"4.0.5"``; the newest claimed major by
    default.
    """

    def __init__(
        self,
        app: str = "Radarr",
        api_key: str | None = None,
        *,
        version: str | None = None,
    ) -> None:
        self.app = app
        majors = RADARR_MAJORS if app == "Radarr" else SONARR_MAJORS
        key = version or majors[-1]
        self.release = RELEASES[(app, key)]
        self.api_key = api_key or f"{app.lower()}-test-key"
        self.flags = flags_of(self.release)
        self.notifications: dict[int, dict[str, Any]] = {}
        # Settings as stored, passwords in clear, keyed by id.
        self._next_id = 1
        self.calls: list[tuple[str, str]] = []
        # (url, HTTP status or None when unreachable, body) of each event sent.
        self.deliveries: list[tuple[str, int | None, dict[str, Any]]] = []
        self.fail_with: int | None = None
        # The download queue, commands and blocklist (``tests/fakes/arr_queue.py``).
        self.queue = FakeQueue(app, key, self._guard)

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/api/v3/notification", self._list)
        router.add_post("/api/v3/notification", self._create)
        router.add_post("/api/v3/notification/test", self._test)
        router.add_get("/api/v3/notification/{id:\\d+}", self._get)
        router.add_put("/api/v3/notification/{id:\\d+}", self._update)
        router.add_delete("/api/v3/notification/{id:\\d+}", self._delete)
        router.add_get("/api/v3/system/status", self._status)
        self.queue.add_routes(router)

    # What a user has set up by hand ------------------------------------------

    def add_connection(
        self,
        name: str,
        *,
        implementation: str = "Webhook",
        url: str | None = None,
        events: tuple[str, ...] = ("onGrab",),
        password: str = "",
    ) -> dict[str, Any]:
        """Store a connection as if made in Settings → Connect; returns a copy of it as stored."""
        fields = _webhook_fields(self.release)
        for item in fields:
            if item["name"] == "url":
                item["value"] = url
            if item["name"] == "password":
                item["value"] = password
        resource: dict[str, Any] = {
            "name": name,
            "implementation": implementation,
            "implementationName": implementation,
            "configContract": f"{implementation}Settings",
            "fields": fields,
            "tags": [],
            **{flag: flag in events for flag in self.flags},
        }
        return copy.deepcopy(self._store(resource))

    def webhooks(self) -> list[dict[str, Any]]:
        """Stored webhook connections, as the API shows them."""
        return [
            self._public(n)
            for n in self.notifications.values()
            if n["implementation"] == "Webhook"
        ]

    def enabled_events(self, notification: dict[str, Any]) -> set[str]:
        """The flags that are on (``includeHealthWarnings`` is an option, not an event)."""
        return {
            flag
            for flag in self.flags
            if flag != "includeHealthWarnings" and notification.get(flag)
        }

    def payload(self, name: str) -> dict[str, Any]:
        """The fixture of an event as this release sends it (``<app>_v<major>_<name>``)."""
        app = self.app.lower()
        if name in self.release.own_payloads:
            major = self.release.version.split(".", 1)[0]
            return payload(f"{app}_v{major}_{name}")
        return payload(f"{app}_{name}")

    def writes(self) -> list[tuple[str, str]]:
        """Every call that could change something."""
        return [call for call in self.calls if call[0] != "GET"]

    async def send(self, body: dict[str, Any]) -> None:
        """Deliver a real event to each webhook whose flags let it through, as the app does."""
        for notification in list(self.notifications.values()):
            if notification["implementation"] == "Webhook" and self._wants(
                notification, body
            ):
                await self._post(notification, body)

    # The API ---------------------------------------------------------------

    def _guard(self, request: web.Request) -> web.Response | None:
        self.calls.append((request.method, request.path))
        if self.fail_with is not None:
            return web.Response(status=self.fail_with, text="Service unavailable")
        if request.headers.get("X-Api-Key") != self.api_key:
            return web.Response(status=401)
        return None

    async def _status(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        # SystemResource, trimmed: the integration reads appName.
        return web.json_response(
            {
                "appName": self.app,
                "instanceName": self.app,
                "version": self.release.version,
            }
        )

    async def _list(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        ordered = sorted(self.notifications.values(), key=lambda n: n["name"])
        return web.json_response([self._public(n) for n in ordered])

    async def _get(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        stored = self.notifications.get(int(request.match_info["id"]))
        if stored is None:
            return web.json_response({"message": "NotFound"}, status=404)
        return web.json_response(self._public(stored))

    async def _create(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        if (invalid := self._validate(body, None, creating=True)) is not None:
            return invalid
        resource = self._from_request(body, None)
        if self._enabled(resource) and request.query.get("forceSave") != "true":
            if (failed := await self._send_test(resource)) is not None:
                return failed
        stored = self._store(resource)
        return web.json_response(self._public(stored), status=201)

    async def _update(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        existing = self.notifications.get(int(request.match_info["id"]))
        if existing is None:
            return web.json_response({"message": "NotFound"}, status=404)
        body = await request.json()
        if (
            invalid := self._validate(body, existing["id"], creating=False)
        ) is not None:
            return invalid
        resource = self._from_request(body, existing)
        resource["id"] = existing["id"]
        changed = resource != existing
        if (
            self._enabled(resource)
            and changed
            and request.query.get("forceSave") != "true"
        ):
            if (failed := await self._send_test(resource)) is not None:
                return failed
        if changed:
            self.notifications[existing["id"]] = resource
        return web.json_response(self._public(resource), status=202)

    async def _delete(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        self.notifications.pop(int(request.match_info["id"]), None)
        return web.json_response({})

    async def _test(self, request: web.Request) -> web.Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = await request.json()
        existing = self.notifications.get(int(body.get("id") or 0))
        resource = self._from_request(body, existing)
        if (failed := await self._send_test(resource)) is not None:
            return failed
        return web.json_response("{}")

    # Behaviour behind the API ------------------------------------------------

    def _validate(
        self, body: Any, own_id: int | None, *, creating: bool
    ) -> web.Response | None:
        failures: list[dict[str, Any]] = []

        def fail(prop: str, message: str, value: Any = None) -> None:
            failures.append(
                {
                    "propertyName": prop,
                    "errorMessage": message,
                    "attemptedValue": value,
                    "severity": "error",
                    "errorCode": "PredicateValidator",
                    "isWarning": False,
                }
            )

        name = body.get("name") if isinstance(body, dict) else None
        if not name:
            fail("Name", "'Name' must not be empty.", name)
        elif any(
            other["name"].casefold() == str(name).casefold() and other["id"] != own_id
            for other in self.notifications.values()
        ):
            fail("Name", "Should be unique", name)
        for key in ("implementation", "configContract"):
            if not body.get(key):
                fail(key[0].upper() + key[1:], f"'{key}' must not be empty.")
        if creating and body.get("fields") is None:
            fail("Fields", "'Fields' must not be empty.")
        if failures:
            return web.json_response(failures, status=400)
        if (
            body["implementation"] == "Webhook"
            and body["configContract"] != "WebhookSettings"
        ):
            # FindTypeByName finds nothing and the settings cannot be read.
            return web.json_response({"message": "Value cannot be null."}, status=500)
        resource = self._from_request(body, None)
        if (
            resource["implementation"] == "Webhook"
            and self._enabled(resource)
            and not _valid_url(_field(resource, "url"))
        ):
            fail("Url", "Invalid Url: '" + str(_field(resource, "url")) + "'")
            return web.json_response(failures, status=400)
        return None

    def _from_request(
        self, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        """``ToModel``: known flags, the settings read from the field schema."""
        fields = _webhook_fields(self.release)
        sent = {
            item.get("name"): item.get("value") for item in body.get("fields") or []
        }
        for item in fields:
            if item["name"] not in sent:
                continue
            value = sent[item["name"]]
            if item["privacy"] == "password" and value == PRIVATE_VALUE and existing:
                value = _field(existing, item["name"])
            item["value"] = value
        resource: dict[str, Any] = {
            "name": body.get("name"),
            "implementation": body.get("implementation"),
            "implementationName": body.get("implementationName")
            or body.get("implementation"),
            "configContract": body.get("configContract"),
            "fields": fields,
            "tags": list(body.get("tags") or []),
            **{flag: body.get(flag) is True for flag in self.flags},
        }
        if existing is not None:
            resource["id"] = existing["id"]
        return resource

    def _store(self, resource: dict[str, Any]) -> dict[str, Any]:
        resource = copy.deepcopy(resource)
        resource["id"] = self._next_id
        self._next_id += 1
        self.notifications[resource["id"]] = resource
        return resource

    def _public(self, stored: dict[str, Any]) -> dict[str, Any]:
        resource = copy.deepcopy(stored)
        for item in resource["fields"]:
            if item["privacy"] == "password" and item.get("value"):
                item["value"] = PRIVATE_VALUE
            if item.get("value") is None:
                # STJson leaves nulls out.
                item.pop("value", None)
        for flag in self.flags:
            if flag != "includeHealthWarnings":
                resource["supports" + flag[0].upper() + flag[1:]] = True
        resource["infoLink"] = (
            f"https://wiki.servarr.com/{self.app.lower()}/supported#webhook"
        )
        return resource

    def _enabled(self, resource: dict[str, Any]) -> bool:
        """``NotificationDefinition.Enable``."""
        return any(
            resource.get(flag) for flag in self.flags if flag not in _NOT_AN_EVENT
        )

    def _wants(self, notification: dict[str, Any], body: dict[str, Any]) -> bool:
        """Whether ``NotificationService`` sends this event to that connection."""
        event_type = body["eventType"]
        if event_type == "Download" and "episodeFiles" in body:
            if not self.release.import_complete:
                raise ValueError(f"Sonarr {self.release.version} has no such event")
            return bool(notification.get("onImportComplete"))
        if event_type == "Download":
            return bool(notification.get("onDownload")) and (
                not body.get("isUpgrade") or bool(notification.get("onUpgrade"))
            )
        flag = _EVENT_FLAGS[event_type]
        if not notification.get(flag):
            return False
        if event_type.endswith("FileDelete") and body.get("deleteReason") == "upgrade":
            return bool(notification.get(f"{flag}ForUpgrade"))
        return True

    async def _send_test(self, resource: dict[str, Any]) -> web.Response | None:
        """``Webhook.Test()``: the Test event, failures reported as validation errors."""
        test = self.payload("test")
        status = await self._post(resource, test)
        url = _field(resource, "url")
        if status is None:
            return web.json_response(
                {"message": f"Connection refused ({urlsplit(url).netloc})"}, status=500
            )
        if status >= 400:
            message = (
                "Unable to send test message: Unable to post to webhook: HTTP request "
                f"failed: [{status}:{HTTPStatus(status).phrase.replace(' ', '')}] [POST] at [{url}]"
            )
            return web.json_response(
                [
                    {
                        "propertyName": "Url",
                        "errorMessage": message,
                        "attemptedValue": None,
                        "severity": "error",
                        "isWarning": False,
                    }
                ],
                status=400,
            )
        return None

    async def _post(self, resource: dict[str, Any], body: dict[str, Any]) -> int | None:
        """``WebhookProxy.SendWebhook``: JSON, the method, Basic auth, extra headers."""
        url = _field(resource, "url")
        method = "PUT" if _field(resource, "method") == 2 else "POST"
        username = _field(resource, "username") or ""
        password = _field(resource, "password") or ""
        auth = aiohttp.BasicAuth(username, password) if username or password else None
        headers = {"Accept": "application/json"}
        for header in _field(resource, "headers") or []:
            headers[header["key"]] = header["value"]
        assert self._session is not None
        try:
            async with self._session.request(
                method, url, json=body, auth=auth, headers=headers
            ) as response:
                await response.read()
                status: int | None = response.status
        except aiohttp.ClientError:
            status = None
        self.deliveries.append((url, status, body))
        return status
