"""Media Request Tracker: follow media requests from Jellyseerr to Jellyfin."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval

from .clients.jellyfin import JellyfinClient
from .const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_RETENTION_DAYS,
    CONF_TRACK_UNREQUESTED,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_TRACK_UNREQUESTED,
)
from .core.tracker import RequestTracker, TrackerOptions
from .hub import RequestHub
from .models import MediaRequestTrackerConfigEntry, MediaRequestTrackerData
from .store import RequestStore
from .webhook import async_register_webhooks

PLATFORMS: list[Platform] = [Platform.SENSOR]

RETENTION_CHECK_INTERVAL = timedelta(hours=6)


async def async_setup_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> bool:
    """Load stored requests, then open the webhooks.

    No upstream service is called here on purpose: webhooks must be received
    even while Jellyfin is down, or their events would be lost.
    """
    store = RequestStore(hass, entry.entry_id)
    tracker = RequestTracker(
        await store.async_load(),
        TrackerOptions(
            track_unrequested=entry.options.get(
                CONF_TRACK_UNREQUESTED, DEFAULT_TRACK_UNREQUESTED
            )
        ),
    )
    jellyfin = JellyfinClient(
        async_get_clientsession(hass),
        entry.data[CONF_JELLYFIN_URL],
        entry.data[CONF_JELLYFIN_API_KEY],
    )
    hub = RequestHub(hass, entry, tracker, store, jellyfin)
    entry.runtime_data = MediaRequestTrackerData(hub=hub)

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_register_webhooks(hass, entry)

    retention = timedelta(
        days=int(entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))
    )

    async def purge(now: datetime) -> None:
        await hub.async_purge_expired(now, retention)

    await purge(datetime.now().astimezone())
    entry.async_on_unload(
        async_track_time_interval(
            hass, purge, RETENTION_CHECK_INTERVAL, cancel_on_shutdown=True
        )
    )
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_options_change))
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> bool:
    """Unload the platforms; webhooks and timers go with ``async_on_unload``."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Delete the stored requests with the entry."""
    await RequestStore(hass, entry.entry_id).async_remove()


async def _async_reload_on_options_change(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
