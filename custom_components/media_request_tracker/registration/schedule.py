"""Register our webhooks in Radarr, Sonarr and Jellyseerr, and remove them again.

For each of the three whose URL and API key the entry holds:

- **Radarr, Sonarr**: one *Webhook* connection, ``POST`` to our URL, with only
  the events the tracker acts on (``RADARR_EVENTS``/``SONARR_EVENTS``). Ours is
  the connection whose URL ends in our webhook path (the id is ours alone, so it
  is found again after Home Assistant's URL changes). A second set-up changes
  nothing; a connection of ours that differs is put back; any other connection
  is never touched. The app sends its ``Test`` event to us before it saves.
- **Jellyseerr**: a single webhook slot. Taken if its URL is empty or already
  ours: enabled, our URL, the notification types the tracker reads, and
  Jellyseerr's own default template (which our parser reads), tested before it
  is saved. A slot with another URL is the user's, enabled or not (a disabled
  one still holds their URL, template and auth header): it is left alone and a
  repair issue says so, until a later set-up finds it ours or empty.

Nothing here blocks or fails set-up. It runs once Home Assistant has started
(the apps test our URL before saving, so the HTTP server must answer) as a
background task; a service that cannot be reached logs one warning and is
tried again in the background (1, 5, 15 minutes, then hourly) until it works or
the entry unloads. A refused API key is not retried. Webhook URLs carry the
webhook id, a secret, so they are never logged: every message is scrubbed of
the ids and the API key first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
import json
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.start import async_at_started
from yarl import URL

from .clients.arr import ArrAuthError, ArrClient, ArrError, ArrRejectedError
from .clients.http import safe_url
from .clients.jellyseerr import (
    JellyseerrAuthError,
    JellyseerrClient,
    JellyseerrError,
    JellyseerrTestFailedError,
    WebhookAgentSettings,
)
from .const import ARR_SERVICES, CONF_WEBHOOK_IDS, DOMAIN, LOGGER, REAUTH_SERVICE
from .models import MediaRequestTrackerConfigEntry
from .webhook import WebhookSource, webhook_url

NOTIFICATION_NAME: Final = "Home Assistant – Media Request Tracker"
WEBHOOK_METHOD_POST: Final = 1

# Every event flag of a Radarr/Sonarr connection (v3 API), so that all but ours
# are set off. A flag the app does not know (Sonarr before 4.0.6 has no
# onImportComplete) is ignored by it and not compared.
RADARR_FLAGS: Final = (
    "onGrab",
    "onDownload",
    "onUpgrade",
    "onRename",
    "onMovieAdded",
    "onMovieDelete",
    "onMovieFileDelete",
    "onMovieFileDeleteForUpgrade",
    "onHealthIssue",
    "includeHealthWarnings",
    "onHealthRestored",
    "onApplicationUpdate",
    "onManualInteractionRequired",
)
SONARR_FLAGS: Final = (
    "onGrab",
    "onDownload",
    "onUpgrade",
    "onImportComplete",
    "onRename",
    "onSeriesAdd",
    "onSeriesDelete",
    "onEpisodeFileDelete",
    "onEpisodeFileDeleteForUpgrade",
    "onHealthIssue",
    "includeHealthWarnings",
    "onHealthRestored",
    "onApplicationUpdate",
    "onManualInteractionRequired",
)
# The events core/parsers/arr.py acts on: a grab (Grab), an import and an
# upgrade (Download; Sonarr's per-file event and, from 4.0.6, its once-per-
# release import-complete event), a deleted file or title, and a download that
# needs manual interaction (timeline notes). Left off: Rename, *Added, Health,
# HealthRestored and ApplicationUpdate, which it ignores, and file deletions
# for an upgrade, which the upgrade's own Download event already records.
RADARR_EVENTS: Final = frozenset(
    {
        "onGrab",
        "onDownload",
        "onUpgrade",
        "onMovieDelete",
        "onMovieFileDelete",
        "onManualInteractionRequired",
    }
)
SONARR_EVENTS: Final = frozenset(
    {
        "onGrab",
        "onDownload",
        "onUpgrade",
        "onImportComplete",
        "onSeriesDelete",
        "onEpisodeFileDelete",
        "onManualInteractionRequired",
    }
)

# Jellyseerr notification types (bits) that move a request: MEDIA_PENDING 2,
# MEDIA_APPROVED 4, MEDIA_AVAILABLE 8, MEDIA_FAILED 16, MEDIA_DECLINED 64,
# MEDIA_AUTO_APPROVED 128. Test notifications always pass.
JELLYSEERR_TYPES: Final = 2 | 4 | 8 | 16 | 64 | 128
# Jellyseerr's shipped default template (server/lib/settings/index.ts), key for
# key; json.dumps(…, indent=2) gives the very text it ships.
JELLYSEERR_TEMPLATE: Final[dict[str, Any]] = {
    "notification_type": "{{notification_type}}",
    "event": "{{event}}",
    "subject": "{{subject}}",
    "message": "{{message}}",
    "image": "{{image}}",
    "{{media}}": {
        "media_type": "{{media_type}}",
        "tmdbId": "{{media_tmdbid}}",
        "tvdbId": "{{media_tvdbid}}",
        "status": "{{media_status}}",
        "status4k": "{{media_status4k}}",
    },
    "{{request}}": {
        "request_id": "{{request_id}}",
        "requestedBy_email": "{{requestedBy_email}}",
        "requestedBy_username": "{{requestedBy_username}}",
        "requestedBy_avatar": "{{requestedBy_avatar}}",
        "requestedBy_settings_discordId": "{{requestedBy_settings_discordId}}",
        "requestedBy_settings_telegramChatId": "{{requestedBy_settings_telegramChatId}}",
    },
    "{{issue}}": {
        "issue_id": "{{issue_id}}",
        "issue_type": "{{issue_type}}",
        "issue_status": "{{issue_status}}",
        "reportedBy_email": "{{reportedBy_email}}",
        "reportedBy_username": "{{reportedBy_username}}",
        "reportedBy_avatar": "{{reportedBy_avatar}}",
        "reportedBy_settings_discordId": "{{reportedBy_settings_discordId}}",
        "reportedBy_settings_telegramChatId": "{{reportedBy_settings_telegramChatId}}",
    },
    "{{comment}}": {
        "comment_message": "{{comment_message}}",
        "commentedBy_email": "{{commentedBy_email}}",
        "commentedBy_username": "{{commentedBy_username}}",
        "commentedBy_avatar": "{{commentedBy_avatar}}",
        "commentedBy_settings_discordId": "{{commentedBy_settings_discordId}}",
        "commentedBy_settings_telegramChatId": "{{commentedBy_settings_telegramChatId}}",
    },
    "{{extra}}": [],
}
JELLYSEERR_TEMPLATE_TEXT: Final = json.dumps(JELLYSEERR_TEMPLATE, indent=2)

ISSUE_JELLYSEERR_TAKEN: Final = "jellyseerr_webhook_taken"
# Seconds before each retry of a service that could not be reached; the last repeats.
RETRY_DELAYS: Final = (60, 300, 900, 3600)
# One service's whole registration; an app's save includes its test call to us.
SERVICE_TIMEOUT: Final = 90
REDACTED: Final = "**REDACTED**"


@dataclass(frozen=True, kw_only=True, slots=True)
class _Service:
    """One upstream service the entry can register our webhook in."""

    source: WebhookSource
    url: str
    api_key: str
    webhook_id: str

    @property
    def title(self) -> str:
        return self.source.title()


class _NotRegistered(Exception):
    """Why a service could not be set, already free of secrets."""

    def __init__(self, reason: str, *, retry: bool, key_refused: bool = False) -> None:
        super().__init__(reason)
        self.retry = retry
        self.key_refused = key_refused


# Each service with the keys of its URL and API key; Radarr and Sonarr first.
_SERVICE_KEYS: Final[tuple[tuple[WebhookSource, str, str], ...]] = tuple(
    (source, *ARR_SERVICES[source.value])
    for source in (WebhookSource.RADARR, WebhookSource.SONARR, WebhookSource.JELLYSEERR)
)


def _services(entry: MediaRequestTrackerConfigEntry) -> list[_Service]:
    webhook_ids: Mapping[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    return [
        _Service(
            source=source,
            url=entry.data[url_key],
            api_key=entry.data[key_key],
            webhook_id=webhook_ids[source.value],
        )
        for source, url_key, key_key in _SERVICE_KEYS
        if entry.data.get(url_key)
        and entry.data.get(key_key)
        and webhook_ids.get(source.value)
    ]


def is_our_url(url: str, webhook_id: str) -> bool:
    """Whether a URL is our webhook's, whatever host and prefix lead to it."""
    try:
        path = URL(url).path
    except (TypeError, ValueError):
        return False
    return path.rstrip("/").endswith(f"/api/webhook/{webhook_id}")


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _secrets(entry: MediaRequestTrackerConfigEntry) -> list[str]:
    webhook_ids: Mapping[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    keys = [entry.data.get(key) for _, _, key in _SERVICE_KEYS]
    return [*webhook_ids.values(), *(key for key in keys if isinstance(key, str))]


def _taken_issue_id(entry: MediaRequestTrackerConfigEntry) -> str:
    return f"{ISSUE_JELLYSEERR_TAKEN}_{entry.entry_id}"


# Set-up ---------------------------------------------------------------------


@callback
def async_schedule_register_upstream(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Register upstream in the background once Home Assistant has started."""

    @callback
    def start(hass: HomeAssistant) -> None:
        entry.async_create_background_task(
            hass,
            async_register_upstream(hass, entry),
            f"{DOMAIN}_register_upstream",
        )

    entry.async_on_unload(async_at_started(hass, start))


async def async_register_upstream(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Register our webhook in every service the entry has an API key for; never raises."""
    services = _services(entry)
    if not any(s.source is WebhookSource.JELLYSEERR for s in services):
        ir.async_delete_issue(hass, DOMAIN, _taken_issue_id(entry))
    await asyncio.gather(
        *(_Registration(hass, entry, service).async_attempt() for service in services)
    )


class _Registration:
    """Registers one service, retrying in the background while it cannot be reached."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        service: _Service,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._service = service
        self._failures = 0
        self._cancel_retry: CALLBACK_TYPE | None = None
        entry.async_on_unload(self._async_stop)
        self._set_status("pending")

    def _set_status(self, status: str) -> None:
        self._entry.runtime_data.registrations[self._service.source.value] = status

    @callback
    def _async_stop(self) -> None:
        if self._cancel_retry is not None:
            self._cancel_retry()
            self._cancel_retry = None

    async def async_attempt(self) -> None:
        service = self._service
        try:
            async with asyncio.timeout(SERVICE_TIMEOUT):
                await _REGISTER[service.source](self._hass, self._entry, service)
        except _NotRegistered as err:
            self._failed(str(err), retry=err.retry)
            if err.key_refused:
                # The reauth flow asks for this service's key and checks it live.
                self._entry.async_start_reauth(
                    self._hass, data={REAUTH_SERVICE: service.source.value}
                )
        except TimeoutError:
            self._failed(f"{service.title} did not answer in time", retry=True)
        except Exception as err:  # noqa: BLE001 - any answer we cannot read
            self._failed(
                f"{service.title} gave an answer we cannot use ({type(err).__name__})",
                retry=True,
            )
        else:
            self._set_status("registered")
            if self._failures:
                LOGGER.info("Registered the webhook in %s", service.title)
            else:
                LOGGER.debug("The webhook in %s is set", service.title)

    def _failed(self, reason: str, *, retry: bool) -> None:
        title = self._service.title
        reason = _scrub(reason, _secrets(self._entry))
        self._failures += 1
        self._set_status(f"not registered: {reason}")
        if self._failures == 1:
            LOGGER.warning(
                "Could not register the webhook in %s: %s%s",
                title,
                reason,
                "; trying again in the background" if retry else "",
            )
        else:
            LOGGER.debug("Still cannot register the webhook in %s: %s", title, reason)
        if retry:
            delay = RETRY_DELAYS[min(self._failures, len(RETRY_DELAYS)) - 1]
            self._cancel_retry = async_call_later(
                self._hass, delay, HassJob(self._retry, cancel_on_shutdown=True)
            )

    @callback
    def _retry(self, _: datetime) -> None:
        self._cancel_retry = None
        self._entry.async_create_background_task(
            self._hass, self.async_attempt(), f"{DOMAIN}_register_upstream_retry"
        )


def _our_url(hass: HomeAssistant, service: _Service) -> str:
    url = webhook_url(hass, service.webhook_id)
    if url.startswith("/"):
        raise _NotRegistered(
            "Home Assistant has no URL that other services can reach; set one "
            "under Settings → System → Network",
            retry=False,
        )
    return url


def _arr_reason(err: ArrError) -> _NotRegistered:
    if isinstance(err, ArrAuthError):
        return _NotRegistered("the API key was refused", retry=False, key_refused=True)
    if isinstance(err, ArrRejectedError):
        reasons = "; ".join(f.message for f in err.failures if f.message) or str(err)
        return _NotRegistered(f"it refused the connection: {reasons}", retry=True)
    return _NotRegistered(str(err), retry=True)


def _jellyseerr_reason(err: JellyseerrError) -> _NotRegistered:
    if isinstance(err, JellyseerrAuthError):
        return _NotRegistered("the API key was refused", retry=False, key_refused=True)
    if isinstance(err, JellyseerrTestFailedError):
        return _NotRegistered(
            "its test notification did not reach Home Assistant; check that "
            "Jellyseerr can reach Home Assistant's URL (Settings → System → Network)",
            retry=True,
        )
    return _NotRegistered(str(err), retry=True)


# Radarr and Sonarr ------------------------------------------------------------


def _arr_events(source: WebhookSource) -> tuple[tuple[str, ...], frozenset[str]]:
    if source is WebhookSource.RADARR:
        return RADARR_FLAGS, RADARR_EVENTS
    return SONARR_FLAGS, SONARR_EVENTS


def _arr_client(hass: HomeAssistant, service: _Service) -> ArrClient:
    return ArrClient(
        async_get_clientsession(hass),
        service.url,
        service.api_key,
        app=service.title,
    )


def _field_value(resource: Mapping[str, Any], name: str) -> Any:
    for field in resource.get("fields") or []:
        if isinstance(field, dict) and field.get("name") == name:
            return field.get("value")
    return None


def _is_our_arr_webhook(resource: Mapping[str, Any], webhook_id: str) -> bool:
    url = _field_value(resource, "url")
    return (
        resource.get("implementation") == "Webhook"
        and isinstance(url, str)
        and is_our_url(url, webhook_id)
    )


def _free_name(notifications: list[dict[str, Any]], entry_title: str) -> str:
    """Radarr and Sonarr want unique names; another entry may have taken ours."""
    taken = {str(n.get("name") or "").casefold() for n in notifications}
    own = f"{NOTIFICATION_NAME} ({entry_title})"
    for candidate in (
        NOTIFICATION_NAME,
        own,
        *(f"{own} {number}" for number in range(2, 100)),
    ):
        if candidate.casefold() not in taken:
            return candidate
    raise _NotRegistered("every name we would use is taken", retry=False)


def _arr_flags(flags: tuple[str, ...], events: frozenset[str]) -> dict[str, bool]:
    return {flag: flag in events for flag in flags}


def _arr_differs(
    resource: Mapping[str, Any],
    url: str,
    flags: tuple[str, ...],
    events: frozenset[str],
) -> bool:
    if _field_value(resource, "url") != url:
        return True
    if _field_value(resource, "method") != WEBHOOK_METHOD_POST:
        return True
    return any(resource[flag] != (flag in events) for flag in flags if flag in resource)


def _arr_updated(
    resource: Mapping[str, Any],
    url: str,
    flags: tuple[str, ...],
    events: frozenset[str],
) -> dict[str, Any]:
    """Ours with our URL and events; the rest (name, tags, headers) as the user left it."""
    wanted = {"url": url, "method": WEBHOOK_METHOD_POST}
    fields = [dict(field) for field in resource.get("fields") or []]
    for field in fields:
        if field.get("name") in wanted:
            field["value"] = wanted.pop(field["name"])
    fields.extend({"name": name, "value": value} for name, value in wanted.items())
    return {**resource, **_arr_flags(flags, events), "fields": fields}


async def _async_register_arr(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, service: _Service
) -> None:
    url = _our_url(hass, service)
    flags, events = _arr_events(service.source)
    client = _arr_client(hass, service)
    try:
        notifications = await client.async_get_notifications()
        ours = [n for n in notifications if _is_our_arr_webhook(n, service.webhook_id)]
        for duplicate in ours[1:]:
            await client.async_delete_notification(int(duplicate["id"]))
        if not ours:
            await client.async_add_notification(
                {
                    "name": _free_name(notifications, entry.title),
                    "implementation": "Webhook",
                    "implementationName": "Webhook",
                    "configContract": "WebhookSettings",
                    **_arr_flags(flags, events),
                    "tags": [],
                    "fields": [
                        {"name": "url", "value": url},
                        {"name": "method", "value": WEBHOOK_METHOD_POST},
                    ],
                }
            )
        elif _arr_differs(ours[0], url, flags, events):
            await client.async_update_notification(
                _arr_updated(ours[0], url, flags, events)
            )
    except ArrError as err:
        raise _arr_reason(err) from err


async def _async_unregister_arr(hass: HomeAssistant, service: _Service) -> None:
    client = _arr_client(hass, service)
    for notification in await client.async_get_notifications():
        if _is_our_arr_webhook(notification, service.webhook_id):
            await client.async_delete_notification(int(notification["id"]))


# Jellyseerr -------------------------------------------------------------------


def _jellyseerr_client(hass: HomeAssistant, service: _Service) -> JellyseerrClient:
    return JellyseerrClient(async_get_clientsession(hass), service.url, service.api_key)


async def _async_register_jellyseerr(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, service: _Service
) -> None:
    url = _our_url(hass, service)
    client = _jellyseerr_client(hass, service)
    try:
        current = await client.async_get_webhook()
        ours = is_our_url(current.webhook_url, service.webhook_id)
        if current.webhook_url and not ours:
            _raise_taken(hass, entry, service)
            return
        wanted = WebhookAgentSettings(
            enabled=True,
            types=JELLYSEERR_TYPES,
            webhook_url=url,
            payload_template=JELLYSEERR_TEMPLATE_TEXT,
            auth_header=current.auth_header if ours else "",
            support_variables=False,
            embed_poster=current.embed_poster,
        )
        if not (
            ours
            and current.enabled
            and current.types == wanted.types
            and current.webhook_url == wanted.webhook_url
            and not current.support_variables
            and current.template() == JELLYSEERR_TEMPLATE
        ):
            await client.async_test_webhook(wanted)
            await client.async_save_webhook(wanted)
    except JellyseerrError as err:
        raise _jellyseerr_reason(err) from err
    ir.async_delete_issue(hass, DOMAIN, _taken_issue_id(entry))


def _raise_taken(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, service: _Service
) -> None:
    LOGGER.info("Jellyseerr's webhook holds another URL; left alone (see Repairs)")
    ir.async_create_issue(
        hass,
        DOMAIN,
        _taken_issue_id(entry),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_JELLYSEERR_TAKEN,
        translation_placeholders={
            "jellyseerr_url": safe_url(service.url),
            "title": entry.title,
        },
    )


async def _async_unregister_jellyseerr(hass: HomeAssistant, service: _Service) -> None:
    client = _jellyseerr_client(hass, service)
    current = await client.async_get_webhook()
    if not is_our_url(current.webhook_url, service.webhook_id):
        return
    await client.async_save_webhook(
        WebhookAgentSettings(
            enabled=False,
            types=current.types,
            webhook_url="",
            payload_template=(
                current.payload_template
                if current.template() is not None
                else JELLYSEERR_TEMPLATE_TEXT
            ),
            embed_poster=current.embed_poster,
        )
    )


_REGISTER: Final[
    dict[
        WebhookSource,
        Callable[
            [HomeAssistant, MediaRequestTrackerConfigEntry, _Service], Awaitable[None]
        ],
    ]
] = {
    WebhookSource.RADARR: _async_register_arr,
    WebhookSource.SONARR: _async_register_arr,
    WebhookSource.JELLYSEERR: _async_register_jellyseerr,
}
_UNREGISTER: Final[
    dict[WebhookSource, Callable[[HomeAssistant, _Service], Awaitable[None]]]
] = {
    WebhookSource.RADARR: _async_unregister_arr,
    WebhookSource.SONARR: _async_unregister_arr,
    WebhookSource.JELLYSEERR: _async_unregister_jellyseerr,
}


# Removal ----------------------------------------------------------------------


async def async_unregister_upstream(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Remove our webhook from every service, touching nothing else; never raises."""
    await asyncio.gather(
        *(_async_unregister_one(hass, entry, service) for service in _services(entry))
    )


async def async_unregister_replaced(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    new_data: Mapping[str, Any],
) -> None:
    """Remove our webhook from a service that a reconfigure drops or replaces.

    Afterwards the entry no longer holds that service's URL and key, so
    removing the entry later could not find it.
    """
    replaced = [
        service
        for service in _services(entry)
        if tuple(new_data.get(key) for key in ARR_SERVICES[service.source.value])
        != (service.url, service.api_key)
    ]
    await asyncio.gather(
        *(_async_unregister_one(hass, entry, service) for service in replaced)
    )


async def _async_unregister_one(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, service: _Service
) -> None:
    try:
        async with asyncio.timeout(SERVICE_TIMEOUT):
            await _UNREGISTER[service.source](hass, service)
    except Exception as err:  # noqa: BLE001 - removal must never fail the caller
        LOGGER.warning(
            "Could not remove our webhook from %s (%s); remove it there by hand",
            service.title,
            _scrub(str(err) or "no answer in time", _secrets(entry))
            if isinstance(err, ArrError | JellyseerrError | TimeoutError)
            else type(err).__name__,
        )
