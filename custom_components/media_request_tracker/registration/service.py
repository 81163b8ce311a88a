"""The services our webhook goes into, and what a registrar for one promises.

A registrar knows one protocol; what to do when it fails (log, retry, reauth)
is decided in ``schedule.py`` alone, so a registrar only raises: the client's
own errors, or ``NotRegistered`` for a reason that belongs to its protocol.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.core import HomeAssistant
from yarl import URL

from custom_components.media_request_tracker.clients.http import REDACTED
from custom_components.media_request_tracker.const import (
    CONF_WEBHOOK_IDS,
    REGISTRATION_SERVICES,
)
from custom_components.media_request_tracker.core.model import Source
from custom_components.media_request_tracker.instances import ArrInstance, arr_instances
from custom_components.media_request_tracker.runtime_data import (
    MediaRequestTrackerConfigEntry,
)
from custom_components.media_request_tracker.webhook import webhook_url

# Jellyseerr's URL and API key, the entry's; Radarr and Sonarr are instances.
_JELLYSEERR_KEYS: Final = REGISTRATION_SERVICES[Source.JELLYSEERR.value]


@dataclass(frozen=True, kw_only=True, slots=True)
class UpstreamService:
    """One service the entry registers our webhook in."""

    source: Source
    url: str
    api_key: str
    webhook_id: str
    # A Radarr's or Sonarr's instance (its subentry id) and the name it was given.
    instance_id: str | None = None
    name: str | None = None

    @property
    def title(self) -> str:
        """The app's name: ``Radarr``."""
        return self.source.title()

    @property
    def label(self) -> str:
        """The service as users know it, in log lines: ``Radarr 4K``."""
        return self.name or self.title

    @property
    def key(self) -> str:
        """What its registration status is kept under: the instance, or ``jellyseerr``."""
        return self.instance_id or self.source.value

    def kept_in(self, data: Mapping[str, Any]) -> bool:
        """Whether entry data still hold this service (instances are not entry data)."""
        if self.instance_id is not None:
            return True
        url_key, key_key = _JELLYSEERR_KEYS
        return (data.get(url_key), data.get(key_key)) == (self.url, self.api_key)


@dataclass(frozen=True)
class Registrar(ABC):
    """Puts our webhook into one service, and takes it out again."""

    hass: HomeAssistant
    entry: MediaRequestTrackerConfigEntry
    service: UpstreamService

    @abstractmethod
    async def async_register(self) -> str | None:
        """Make the service send to our webhook; a second call changes nothing.

        Return None once it does, or the status diagnostics show when the
        service is left as it is on purpose (no failure, nothing to retry).
        """

    @abstractmethod
    async def async_unregister(self) -> None:
        """Remove our webhook, and nothing of the user's."""


class NotRegistered(Exception):
    """Why a service could not be set, for the user; ``retry`` if it may pass later.

    The reason may quote the service's own words, and with them our URL: it is
    scrubbed of secrets before it is logged or shown.
    """

    def __init__(self, reason: str, *, retry: bool) -> None:
        """Keep the reason as the message."""
        super().__init__(reason)
        self.retry = retry


def instance_service(instance: ArrInstance) -> UpstreamService:
    """Describe a Radarr or Sonarr instance as a service to register in."""
    return UpstreamService(
        source=instance.source,
        url=instance.url,
        api_key=instance.api_key,
        webhook_id=instance.webhook_id,
        instance_id=instance.instance_id,
        name=instance.name,
    )


def configured_services(entry: MediaRequestTrackerConfigEntry) -> list[UpstreamService]:
    """List the instances, then Jellyseerr when the entry holds its URL, key and webhook."""
    services = [instance_service(instance) for instance in arr_instances(entry)]
    webhook_ids: Mapping[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    url_key, key_key = _JELLYSEERR_KEYS
    if (
        entry.data.get(url_key)
        and entry.data.get(key_key)
        and (webhook_id := webhook_ids.get(Source.JELLYSEERR.value))
    ):
        services.append(
            UpstreamService(
                source=Source.JELLYSEERR,
                url=entry.data[url_key],
                api_key=entry.data[key_key],
                webhook_id=webhook_id,
            )
        )
    return services


def scrub(
    text: str,
    entry: MediaRequestTrackerConfigEntry,
    service: UpstreamService | None = None,
) -> str:
    """Replace every webhook id and API key of the entry and its instances in a message.

    ``service`` adds one the entry may no longer hold (an instance just removed).
    """
    webhook_ids: Mapping[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    secrets = [*webhook_ids.values(), entry.data.get(_JELLYSEERR_KEYS[1])]
    if service is not None:
        secrets += (service.webhook_id, service.api_key)
    for instance in arr_instances(entry):
        secrets += (instance.webhook_id, instance.api_key)
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, REDACTED)
    return text


def is_our_url(url: str, webhook_id: str) -> bool:
    """Whether a URL is our webhook's, whatever host and prefix lead to it.

    The webhook id is ours alone, so our connection is found again after Home
    Assistant's URL changes.
    """
    try:
        path = URL(url).path
    except (TypeError, ValueError):
        return False
    return path.rstrip("/").endswith(f"/api/webhook/{webhook_id}")


def our_webhook_url(hass: HomeAssistant, service: UpstreamService) -> str:
    """Return the URL the service is to send to; a bare path reaches no other host."""
    url = webhook_url(hass, service.webhook_id)
    if url.startswith("/"):
        raise NotRegistered(
            "Home Assistant has no URL that other services can reach; set one "
            "under Settings → System → Network",
            retry=False,
        )
    return url
