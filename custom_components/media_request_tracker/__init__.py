"""Media Request Tracker: follow media requests from Jellyseerr to Jellyfin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from aiohttp import CookieJar
from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.aiohttp_client import (
    async_create_clientsession,
    async_get_clientsession,
)
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

from .arr_actions import async_setup_arr_actions
from .clients.arr_queue import ArrQueueClient
from .clients.jellyfin import JellyfinClient
from .clients.jellyseerr import JellyseerrClient
from .clients.qbittorrent import QBittorrentClient
from .clients.shoko import ShokoClient
from .const import (
    CONF_JELLYFIN_API_KEY,
    CONF_JELLYFIN_URL,
    CONF_JELLYSEERR_API_KEY,
    CONF_JELLYSEERR_URL,
    CONF_QBITTORRENT_PASSWORD,
    CONF_QBITTORRENT_URL,
    CONF_QBITTORRENT_USERNAME,
    CONF_SHOKO_API_KEY,
    CONF_SHOKO_URL,
    DOMAIN,
)
from .coordinator import JellyfinVerifier, QBittorrentCoordinator
from .core.tracker import RequestTracker
from .enrichment import JellyfinEnrichment
from .frontend import async_register_card, async_unregister_card
from .hub import RequestHub
from .instances import ArrInstance, arr_instances, instance_names
from .issues import RequestIssues
from .jellyseerr_poll import JellyseerrPoller, async_remove_poll_state
from .migration import async_migrate_entry, legacy_instance_ids, tie_to_instances
from .queue_coordinator import QUEUE_INTERVAL, ArrQueueCoordinator
from .registration import (
    RegistrationStatus,
    async_schedule_register_upstream,
    async_unregister_upstream,
    async_unregister_upstream_services,
    instance_service,
)
from .request_actions import async_setup_request_actions
from .runtime_data import MediaRequestTrackerConfigEntry, MediaRequestTrackerData
from .services import async_setup_services
from .settings import (
    jellyseerr_poll_interval,
    qbittorrent_interval,
    retention,
    tracker_options,
    verify_interval,
)
from .shoko_listener import ShokoListener
from .store import RequestStore, StorageError, StorageVersionError
from .webhook import async_register_webhooks

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR]

RETENTION_CHECK_INTERVAL = timedelta(hours=6)
STUCK_CHECK_INTERVAL = timedelta(minutes=1)
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

__all__ = ["async_migrate_entry"]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, once for all entries."""
    async_setup_services(hass)
    async_setup_request_actions(hass)
    async_setup_arr_actions(hass)
    return True


async def async_setup_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> bool:
    """Load stored requests, then open the webhooks.

    No upstream service is called here on purpose: webhooks must be received
    even while Jellyfin is down, or their events would be lost.
    """
    store = RequestStore(hass, entry.entry_id)
    try:
        stored = await store.async_load()
    except StorageVersionError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="storage_newer_version",
            translation_placeholders={"version": str(err.version)},
        ) from err
    except StorageError as err:
        # Starting empty would overwrite what is there at the next compaction.
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="storage_unreadable",
            translation_placeholders={"error": str(err)},
        ) from err
    # Requests grabbed under 0.2 name their app; the migrated instance took it over.
    for request in tie_to_instances(stored, legacy_instance_ids(entry)):
        store.update(request)
    tracker = RequestTracker(stored, tracker_options(entry))
    jellyfin = JellyfinClient(
        async_get_clientsession(hass),
        entry.data[CONF_JELLYFIN_URL],
        entry.data[CONF_JELLYFIN_API_KEY],
    )
    hub = RequestHub(hass, entry, tracker, store)
    issues = RequestIssues(hass, entry, hub)
    entry.async_on_unload(hub.async_add_listener(issues.async_on_outcome))
    verifier = JellyfinVerifier(
        hass,
        entry,
        jellyfin,
        hub,
        verify_interval(entry),
    )
    registrations = RegistrationStatus()
    qbittorrent = _qbittorrent_coordinator(hass, entry, hub)
    entry.runtime_data = MediaRequestTrackerData(
        hub=hub,
        issues=issues,
        enrichment=JellyfinEnrichment(
            jellyfin, entry.unique_id, hub.needs_series_lookup
        ),
        verifier=verifier,
        qbittorrent=qbittorrent,
        shoko=_shoko_listener(hass, entry, hub),
        queues=_queue_coordinators(hass, entry, hub, qbittorrent),
        registrations=registrations,
        instance_names=instance_names(entry),
        jellyseerr_poll=_jellyseerr_poller(hass, entry, hub),
    )

    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    async_register_webhooks(hass, entry)
    await async_register_card(hass)  # once per Home Assistant; the dashboard card
    # In Radarr, Sonarr and Jellyseerr; in the background, after start-up.
    async_schedule_register_upstream(hass, entry, registrations)
    # Coordinators poll only while they have listeners; these keep them going
    # even if the user disables the connection sensors.
    entry.async_on_unload(verifier.async_add_listener(lambda: None))
    entry.async_on_unload(hub.async_add_listener(verifier.async_check_soon))
    entry.async_create_background_task(
        hass, verifier.async_refresh(), "media_request_tracker_first_check"
    )

    if (poller := entry.runtime_data.jellyseerr_poll) is not None:
        # After start-up, in the background; timers end on unload and on stop.
        poller.async_start()

    if (shoko := entry.runtime_data.shoko) is not None:
        # Cancelled on unload and on stop; it reconnects by itself until then.
        entry.async_create_background_task(
            hass, shoko.async_run(), "media_request_tracker_shoko"
        )

    async def stop_polling(_: Event) -> None:
        # Entries are not unloaded when Home Assistant stops; their timers must still end.
        for coordinator in (
            verifier,
            entry.runtime_data.qbittorrent,
            *entry.runtime_data.queues,
        ):
            if coordinator is not None:
                await coordinator.async_shutdown()
        await store.async_close()

    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stop_polling)
    )
    if (qbittorrent := entry.runtime_data.qbittorrent) is not None:
        entry.async_on_unload(qbittorrent.async_add_listener(lambda: None))
        entry.async_on_unload(hub.async_add_listener(qbittorrent.async_wake))
        qbittorrent.async_wake()
    for queue in entry.runtime_data.queues:
        entry.async_on_unload(queue.async_add_listener(lambda: None))
        entry.async_on_unload(hub.async_add_listener(queue.async_wake))
        queue.async_wake()

    async def purge(now: datetime) -> None:
        await hub.async_purge_expired(now, retention(entry))

    await purge(datetime.now().astimezone())
    entry.async_on_unload(
        async_track_time_interval(
            hass, purge, RETENTION_CHECK_INTERVAL, cancel_on_shutdown=True
        )
    )
    # The first check waits a minute, so that Jellyfin and qBittorrent can
    # first tell what happened while Home Assistant was down.
    entry.async_on_unload(
        async_track_time_interval(
            hass,
            issues.async_check_stuck,
            STUCK_CHECK_INTERVAL,
            cancel_on_shutdown=True,
        )
    )
    # Every change to the entry (its settings, options or instances) reloads it.
    entry.async_on_unload(
        entry.add_update_listener(
            partial(_async_reload_on_change, _SetUpWith.of(entry))
        )
    )
    return True


def _qbittorrent_coordinator(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, hub: RequestHub
) -> QBittorrentCoordinator | None:
    """Build the download poller when qBittorrent is set up."""
    if not (url := entry.data.get(CONF_QBITTORRENT_URL)):
        return None
    # qBittorrent keeps its session in a cookie; the shared session's jar
    # drops cookies for IP-address hosts, which is what users type.
    # Created during set-up, so Home Assistant detaches it when the entry unloads.
    session = async_create_clientsession(hass, cookie_jar=CookieJar(unsafe=True))
    client = QBittorrentClient(
        session,
        url,
        entry.data.get(CONF_QBITTORRENT_USERNAME),
        entry.data.get(CONF_QBITTORRENT_PASSWORD),
    )
    return QBittorrentCoordinator(hass, entry, client, hub, qbittorrent_interval(entry))


def _queue_coordinators(
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
    hub: RequestHub,
    qbittorrent: QBittorrentCoordinator | None,
) -> tuple[ArrQueueCoordinator, ...]:
    """Build a queue poller for each Radarr and Sonarr instance."""
    session = async_get_clientsession(hass)
    return tuple(
        ArrQueueCoordinator(
            hass,
            entry,
            hub,
            instance=instance,
            client=ArrQueueClient(
                session, instance.url, instance.api_key, app=instance.app
            ),
            interval=QUEUE_INTERVAL,
            live_downloads=qbittorrent.torrents if qbittorrent else frozenset(),
        )
        for instance in arr_instances(entry)
    )


def _jellyseerr_poller(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, hub: RequestHub
) -> JellyseerrPoller | None:
    """Build the safety net for lost Jellyseerr webhooks when its API key is there."""
    url, api_key = (
        entry.data.get(CONF_JELLYSEERR_URL),
        entry.data.get(CONF_JELLYSEERR_API_KEY),
    )
    if not (url and api_key):
        return None
    client = JellyseerrClient(async_get_clientsession(hass), url, api_key)
    return JellyseerrPoller(hass, entry, client, hub, jellyseerr_poll_interval(entry))


def _shoko_listener(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry, hub: RequestHub
) -> ShokoListener | None:
    """Build the Shoko listener when Shoko is set up."""
    if not (url := entry.data.get(CONF_SHOKO_URL)):
        return None
    client = ShokoClient(
        async_get_clientsession(hass), url, entry.data.get(CONF_SHOKO_API_KEY)
    )
    return ShokoListener(hass, entry, client, hub)


async def async_unload_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> bool:
    """Unload the platforms; webhooks and timers go with ``async_on_unload``."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await entry.runtime_data.hub.store.async_close()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: MediaRequestTrackerConfigEntry
) -> None:
    """Delete the stored requests, its repair issues, and our webhooks in the services."""
    await RequestStore(hass, entry.entry_id).async_remove()
    await async_remove_poll_state(hass, entry.entry_id)
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and entry.entry_id in issue_id:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    await async_unregister_upstream(hass, entry)
    if not any(
        other.entry_id != entry.entry_id
        for other in hass.config_entries.async_entries(DOMAIN)
    ):
        await async_unregister_card(hass)


@dataclass(frozen=True, slots=True)
class _SetUpWith:
    """What an entry was set up with, which its update listener compares."""

    data: Mapping[str, Any]
    options: Mapping[str, Any]
    instances: tuple[ArrInstance, ...]

    @classmethod
    def of(cls, entry: MediaRequestTrackerConfigEntry) -> _SetUpWith:
        """Take what the entry holds now."""
        return cls(
            data=dict(entry.data),
            options=dict(entry.options),
            instances=arr_instances(entry),
        )


async def _async_reload_on_change(
    set_up_with: _SetUpWith,
    hass: HomeAssistant,
    entry: MediaRequestTrackerConfigEntry,
) -> None:
    """Reload once the entry differs from what it was set up with.

    The one reload path: the flows only store (the options flow, reauth,
    reconfigure, and the instances' subentry flows), and Home Assistant
    reloads nothing itself on a subentry change. An instance removed, or
    moved to another URL, loses our webhook there first, while we still know
    where it was; a new key or name keeps it.
    """
    now = _SetUpWith.of(entry)
    if now == set_up_with:
        return
    urls = {instance.instance_id: instance.url for instance in now.instances}
    await async_unregister_upstream_services(
        hass,
        entry,
        [
            instance_service(instance)
            for instance in set_up_with.instances
            if urls.get(instance.instance_id) != instance.url
        ],
    )
    hass.config_entries.async_schedule_reload(entry.entry_id)
