"""Constants shared by the Home Assistant layer."""

from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Final

DOMAIN: Final = "media_request_tracker"
LOGGER = logging.getLogger(__package__)

CONF_JELLYFIN_URL: Final = "jellyfin_url"
CONF_JELLYFIN_API_KEY: Final = "jellyfin_api_key"
CONF_QBITTORRENT_URL: Final = "qbittorrent_url"
CONF_QBITTORRENT_USERNAME: Final = "qbittorrent_username"
CONF_QBITTORRENT_PASSWORD: Final = "qbittorrent_password"
CONF_SHOKO_URL: Final = "shoko_url"
CONF_SHOKO_API_KEY: Final = "shoko_api_key"
CONF_SHOKO_USERNAME: Final = "shoko_username"
CONF_SHOKO_PASSWORD: Final = "shoko_password"
CONF_JELLYSEERR_URL: Final = "jellyseerr_url"
CONF_JELLYSEERR_API_KEY: Final = "jellyseerr_api_key"
CONF_RADARR_URL: Final = "radarr_url"
CONF_RADARR_API_KEY: Final = "radarr_api_key"
CONF_SONARR_URL: Final = "sonarr_url"
CONF_SONARR_API_KEY: Final = "sonarr_api_key"
CONF_WEBHOOK_IDS: Final = "webhook_ids"
# Jellyseerr, Radarr and Sonarr, where registration puts our webhooks: the keys
# of each one's URL and API key.
REGISTRATION_SERVICES: Final[dict[str, tuple[str, str]]] = {
    "jellyseerr": (CONF_JELLYSEERR_URL, CONF_JELLYSEERR_API_KEY),
    "radarr": (CONF_RADARR_URL, CONF_RADARR_API_KEY),
    "sonarr": (CONF_SONARR_URL, CONF_SONARR_API_KEY),
}
# Key in a reauth flow's data naming the service whose credential was refused.
REAUTH_SERVICE: Final = "service"
# And, for a Radarr or Sonarr, the id of the instance (its subentry).
REAUTH_INSTANCE: Final = "instance"

CONF_TRACK_UNREQUESTED: Final = "track_unrequested"
CONF_ALLOW_EXTERNAL_WEBHOOKS: Final = "allow_external_webhooks"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_QBITTORRENT_INTERVAL: Final = "qbittorrent_interval"
CONF_STALL_MINUTES: Final = "stall_minutes"
CONF_VERIFY_INTERVAL: Final = "verify_interval"
CONF_STUCK_APPROVED_HOURS: Final = "stuck_approved_hours"
CONF_STUCK_INDEXED_HOURS: Final = "stuck_indexed_hours"
CONF_STUCK_IMPORTING_HOURS: Final = "stuck_importing_hours"
CONF_STUCK_ANIME_MATCHING_HOURS: Final = "stuck_anime_matching_hours"
CONF_JELLYSEERR_POLL_MINUTES: Final = "jellyseerr_poll_minutes"

DEFAULT_TRACK_UNREQUESTED: Final = True
# The most requests one entry tracks; more would be a flood, not a household.
REQUEST_LIMIT: Final = 5000
DEFAULT_ALLOW_EXTERNAL_WEBHOOKS: Final = False
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_QBITTORRENT_INTERVAL: Final = 10
DEFAULT_STALL_MINUTES: Final = 30
DEFAULT_VERIFY_INTERVAL: Final = 60
DEFAULT_STUCK_APPROVED_HOURS: Final = 6
DEFAULT_STUCK_INDEXED_HOURS: Final = 2
DEFAULT_STUCK_IMPORTING_HOURS: Final = 1
DEFAULT_STUCK_ANIME_MATCHING_HOURS: Final = 2
DEFAULT_JELLYSEERR_POLL_MINUTES: Final = 15


@dataclass(frozen=True, slots=True)
class Option:
    """A behaviour option's default; for a number, its largest value and unit too."""

    default: bool | int
    maximum: int | None = None  # the smallest is 1
    unit: str = ""


# Every option, in the order the options form shows them.
OPTIONS: Final[dict[str, Option]] = {
    CONF_TRACK_UNREQUESTED: Option(DEFAULT_TRACK_UNREQUESTED),
    CONF_ALLOW_EXTERNAL_WEBHOOKS: Option(DEFAULT_ALLOW_EXTERNAL_WEBHOOKS),
    CONF_QBITTORRENT_INTERVAL: Option(DEFAULT_QBITTORRENT_INTERVAL, 3600, "s"),
    CONF_STALL_MINUTES: Option(DEFAULT_STALL_MINUTES, 10080, "min"),
    CONF_VERIFY_INTERVAL: Option(DEFAULT_VERIFY_INTERVAL, 86400, "s"),
    CONF_JELLYSEERR_POLL_MINUTES: Option(DEFAULT_JELLYSEERR_POLL_MINUTES, 1440, "min"),
    CONF_STUCK_APPROVED_HOURS: Option(DEFAULT_STUCK_APPROVED_HOURS, 720, "h"),
    CONF_STUCK_INDEXED_HOURS: Option(DEFAULT_STUCK_INDEXED_HOURS, 720, "h"),
    CONF_STUCK_IMPORTING_HOURS: Option(DEFAULT_STUCK_IMPORTING_HOURS, 720, "h"),
    CONF_STUCK_ANIME_MATCHING_HOURS: Option(
        DEFAULT_STUCK_ANIME_MATCHING_HOURS, 720, "h"
    ),
    CONF_RETENTION_DAYS: Option(DEFAULT_RETENTION_DAYS, 3650, "d"),
}

EVENT_STATE_CHANGED: Final = f"{DOMAIN}_state_changed"

# A webhook body larger than this is refused with 413 before it is parsed.
MAX_WEBHOOK_BODY: Final = 1024 * 1024

SECRET_KEYS: Final = frozenset(
    {
        CONF_JELLYFIN_API_KEY,
        CONF_QBITTORRENT_PASSWORD,
        CONF_SHOKO_API_KEY,
        CONF_SHOKO_PASSWORD,
        CONF_JELLYSEERR_API_KEY,
        CONF_RADARR_API_KEY,
        CONF_SONARR_API_KEY,
        CONF_WEBHOOK_IDS,
    }
)


def signal_request_added(entry_id: str) -> str:
    """Dispatcher signal for a request that needs a new entity."""
    return f"{DOMAIN}_{entry_id}_request_added"


def signal_requests_updated(entry_id: str) -> str:
    """Dispatcher signal naming the requests whose entities must be written.

    One signal per entry, not per request: thousands of request entities
    would each hold a dispatcher connection otherwise.
    """
    return f"{DOMAIN}_{entry_id}_requests_updated"


def signal_summary_updated(entry_id: str) -> str:
    """Dispatcher signal for the summary sensor."""
    return f"{DOMAIN}_{entry_id}_summary_updated"


def signal_connection_changed(entry_id: str, service: str) -> str:
    """Dispatcher signal for a pushed connection (Shoko's SignalR hub)."""
    return f"{DOMAIN}_{entry_id}_{service}_connection"
