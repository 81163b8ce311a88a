"""What a loaded config entry owns, kept as its runtime data.

The parts below know nothing of this module: they are handed what they need
(the entry, the hub), so this is the only place that names them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .coordinator import JellyfinVerifier, QBittorrentCoordinator
from .enrichment import JellyfinEnrichment
from .hub import RequestHub
from .issues import RequestIssues
from .jellyseerr_poll import JellyseerrPoller
from .queue_coordinator import ArrQueueCoordinator
from .shoko_listener import ShokoListener


@dataclass(kw_only=True, slots=True)
class MediaRequestTrackerData:
    """Everything a loaded entry owns."""

    hub: RequestHub
    issues: RequestIssues
    enrichment: JellyfinEnrichment
    verifier: JellyfinVerifier
    qbittorrent: QBittorrentCoordinator | None = None
    shoko: ShokoListener | None = None
    # One per Radarr and Sonarr instance: its download queue.
    queues: tuple[ArrQueueCoordinator, ...] = ()
    # The safety net for lost Jellyseerr webhooks, with a Jellyseerr API key.
    jellyseerr_poll: JellyseerrPoller | None = None
    # The name of each Radarr and Sonarr instance, by its id.
    instance_names: Mapping[str, str]
    # Webhook registration in Jellyseerr, Radarr and Sonarr: "registered",
    # "pending", or why not (free of secrets); written by registration/ alone.
    registrations: Mapping[str, str]


type MediaRequestTrackerConfigEntry = ConfigEntry[MediaRequestTrackerData]
