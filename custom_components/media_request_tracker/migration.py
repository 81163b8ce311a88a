"""Config entry migrations, one function per version step.

1 → 2 (0.2 → 0.3): the entry's single Radarr and Sonarr become instance
subentries. Each keeps its URL, API key and the entry's webhook for its app,
so nothing has to be pasted again; requests it grabbed before are tied to it
when the entry loads (``legacy_instance_ids``). A major version, as 0.2 could
not use such an entry: it refuses it rather than run without its *arrs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant

from .const import CONF_WEBHOOK_IDS, LOGGER, REGISTRATION_SERVICES
from .core.model import MediaRequest
from .instances import INSTANCE_APPS, arr_instances, instance_subentry

VERSION: Final = 2
MINOR_VERSION: Final = 1


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry to this version; refuse one made by a newer version."""
    if entry.version > VERSION:
        return False
    if entry.version == 1:
        _move_apps_to_subentries(hass, entry)
    return True


def _move_apps_to_subentries(hass: HomeAssistant, entry: ConfigEntry) -> None:
    webhook_ids = dict(entry.data.get(CONF_WEBHOOK_IDS) or {})
    data = dict(entry.data)
    subentries: list[ConfigSubentry] = []
    for source in INSTANCE_APPS:
        url_key, key_key = REGISTRATION_SERVICES[source.value]
        url, api_key = data.pop(url_key, None), data.pop(key_key, None)
        # Without an API key the app only sends to its webhook, which stays the entry's.
        if url and api_key:
            webhook_id = webhook_ids.setdefault(
                source.value, webhook.async_generate_id()
            )
            described = instance_subentry(
                source, url=url, api_key=api_key, webhook_id=webhook_id
            )
            subentries.append(
                ConfigSubentry(
                    data=MappingProxyType(described["data"]),
                    subentry_type=described["subentry_type"],
                    title=described["title"],
                    unique_id=described["unique_id"],
                )
            )
    for subentry in subentries:
        hass.config_entries.async_add_subentry(entry, subentry)
    data[CONF_WEBHOOK_IDS] = webhook_ids
    hass.config_entries.async_update_entry(
        entry, data=data, version=VERSION, minor_version=MINOR_VERSION
    )
    LOGGER.debug("Migrated entry to 2.1: %d instance subentries", len(subentries))


def legacy_instance_ids(entry: ConfigEntry) -> dict[str, str]:
    """Map the instance ids of 0.2 (``radarr``) to the instances that took them over.

    A 0.2 entry had one of each app, named by the app; the instance that
    shares the entry's webhook for that app is it.
    """
    webhook_ids: Mapping[str, str] = entry.data.get(CONF_WEBHOOK_IDS) or {}
    return {
        instance.source.value: instance.instance_id
        for instance in arr_instances(entry)
        if webhook_ids.get(instance.source.value) == instance.webhook_id
    }


def tie_to_instances(
    requests: Iterable[MediaRequest], renamed: Mapping[str, str]
) -> list[MediaRequest]:
    """Give each request of a 0.2 instance id its instance's id; return those changed."""
    changed = []
    for request in requests:
        arr = request.arr
        if arr is not None and (instance_id := renamed.get(arr.instance)):
            request.arr = replace(arr, instance=instance_id)
            changed.append(request)
    return changed
