"""Radarr and Sonarr instances: one config subentry each.

A household may run several of each (a 4K Radarr, an anime Sonarr). Each is
a subentry of type ``radarr`` or ``sonarr`` whose id names it everywhere else:
on the events its webhook receives, on the requests it grabbed (``ArrItem``),
in its queue poller, its registration and its connection sensor.

The instance made by the set-up's ``arr`` step, or migrated from a 0.2 entry,
shares the entry's webhook for its app (``webhook_ids``), so that the URL
pasted before keeps working; an instance added later gets a webhook of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry, ConfigSubentryData
from yarl import URL

from .clients.http import safe_url
from .const import CONF_WEBHOOK_IDS
from .core.model import Source

# The fields of an instance subentry (public: ``interface.md``, version 0.3).
CONF_URL: Final = "url"
CONF_API_KEY: Final = "api_key"
CONF_NAME: Final = "name"
CONF_IS_4K: Final = "is_4k"
# Its webhook's id, a secret; never shown.
CONF_WEBHOOK_ID: Final = "webhook_id"
INSTANCE_SECRETS: Final = frozenset({CONF_API_KEY, CONF_WEBHOOK_ID})

# The apps that run as instances; each is a subentry type, named by the app.
INSTANCE_APPS: Final = (Source.RADARR, Source.SONARR)
_BY_TYPE: Final = {source.value: source for source in INSTANCE_APPS}


@dataclass(frozen=True, kw_only=True, slots=True)
class ArrInstance:
    """One Radarr or Sonarr, as its subentry holds it."""

    instance_id: str  # the subentry's id
    source: Source
    name: str
    url: str
    api_key: str
    is_4k: bool
    webhook_id: str

    @property
    def app(self) -> str:
        """The app's name as users know it: ``Radarr``."""
        return self.source.title()


def instance_of(subentry: ConfigSubentry) -> ArrInstance | None:
    """Read an instance from its subentry; None for a subentry of another type."""
    source = _BY_TYPE.get(subentry.subentry_type)
    if source is None:
        return None
    data = subentry.data
    return ArrInstance(
        instance_id=subentry.subentry_id,
        source=source,
        name=subentry.title,
        url=data[CONF_URL],
        api_key=data[CONF_API_KEY],
        is_4k=bool(data.get(CONF_IS_4K, False)),
        webhook_id=data[CONF_WEBHOOK_ID],
    )


def arr_instances(entry: ConfigEntry) -> tuple[ArrInstance, ...]:
    """List the entry's Radarr and Sonarr instances, in the order they were added."""
    return tuple(
        instance
        for subentry in entry.subentries.values()
        if (instance := instance_of(subentry)) is not None
    )


def instance_names(entry: ConfigEntry) -> dict[str, str]:
    """Name each instance by its id, for the ``instance`` attribute.

    An app set up without an API key sends only to the entry's webhook, and
    its events are named by the app (``radarr``), as all were in 0.2.
    """
    return {app.value: app.title() for app in unclaimed_apps(entry)} | {
        instance.instance_id: instance.name for instance in arr_instances(entry)
    }


def unclaimed_apps(entry: ConfigEntry) -> tuple[Source, ...]:
    """List the apps whose entry webhook no instance has: set up without an API key.

    The first instance added of such an app takes that webhook over, so that
    the connection pasted in the app by hand becomes the instance's.
    """
    webhook_ids: dict[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    claimed = {instance.webhook_id for instance in arr_instances(entry)}
    return tuple(
        app
        for app in INSTANCE_APPS
        if (webhook_id := webhook_ids.get(app.value)) and webhook_id not in claimed
    )


def instance_subentry(
    source: Source,
    *,
    url: str,
    api_key: str,
    webhook_id: str,
    name: str | None = None,
    is_4k: bool = False,
) -> ConfigSubentryData:
    """Describe a new instance's subentry; its URL keeps one instance from being added twice."""
    title = name or source.title()
    return ConfigSubentryData(
        data={
            CONF_URL: url,
            CONF_API_KEY: api_key,
            CONF_NAME: title,
            CONF_IS_4K: is_4k,
            CONF_WEBHOOK_ID: webhook_id,
        },
        subentry_type=source.value,
        title=title,
        unique_id=instance_unique_id(source, url),
    )


def instance_unique_id(source: Source, url: str) -> str:
    """Key an instance by its app and URL: one server is not added twice.

    Without user info or query (``safe_url``), and with scheme and host in
    lower case, as they do not tell servers apart.
    """
    return f"{source.value}:{URL(safe_url(url))}"  # yarl lowers scheme and host
