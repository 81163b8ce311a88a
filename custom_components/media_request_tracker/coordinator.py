"""Polls qBittorrent while, and only while, some request waits on a download."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .clients.qbittorrent import (
    QBittorrentAuthError,
    QBittorrentClient,
    QBittorrentError,
)
from .const import DOMAIN, LOGGER
from .core.model import Stage
from .core.torrents import TorrentTable
from .core.tracker import Outcome
from .hub import RequestHub
from .models import MediaRequestTrackerConfigEntry


class QBittorrentCoordinator(DataUpdateCoordinator[None]):
    """One incremental ``sync/maindata`` call per poll, whatever the torrent count.

    The interval is switched off when nothing is indexed or downloading, so an
    idle stack costs no calls at all; a grab switches it back on.
    """

    config_entry: MediaRequestTrackerConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MediaRequestTrackerConfigEntry,
        client: QBittorrentClient,
        hub: RequestHub,
        interval: timedelta,
    ) -> None:
        """Start idle; ``async_wake`` starts polling."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name="qBittorrent",
            update_interval=None,
            always_update=False,
        )
        self.client = client
        self.torrents = TorrentTable()
        self._hub = hub
        self._interval = interval

    @callback
    def async_wake(self, outcome: Outcome | None = None) -> None:
        """Start polling when a request begins to wait on a download."""
        if self.update_interval is not None:
            return
        if outcome is not None and not any(
            transition.to_stage in (Stage.INDEXED, Stage.DOWNLOADING)
            for transition in outcome.transitions
        ):
            return
        if not self._hub.tracker.downloads_to_follow():
            return
        self.update_interval = self._interval
        self.config_entry.async_create_background_task(
            self.hass,
            self.async_request_refresh(),
            "media_request_tracker_qbittorrent_wake",
        )

    async def _async_update_data(self) -> None:
        if not self._hub.tracker.downloads_to_follow():
            self.update_interval = None
            return
        try:
            maindata = await self.client.async_sync_maindata(self.torrents.rid)
        except QBittorrentAuthError as err:
            self.torrents.reset()
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="qbittorrent_auth_failed"
            ) from err
        except QBittorrentError as err:
            self.torrents.reset()
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="qbittorrent_unreachable",
                translation_placeholders={"error": str(err)},
            ) from err
        self.torrents.apply(maindata, dt_util.utcnow())
        await self._hub.async_commit(
            self._hub.tracker.update_downloads(self.torrents, dt_util.utcnow())
        )
        if not self._hub.tracker.downloads_to_follow():
            self.update_interval = None
