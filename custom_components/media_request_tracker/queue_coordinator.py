"""Polls a Radarr's or Sonarr's queue while, and only while, it has a download to follow.

The queue names every download the app grabbed, whatever client holds it
(SABnzbd, NZBGet, Transmission …), so it gives progress where qBittorrent is
not set up or does not hold the download, and tells why a finished download
is not imported. One paged call per poll; no call while nothing grabbed by
that instance waits on its download or import.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util

from .clients.arr_queue import ArrQueueClient
from .clients.http import ServiceAuthError, ServiceError
from .const import DOMAIN, REAUTH_INSTANCE, REAUTH_SERVICE
from .coordinator import WakingCoordinator
from .core.queue import ArrQueue
from .hub import RequestHub
from .instances import ArrInstance

# The apps refresh their queue from the download clients once a minute, so a
# faster poll would mostly read the same figures again.
QUEUE_INTERVAL = timedelta(seconds=30)


class ArrQueueCoordinator(WakingCoordinator):
    """Follows one *arr instance's queue for the requests that instance grabbed."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        hub: RequestHub,
        *,
        instance: ArrInstance,
        client: ArrQueueClient,
        interval: timedelta,
        live_downloads: Container[str] = frozenset(),
    ) -> None:
        """Start idle; ``async_wake`` starts polling.

        ``live_downloads`` holds the download ids qBittorrent reports itself:
        their figures come from there, live, and only the import state from here.
        """
        super().__init__(
            hass,
            entry,
            hub,
            f"{instance.name} queue",
            interval,
            f"media_request_tracker_{instance.instance_id}_queue_wake",
        )
        # Its instance's id, as the requests it grabbed name it.
        self.instance = instance.instance_id
        self.source = instance.source
        self.name = instance.name
        self.client = client
        self.queue = ArrQueue()
        self._live_downloads = live_downloads

    def _following(self) -> bool:
        return self._hub.follows_queue(self.instance)

    async def _async_poll(self) -> None:
        try:
            page = await self.client.async_get_queue()
        except ServiceAuthError as err:
            # Ask for this app's key; a bare auth failure would ask Jellyfin's.
            self.config_entry.async_start_reauth(
                self.hass,
                data={
                    REAUTH_SERVICE: self.source.value,
                    REAUTH_INSTANCE: self.instance,
                },
            )
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="arr_auth_failed",
                translation_placeholders={"app": self.name},
            ) from err
        except ServiceError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="arr_unreachable",
                translation_placeholders={
                    "app": self.name,
                    "error": str(err),
                },
            ) from err
        self.queue.apply(page.records, dt_util.utcnow())
        await self._hub.async_follow_queue(
            self.instance, self.source, self.queue, self._live_downloads
        )
