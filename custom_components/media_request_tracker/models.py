"""Runtime data kept on the config entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .coordinator import JellyfinVerifier, QBittorrentCoordinator
    from .enrichment import JellyfinEnrichment
    from .hub import RequestHub
    from .issues import RequestIssues
    from .shoko import ShokoListener


@dataclass(kw_only=True, slots=True)
class MediaRequestTrackerData:
    """Everything a loaded entry owns."""

    hub: RequestHub
    issues: RequestIssues
    enrichment: JellyfinEnrichment
    verifier: JellyfinVerifier
    qbittorrent: QBittorrentCoordinator | None = None
    shoko: ShokoListener | None = None
    # Webhook registration in Jellyseerr, Radarr and Sonarr: "registered",
    # "pending", or why not (free of secrets); written by registration/ alone.
    registrations: Mapping[str, str]


type MediaRequestTrackerConfigEntry = ConfigEntry[MediaRequestTrackerData]
